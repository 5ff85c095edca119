"""Messages between a member and the staff who can answer them: the panel's lead (its
facilitators) or the organisation's finance staff.

A member starts a conversation from a claim or a meeting, and writes again in it; staff
answer it and close it. Staff are emailed when a member writes (they are not members, so
``send_mail``); the member is told of an answer through ``coproduce.notices.notify``, by
the channel they chose. Neither notice carries the words of a message: a message can hold
anything about someone's health or money, so it is read only on the site, after signing in.

The reads that feed the lists and counts are at the end of this module, each with its
``select_related`` so a list costs the same queries with 3 conversations or 300.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Case, Count, IntegerField, Q, Subquery, Value, When
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from cms.permissions import require, visible_to
from cms.roles import Role
from cms.site_address import absolute_url

from ..models import Conversation, ConversationMessage, InvolvementClaim, Meeting
from ..notices import notify
from ..rules import answers_conversation, conversations_answered_by
from . import Refused

SUBJECT_MAX = 120
BODY_MAX = 2000
To = Conversation.To


def too_long(what: str, max_length: int) -> str:
    return f"Keep {what} to {max_length} characters or fewer."


def _body(body: str | None) -> str:
    """The message as typed: stored exactly, only checked for being there and its length."""
    body = body or ""
    if not body.strip():
        raise Refused("Enter your message.", field="body")
    if len(body) > BODY_MAX:
        raise Refused(too_long("your message", BODY_MAX), field="body")
    return body


def _subject(subject: str | None) -> str:
    subject = " ".join((subject or "").split())
    if not subject:
        raise Refused("Enter what your message is about.", field="subject")
    if len(subject) > SUBJECT_MAX:
        raise Refused(too_long("what your message is about", SUBJECT_MAX), field="subject")
    return subject


def default_subject(
    *, claim: InvolvementClaim | None = None, meeting: Meeting | None = None
) -> str:
    """What a new message is about, filled in for the member (they may change it)."""
    if claim is not None:
        return f"My claim {claim.reference} for {claim.attendance.meeting.title}"[:SUBJECT_MAX]
    if meeting is not None:
        return f"The meeting: {meeting.title}"[:SUBJECT_MAX]
    return ""


# --- Who answers, and telling them ------------------------------------------------------------


def staff_to_tell(conversation: Conversation) -> list:
    """The people emailed when the member writes: the panel's facilitators (or the
    organisation's leads when it has none), or the organisation's finance staff. With
    nobody in that role, the platform's administrators, so no message goes unseen."""
    users = get_user_model().objects.filter(is_active=True).exclude(pk=conversation.member_id)
    if conversation.to == To.FINANCE:
        people = users.filter(groups__name=Role.FINANCE).filter(
            Q(organisation_id=conversation.organisation_id) | Q(partnership_wide=True)
        )
    else:
        panel = conversation.panel
        people = users.none()
        if panel is not None:
            people = users.filter(pk__in=panel.facilitators.values("pk"))
        if not people.exists():
            people = users.filter(
                groups__name=Role.ENGAGEMENT_LEAD, organisation_id=conversation.organisation_id
            )
    people = list(people.distinct().order_by("pk"))
    if not people:
        people = list(users.filter(is_superuser=True).order_by("pk"))
    return [person for person in people if person.email]


def _tell_staff(conversation: Conversation, *, first: bool) -> None:
    about = about_in_words(conversation)
    body = render_to_string(
        "coproduce/messages/email_to_staff.txt",
        {
            "conversation": conversation,
            "first": first,
            "about": about,
            "to_words": _to_words(conversation),
            "thread_url": absolute_url(reverse("staff_message_thread", args=[conversation.pk])),
        },
    )
    subject = "A member has sent a new message" if first else "A member has replied"
    for person in staff_to_tell(conversation):
        send_mail(f"{subject}: {about}", body, None, [person.email])


