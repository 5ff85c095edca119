"""Telling a member something, by the channel they chose and only if they want that notice.

Every notice co-production sends a member goes through ``notify``. It reads the member's
``InvolvementProfile``: the notices they declined are not sent, and the rest go by their
chosen channel (email; a text message; a letter or a phone call, which become a task in the
lead's list). A member with no profile is emailed.

What a member would expect, channel by channel:

- email: an email, as always;
- text: a short text message (what it is about and a link), and no email as well: the
  link leads to the whole message on the site. A member who chose texts but has no UK
  mobile number is emailed instead, and their lead gets a task to ask for a number;
- phone or letter: a ``ContactTask`` in the list of the leads of the panel it is about
  (else the organisation given, else the organisation of the member's newest panel), with
  the notice's words, and no email. With no organisation to ask, the member is emailed.

Each kind of notice is named once, in ``NOTICES``, so My space can list them for people to
choose from and every caller names the same thing.
"""

from dataclasses import dataclass

from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from cms import audit, site_address, texts
from cms.permissions import can, visible_to
from cms.refusals import Refused


@dataclass(frozen=True)
class Notice:
    key: str
    label: str
    hint: str = ""
    # Some notices carry something the member must know (their payment went, a meeting
    # they are coming to was cancelled): they cannot be turned off, only their channel.
    can_decline: bool = True


NOTICES = {
    notice.key: notice
    for notice in (
        Notice(
            "claims",
            "Your claims and payments",
            "When a claim is approved, returned to you or paid.",
            can_decline=False,
        ),
        Notice(
            "meetings",
            "Meetings of your panels",
            "Invitations, changes, cancellations and reminders.",
            can_decline=False,
        ),
        Notice("messages", "Replies to your messages", "When staff answer a message you sent."),
        Notice(
            "sign_off",
            "Changes for your panel to sign off",
            'When a "You said, we did" change your panel worked on is ready for you to check.',
        ),
        Notice(
            "applications",
            "Your panel applications",
            "When a panel you applied to decides.",
        ),
        Notice(
            "changes",
            "Changes you follow",
            'When a "You said, we did" change moves on.',
        ),
    )
}


# The notice key of a task that tells a lead a member cannot be reached by their channel.
UNREACHABLE = "unreachable"
TASK_SUBJECT_MAX = 200


@dataclass(frozen=True)
class Delivery:
    """What ``notify`` did: ``channel`` is "email", "text", "phone", "letter", "declined"
    (the member turned this notice off) or "none" (no way to reach them). ``fell_back``
    says why the channel is not the one they chose."""

    channel: str
    text: object = None
    task: object = None
    fell_back: str = ""

    def __str__(self):
        return self.channel

    def __eq__(self, other):
        # Callers written for the first version compared the result with "email".
        if isinstance(other, str):
            return self.channel == other
        return super().__eq__(other)

    __hash__ = object.__hash__