def _tell_member(conversation: Conversation, *, closed: bool) -> None:
    url = absolute_url(reverse("coproduce:message_thread", args=[conversation.pk]))
    notify(
        conversation.member,
        "messages",
        subject=f"You have a reply about {about_in_words(conversation)}",
        body=render_to_string(
            "coproduce/messages/email_reply.txt",
            {
                "conversation": conversation,
                "name": member_name(conversation.member),
                "from_words": _from_words(conversation),
                "about": about_in_words(conversation),
                "closed": closed,
                "thread_url": url,
                "messages_url": absolute_url(reverse("coproduce:message_list")),
            },
        ),
        # Never the words of the message: a text can be read by anyone holding the phone.
        text=f"You have a reply to a message you sent us. Sign in to read it: {url}",
    )


def _to_words(conversation: Conversation) -> str:
    if conversation.to == To.FINANCE:
        return f"finance at {conversation.organisation.name}"
    if conversation.panel is not None:
        return f"the lead of {conversation.panel.title}"
    return f"the engagement team at {conversation.organisation.name}"


def _from_words(conversation: Conversation) -> str:
    if conversation.to == To.FINANCE:
        return f"Finance at {conversation.organisation.name}"
    if conversation.panel is not None:
        return f"The lead of {conversation.panel.title}"
    return f"The engagement team at {conversation.organisation.name}"


def about_in_words(conversation: Conversation) -> str:
    """What a conversation is about, without anything the member typed: "claim C-0042",
    "the meeting Planning the new leaflet", or the panel."""
    if conversation.claim_id is not None:
        return f"claim {conversation.claim.reference}"
    if conversation.meeting_id is not None:
        return f"the meeting {conversation.meeting.title}"
    if conversation.panel_id is not None:
        return conversation.panel.title
    return "your message"


# --- Writing ----------------------------------------------------------------------------------


@transaction.atomic
def conversation_start(
    *,
    member,
    to: str,
    subject: str,
    body: str,
    claim: InvolvementClaim | None = None,
    meeting: Meeting | None = None,
) -> Conversation:
    """A member's new message to the panel's lead or finance, about a claim or a meeting."""
    if (claim is None) == (meeting is None):
        raise ValueError("A conversation starts from one claim or one meeting.")
    if to not in To.values:
        raise Refused("Choose who to send your message to.")
    if claim is not None:
        require(member, "coproduce.message_about_claim", claim)
        panel = claim.panel
    else:
        require(member, "coproduce.message_about_meeting", meeting)
        panel = meeting.panel
        if to != To.LEAD:
            raise Refused("Messages about a meeting go to the panel's lead.")
    subject, body = _subject(subject), _body(body)
    now = timezone.now()
    conversation = Conversation.objects.create(
        member=member,
        to=to,
        organisation_id=panel.organisation_id,
        panel=panel,
        claim=claim,
        meeting=meeting,
        subject=subject,
        last_message_at=now,
        waiting_for_staff=True,
    )
    ConversationMessage.objects.create(
        conversation=conversation, author=member, from_staff=False, body=body
    )
    _tell_staff(conversation, first=True)
    return conversation


@transaction.atomic
def conversation_reply(*, conversation: Conversation, member, body: str) -> ConversationMessage:
    """The member writes again. It waits for staff once more; a closed conversation is
    opened again, since the member still needs something."""
    require(member, "coproduce.reply_to_conversation", conversation)
    body = _body(body)
    message = ConversationMessage.objects.create(
        conversation=conversation, author=member, from_staff=False, body=body
    )
    conversation.last_message_at = message.sent_at
    conversation.waiting_for_staff = True
    conversation.closed_at = None
    conversation.save(update_fields=["last_message_at", "waiting_for_staff", "closed_at"])
    _tell_staff(conversation, first=False)
    return message


@transaction.atomic
def conversation_answer(
    *, conversation: Conversation, user, body: str, close: bool = False
) -> ConversationMessage:
    """Staff answer the member (and may close the conversation at the same time); the
    member is told there is a reply, by the channel they chose."""
    require(user, "coproduce.answer_conversation", conversation)
    body = _body(body)
    now = timezone.now()
    message = ConversationMessage.objects.create(
        conversation=conversation, author=user, from_staff=True, body=body
    )
    # Answering means the member's messages have been read.
    conversation.messages.filter(from_staff=False, read_at__isnull=True).update(read_at=now)
    conversation.last_message_at = message.sent_at
    conversation.waiting_for_staff = False
    conversation.closed_at = now if close else None
    conversation.save(update_fields=["last_message_at", "waiting_for_staff", "closed_at"])
    _tell_member(conversation, closed=close)
    return message


@transaction.atomic
def conversation_close(*, conversation: Conversation, user) -> Conversation:
    """Nothing more is needed: the conversation leaves the waiting list. The member can
    still write in it, which opens it again."""
    require(user, "coproduce.close_conversation", conversation)
    conversation.closed_at = timezone.now()
    conversation.waiting_for_staff = False
    conversation.save(update_fields=["closed_at", "waiting_for_staff"])
    return conversation