def notify(
    member,
    notice: str,
    *,
    subject: str,
    body: str,
    text: str = "",
    panel=None,
    organisation=None,
    link: str = "",
    attachments: tuple = (),
) -> Delivery:
    """Send ``member`` the notice ``notice`` by the channel they chose, unless they declined
    it, and return what happened (a ``Delivery``).

    ``body`` is the full plain-text message (an email, or the words of a letter or call);
    ``text`` a short version for a text message (it defaults to the subject); ``link`` the
    page it is about (a path or a full address), added to a text message. ``attachments``
    (``(filename, content, mimetype)`` triples, a meeting's calendar file say) go with an
    email only. ``panel`` or
    ``organisation`` say whose leads make a call or send a letter. Call it inside the
    transaction that made the change: nothing leaves until that commits.
    """
    from .models import InvolvementProfile

    if notice not in NOTICES:
        raise ValueError(f"Unknown notice {notice!r}: add it to coproduce.notices.NOTICES.")
    profile = InvolvementProfile.objects.filter(user_id=member.pk).first()
    if profile is None:
        return _email(member, subject, body, attachments=attachments)
    if NOTICES[notice].can_decline and notice in (profile.notices_declined or []):
        return Delivery("declined")
    choice = profile.contact_preference
    if choice == "text":
        if texts.is_uk_mobile(profile.phone):
            words = texts.text_body(text or subject, _absolute(link))
            return Delivery(
                "text",
                text=texts.text_queue(recipient=member, phone_number=profile.phone, body=words),
            )
        why = "They chose text messages but we do not have a UK mobile number for them."
        organisation_id = _organisation_id(member, panel, organisation)
        if organisation_id:
            _tell_lead_unreachable(member, profile, organisation_id, panel, why)
        return _email(member, subject, body, fell_back=why, attachments=attachments)
    if choice in ("phone", "post"):
        organisation_id = _organisation_id(member, panel, organisation)
        if organisation_id is None:
            return _email(
                member,
                subject,
                body,
                fell_back="They are not on a panel, so no lead could call or write to them.",
                attachments=attachments,
            )
        from .models import ContactTask

        kind = ContactTask.Kind.PHONE if choice == "phone" else ContactTask.Kind.LETTER
        task = ContactTask.objects.create(
            member=member,
            organisation_id=organisation_id,
            panel=panel,
            kind=kind,
            notice=notice,
            subject=_short(subject),
            body=body,
        )
        return Delivery(str(kind), task=task)
    return _email(member, subject, body, attachments=attachments)


def _email(
    member, subject: str, body: str, *, fell_back: str = "", attachments: tuple = ()
) -> Delivery:
    if not member.email:
        return Delivery("none", fell_back=fell_back)
    message = EmailMessage(subject=subject, body=body, to=[member.email])
    for attachment in attachments:
        message.attach(*attachment)
    message.send()
    return Delivery("email", fell_back=fell_back)


def _absolute(link: str) -> str:
    return site_address.absolute_url(link) if link.startswith("/") else link


def _short(subject: str) -> str:
    subject = " ".join(subject.split())
    if len(subject) <= TASK_SUBJECT_MAX:
        return subject
    return subject[: TASK_SUBJECT_MAX - 1].rstrip() + "\u2026"


def _organisation_id(member, panel, organisation) -> int | None:
    """Whose leads act: the panel's organisation, the one given, else the organisation of
    the panel the member joined most recently."""
    from .models import PanelApplication

    if panel is not None:
        return panel.organisation_id
    if organisation is not None:
        return organisation.pk
    return (
        PanelApplication.objects.filter(
            applicant_id=member.pk, status=PanelApplication.Status.ACCEPTED
        )
        .order_by("-pk")
        .values_list("panel__organisation_id", flat=True)
        .first()
    )


def _tell_lead_unreachable(member, profile, organisation_id, panel, why: str) -> None:
    """One open task per member: ask them for a mobile number or another way to reach them."""
    from .models import ContactTask

    if ContactTask.objects.filter(
        member_id=member.pk, notice=UNREACHABLE, done_at__isnull=True
    ).exists():
        return
    name = profile.display_name or member.first_name or "A member"
    ContactTask.objects.create(
        member=member,
        organisation_id=organisation_id,
        panel=panel,
        kind=ContactTask.Kind.PHONE,
        notice=UNREACHABLE,
        subject=_short(f"We cannot text {name}: ask them for a mobile number"),
        body=(
            f"{why} We are emailing them instead for now. Ask them for a UK mobile number, "
            "or how else they would like to hear from us, and ask them to update their "
            "involvement profile (or mark this done and say what they told you)."
        ),
    )


# --- The lead's list of calls and letters ---------------------------------------------------

OUTCOME_MAX = 500


def contact_tasks_visible_to(user):
    """Contact tasks ``user`` may see, with what their pages show."""
    from .models import ContactTask

    return visible_to(user, ContactTask).select_related(
        "member", "member__involvement_profile", "panel", "organisation", "done_by"
    )