def conversation_mark_read(*, conversation: Conversation, user) -> int:
    """The other side's messages, opened by ``user`` now: the member reading replies, or
    the staff who answer reading the member's messages. Returns how many were new."""
    if conversation.member_id == user.pk:
        from_staff = True
    elif answers_conversation(user, conversation):
        from_staff = False
    else:
        return 0
    return conversation.messages.filter(from_staff=from_staff, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- Reading ----------------------------------------------------------------------------------


def _with_unread(queryset, *, from_staff: bool):
    return queryset.annotate(
        unread=Count(
            "messages",
            filter=Q(messages__from_staff=from_staff, messages__read_at__isnull=True),
        )
    )


def conversations_of_member(user):
    """A member's own conversations: those with a reply they have not read first, then the
    latest."""
    conversations = visible_to(user, Conversation).filter(member=user)
    return (
        _with_unread(conversations, from_staff=True)
        .select_related("organisation", "panel", "claim", "meeting")
        .annotate(
            has_unread=Case(When(unread__gt=0, then=Value(0)), default=Value(1)),
        )
        .order_by("has_unread", "-last_message_at", "-pk")
    )


def member_latest_conversations(user, *, limit: int) -> tuple[list[Conversation], int]:
    """A member's latest ``limit`` conversations (as ``conversations_of_member`` orders
    them), and how many of all their conversations have a reply they have not read: one
    query, however many conversations."""
    unread_conversations = (
        ConversationMessage.objects.filter(
            conversation__member=user, from_staff=True, read_at__isnull=True
        )
        .order_by()
        .values("conversation__member")
        .annotate(count=Count("conversation", distinct=True))
        .values("count")
    )
    latest = list(
        conversations_of_member(user).annotate(
            conversations_unread=Subquery(unread_conversations, output_field=IntegerField())
        )[:limit]
    )
    return latest, ((latest[0].conversations_unread or 0) if latest else 0)


def member_unread_count(user) -> int:
    """How many of a member's conversations have a reply they have not read."""
    return (
        Conversation.objects.filter(
            member=user, messages__from_staff=True, messages__read_at__isnull=True
        )
        .values("pk")
        .distinct()
        .count()
    )


WAITING, OPEN, CLOSED = "waiting", "open", "closed"
SHOWING = {
    WAITING: "Waiting for an answer",
    OPEN: "Answered, still open",
    CLOSED: "Closed",
}


def conversations_for_staff(user, *, showing: str = ""):
    """The conversations ``user`` answers (never their own as a member): waiting for an
    answer first, the longest waiting at the top, then the rest, latest first."""
    conversations = (
        visible_to(user, Conversation).filter(conversations_answered_by(user)).exclude(member=user)
    )
    if showing == WAITING:
        conversations = conversations.filter(waiting_for_staff=True, closed_at__isnull=True)
    elif showing == OPEN:
        conversations = conversations.filter(waiting_for_staff=False, closed_at__isnull=True)
    elif showing == CLOSED:
        conversations = conversations.filter(closed_at__isnull=False)
    return (
        _with_unread(conversations, from_staff=False)
        .select_related("member__involvement_profile", "organisation", "panel", "claim", "meeting")
        .annotate(
            group=Case(
                When(closed_at__isnull=False, then=Value(2)),
                When(waiting_for_staff=True, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("group", "-last_message_at", "-pk")
    )


def waiting_for_staff(user):
    """The conversations waiting for ``user``'s answer, the longest waiting first."""
    return (
        visible_to(user, Conversation)
        .filter(conversations_answered_by(user), waiting_for_staff=True, closed_at__isnull=True)
        .exclude(member=user)
        .select_related("member__involvement_profile", "panel", "claim", "meeting")
        .order_by("last_message_at", "pk")
    )


def thread(conversation: Conversation) -> list[ConversationMessage]:
    """Every message of a conversation, oldest first, with who wrote it."""
    return list(
        conversation.messages.select_related("author__involvement_profile").order_by(
            "sent_at", "pk"
        )
    )


def member_name(member) -> str:
    """A member as staff see them elsewhere: the name they chose, else their own name, else
    their email (reads a profile already fetched with ``select_related``)."""
    profile = getattr(member, "involvement_profile", None) if member is not None else None
    if profile is not None and profile.display_name:
        return profile.display_name
    if member is None:
        return "Someone whose account has closed"
    return member.get_full_name() or member.email


def staff_name(user) -> str:
    """A member of staff as members see them: their name, or their role when none is set."""
    if user is None:
        return "A member of staff"
    return user.get_full_name() or "A member of staff"


# --- Who to contact -------------------------------------------------------------------------


@dataclass(frozen=True)
class Contact:
    """One way to reach someone about a claim or a meeting."""

    to: str  # Conversation.To
    who: str  # "Priya Shah" / "Finance"
    role: str  # "Lead of the Crisis café design panel"
    what_for: str
    url: str  # where the member sends them a message; empty when they cannot


def contacts_for(*, user, claim: InvolvementClaim | None = None, meeting: Meeting | None = None):
    """Who a member can contact about ``claim`` or ``meeting``: the panel's lead(s) and, for
    a claim, finance of the organisation, each with the page to write to them."""
    panel = claim.panel if claim is not None else meeting.panel
    organisation = panel.organisation
    leads = [
        staff_name(person)
        for person in panel.facilitators.filter(is_active=True).order_by("first_name", "pk")
        if person.get_full_name()
    ]
    if claim is not None:
        may_write = claim.member_id == getattr(user, "pk", None)
        lead_url = reverse("coproduce:claim_message_lead", args=[claim.pk]) if may_write else ""
    else:
        from ..rules import is_panel_member

        may_write = is_panel_member(user, panel)
        lead_url = reverse("coproduce:meeting_message", args=[meeting.pk]) if may_write else ""
    contacts = [
        Contact(
            to=To.LEAD,
            who=" and ".join(leads) if leads else f"The engagement team, {organisation.name}",
            role=f"{'Leads' if len(leads) > 1 else 'Lead'} of {panel.title}",
            what_for="Questions about the panel, its meetings, your time or your claim.",
            url=lead_url,
        )
    ]
    if claim is not None:
        contacts.append(
            Contact(
                to=To.FINANCE,
                who=f"Finance, {organisation.name}",
                role="Pays involvement claims",
                what_for="Questions about a payment: when it will arrive, or how you are paid.",
                url=reverse("coproduce:claim_message_finance", args=[claim.pk])
                if may_write
                else "",
            )
        )
    return contacts