@transaction.atomic
def contact_task_mark_done(*, task, user, outcome: str):
    """A lead records that they called or wrote, and what happened. Done once: a second
    click (or a colleague at the same moment) changes nothing."""
    from .models import ContactTask

    outcome = (outcome or "").strip()
    if not outcome:
        raise Refused("Say what happened, for example \u201cCalled, left a message\u201d.")
    if len(outcome) > OUTCOME_MAX:
        raise Refused(f"Keep what happened to {OUTCOME_MAX} characters or fewer.")
    if not can(user, "coproduce.work_on_contact_task", task):
        raise Refused("Only the leads of this member's organisation can mark this done.")
    done = ContactTask.objects.filter(pk=task.pk, done_at__isnull=True).update(
        done_at=timezone.now(), done_by=user, outcome=outcome
    )
    task.refresh_from_db()
    if done:
        audit.audit_change(
            user=user, instance=task, reason="Marked a call or letter done", fields=["outcome"]
        )
    return task


# --- What a member chooses ------------------------------------------------------------------


def declinable() -> list[Notice]:
    return [notice for notice in NOTICES.values() if notice.can_decline]


@transaction.atomic
def notice_preferences_save(*, user, contact_preference: str, phone: str, wanted: list[str]):
    """Save how ``user`` wants to hear from us and which notices they want. Notices that
    cannot be declined are always sent, whatever is sent for them."""
    from .choices import ContactPreference
    from .models import InvolvementProfile

    if not can(user, "coproduce.keep_profile"):
        raise Refused("Only members choose which notices they get.")
    if contact_preference not in ContactPreference.values:
        raise Refused("Choose how you would like us to contact you.")
    phone = (phone or "").strip()
    if contact_preference in ("phone", "text") and not phone:
        raise Refused("Enter a phone number, so we can call or text you.")
    if contact_preference == "text" and not texts.is_uk_mobile(phone):
        raise Refused(texts.NOT_A_MOBILE)
    profile = InvolvementProfile.objects.select_for_update().filter(user=user).first()
    if profile is None:
        raise Refused("First, tell us a little about how you would like to take part.")
    wanted = set(wanted)
    profile.contact_preference = contact_preference
    profile.phone = phone
    profile.notices_declined = [n.key for n in declinable() if n.key not in wanted]
    profile.save(update_fields=["contact_preference", "phone", "notices_declined", "updated_at"])
    return profile


# --- The letter -----------------------------------------------------------------------------

# The platform keeps no postal addresses (members give an email address, and a phone number
# if they like), so a letter's address is written in by the lead from their own records.
NO_ADDRESS = (
    "We do not hold a postal address for this member on the platform. Write their address "
    "on the letter or envelope from your own records, or ask them for it."
)


def contact_task_letter_pdf(task) -> bytes:
    """A printable letter with the notice's words, for a member who chose letters."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Spacer

    from cms.dates import day_in_words
    from cms.pdf import PdfDocument, house_styles

    from .selectors.claims import name_to_show

    organisation = task.organisation.name
    name = name_to_show(task.member)
    doc = PdfDocument(
        styles=house_styles(size=12, leading=17),
        title=task.subject,
        author=organisation,
        subject="A letter to a member",
    )
    paragraphs = [p.strip() for p in task.body.split("\n\n") if p.strip()]
    return doc.build(
        [
            doc.para(organisation, "key"),
            Spacer(1, 4 * mm),
            doc.para(name),
            # Room for the address, written in by hand (``NO_ADDRESS``).
            Spacer(1, 25 * mm),
            doc.para(day_in_words(task.created_at)),
            Spacer(1, 6 * mm),
            doc.para(task.subject, "heading"),
            *[doc.para(" ".join(p.split())) for p in paragraphs],
        ]
    )
