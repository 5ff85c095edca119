"""Feedback on offers from giving it to closing it: give, triage, hide or unhide, set the
quote to publish, respond in public, link to the service change that answered it, close
and reopen.

Status only moves forward (new → triaged → responded → closed), except reopening. Any
moderation of new feedback triages it: someone has read it. Hiding and setting the quote
are always possible, even once closed, because they protect people. Every change is logged
in Wagtail's audit log; hiding, unhiding and the quote also as changes to a sensitive
record.
"""

from collections.abc import Iterable
from datetime import timedelta

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from wagtail.log_actions import log

from cms import audit, site_address
from cms.models import OfferPage
from cms.permissions import can
from cms.personal_details import personal_details_in
from cms.sanitise import plain_text

from .. import audit_actions
from ..models import Feedback, ServiceChangePage, Theme
from ..selectors.claims import chosen_name
from ..selectors.feedback import service_changes_for_linking
from . import Refused
from .changes import service_change_notify_queue

Status = Feedback.Status
Source = Feedback.Source

TEXT_MAX = 3000
QUOTE_MAX = 3000
RESPONSE_MAX = 5000
REASON_MAX = 255
# The same feedback sent again this soon (a double click, a reload) is the same feedback.
SAME_FEEDBACK_WITHIN = timedelta(minutes=5)


def too_long(what: str, max_length: int) -> str:
    return f"Keep {what} to {max_length} characters or fewer."


def _text(value: str | None, *, max_length: int, what: str) -> str:
    """Text as typed (trimmed), refused when longer than ``max_length``."""
    text = plain_text(value)
    if len(text) > max_length:
        raise Refused(too_long(what, max_length))
    return text


# --- Giving feedback -----------------------------------------------------------------------------


@transaction.atomic
def feedback_give(
    *,
    offer: OfferPage,
    user,
    went_well: str,
    could_be_better: str,
    rating: int,
    felt_listened_to: str,
    themes: Iterable[Theme] = (),
    consent_to_publish: bool = False,
    on_behalf: bool = False,
) -> Feedback:
    """Keep one person's feedback on ``offer``, answered by the offer's provider.

    Signed in, it is kept with the person's account (source "member"); a peer worker
    writing it down for someone is kept as the recorder, never as the author (source
    "peer_worker"); without an account nothing about the person is kept (source
    "public"). Personal details the text seems to contain are flagged for the moderator,
    never refused. Sending the same feedback twice within minutes keeps it once.
    """
    went_well = _text(went_well, max_length=TEXT_MAX, what="what went well")
    could_be_better = _text(could_be_better, max_length=TEXT_MAX, what="what could be better")
    if not went_well and not could_be_better:
        raise Refused("Tell us what went well, what could be better, or both.")
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if rating not in Feedback.Rating.values:
        raise Refused("Choose how your experience was overall.")
    if felt_listened_to not in Feedback.Listened.values:
        raise Refused("Choose whether you felt listened to.")
    if not can(user, "coproduce.give_feedback", offer):
        raise Refused("This offer is no longer listed, so we cannot take feedback on it.")

    author = recorded_by = None
    if on_behalf:
        if not can(user, "coproduce.give_feedback_on_behalf"):
            raise Refused("Only peer workers can write feedback down for someone else.")
        source, recorded_by = Source.PEER_WORKER, user
    elif user is not None and user.is_authenticated:
        source, author = Source.MEMBER, user
    else:
        source = Source.PUBLIC

    given = {
        "offer": offer,
        "source": source,
        "author": author,
        "recorded_by": recorded_by,
        "went_well": went_well,
        "could_be_better": could_be_better,
        "rating": rating,
    }
    same = Feedback.objects.filter(
        **given, created_at__gte=timezone.now() - SAME_FEEDBACK_WITHIN
    ).first()
    if same is not None:
        return same

    feedback = Feedback.objects.create(
        **given,
        offer_title=offer.title,
        organisation_id=offer.provider_id,
        felt_listened_to=felt_listened_to,
        consent_to_publish=bool(consent_to_publish),
        personal_details=personal_details_in(f"{went_well}\n{could_be_better}"),
    )
    feedback.themes.set(list(themes))
    # Logged without the person: the log must not say who gave public or member feedback.
    log(feedback, audit_actions.FEEDBACK_GIVE, user=None, data={"source": source})
    return feedback


# --- Moderation ------------------------------------------------------------------------------


def _locked(feedback: Feedback, user) -> Feedback:
    """The feedback as it is now, locked until the transaction ends, once the person is
    known to moderate it."""
    current = (
        Feedback.objects.select_for_update().select_related("organisation").get(pk=feedback.pk)
    )
    if not can(user, "coproduce.moderate_feedback", current):
        raise Refused(
            f"Only engagement leads of {current.organisation.name} can moderate this feedback."
        )
    return current


def _triage(feedback: Feedback, now) -> list[str]:
    """Move new feedback to triaged; returns the fields changed."""
    if feedback.status != Status.NEW:
        return []
    feedback.status = Status.TRIAGED
    feedback.triaged_at = now
    return ["status", "triaged_at"]


def _refuse_if_closed(feedback: Feedback, doing: str) -> None:
    if feedback.status == Status.CLOSED:
        raise Refused(f"This feedback is closed. Reopen it to {doing}.")


@transaction.atomic
def feedback_triage(*, feedback: Feedback, user, themes: Iterable[Theme]) -> Feedback:
    """Say what the feedback is about (its themes) and mark it as read."""
    feedback = _locked(feedback, user)
    _refuse_if_closed(feedback, "change its themes")
    themes = list(themes)
    before = set(feedback.themes.values_list("pk", flat=True))
    changed = _triage(feedback, timezone.now())
    feedback.themes.set(themes)
    names = [theme.name for theme in themes]
    if changed:
        feedback.save(update_fields=changed)
        log(feedback, audit_actions.FEEDBACK_TRIAGE, user=user, data={"themes": names})
    elif before != {theme.pk for theme in themes}:
        log(feedback, audit_actions.FEEDBACK_THEMES, user=user, data={"themes": names})
    return feedback


@transaction.atomic
def feedback_hide(*, feedback: Feedback, user, reason: str) -> Feedback:
    """Keep feedback off the offer page and out of the ratings (spam, abuse, or words
    that cannot be made safe to publish). Nothing is deleted: feedback never vanishes."""
    reason = _text(reason, max_length=REASON_MAX, what="the reason")
    if not reason:
        raise Refused("Enter why you are hiding it, for example 'Names a member of staff'.")
    feedback = _locked(feedback, user)
    if feedback.hidden:
        raise Refused("This feedback is already hidden.")
    feedback.hidden = True
    feedback.hidden_reason = reason
    changed = ["hidden", "hidden_reason", *_triage(feedback, timezone.now())]
    feedback.save(update_fields=changed)
    log(feedback, audit_actions.FEEDBACK_HIDE, user=user, data={"reason": reason})
    audit.audit_change(
        user=user,
        instance=feedback,
        reason=f"Hid feedback from its offer page: {reason}",
        fields=["hidden", "hidden_reason"],
    )
    return feedback


@transaction.atomic
def feedback_unhide(*, feedback: Feedback, user) -> Feedback:
    """Show hidden feedback again (its quote, if any, and its rating)."""
    feedback = _locked(feedback, user)
    if not feedback.hidden:
        raise Refused("This feedback is not hidden.")
    reason = feedback.hidden_reason
    feedback.hidden = False
    feedback.hidden_reason = ""
    feedback.save(update_fields=["hidden", "hidden_reason"])
    log(feedback, audit_actions.FEEDBACK_UNHIDE, user=user, data={"was_hidden_because": reason})
    audit.audit_change(
        user=user,
        instance=feedback,
        reason="Stopped hiding feedback from its offer page",
        fields=["hidden", "hidden_reason"],
    )
    return feedback


def quote_suggested(feedback: Feedback) -> str:
    """What the moderator starts from: everything the person wrote, to cut down."""
    parts = []
    if feedback.went_well:
        parts.append(feedback.went_well)
    if feedback.could_be_better:
        parts.append(feedback.could_be_better)
    return "\n\n".join(parts)


@transaction.atomic
def feedback_set_quote(*, feedback: Feedback, user, quote: str) -> Feedback:
    """Set the words published on the offer page (the moderator's redaction of what the
    person wrote, with anything identifying taken out); empty publishes nothing. Only for
    feedback whose giver agreed to be quoted."""
    quote = _text(quote, max_length=QUOTE_MAX, what="the quote")
    feedback = _locked(feedback, user)
    if not feedback.consent_to_publish:
        raise Refused("They did not agree to be quoted, so nothing they wrote can be published.")
    if quote == feedback.public_quote:
        return feedback
    feedback.public_quote = quote
    changed = ["public_quote", *_triage(feedback, timezone.now())]
    feedback.save(update_fields=changed)
    log(feedback, audit_actions.FEEDBACK_QUOTE, user=user, data={"published": bool(quote)})
    audit.audit_change(
        user=user,
        instance=feedback,
        reason="Set the words published from feedback"
        if quote
        else "Removed the words published from feedback",
        fields=["public_quote"],
    )
    return feedback


@transaction.atomic
def feedback_respond(*, feedback: Feedback, user, response: str) -> Feedback:
    """Write (or correct) the public response. The first response moves the feedback to
    "responded" and tells a member who gave it signed in, by email."""
    response = _text(response, max_length=RESPONSE_MAX, what="the response")
    if not response:
        raise Refused("Enter the response to publish.")
    feedback = _locked(feedback, user)
    _refuse_if_closed(feedback, "change the response")
    if response == feedback.public_response:
        return feedback
    now = timezone.now()
    first = feedback.status != Status.RESPONDED
    changed = ["public_response", "responded_by", "responded_at", *_triage(feedback, now)]
    feedback.public_response = response
    feedback.responded_by = user
    feedback.responded_at = now
    if first:
        feedback.status = Status.RESPONDED
        changed.append("status")
    feedback.save(update_fields=sorted(set(changed)))
    log(feedback, audit_actions.FEEDBACK_RESPOND, user=user, data={"first": first})
    if first:
        _email_author(feedback)
    return feedback


@transaction.atomic
def feedback_link_change(
    *, feedback: Feedback, user, service_change: ServiceChangePage | None
) -> Feedback:
    """Link feedback to the service change that answers it ("You said, we did"), or
    unlink it with None."""
    feedback = _locked(feedback, user)
    if (
        service_change is not None
        and not service_changes_for_linking(user).filter(pk=service_change.pk).exists()
    ):
        raise Refused("Choose a service change from the list.")
    new_id = service_change.pk if service_change is not None else None
    if new_id == feedback.service_change_id:
        return feedback
    feedback.service_change = service_change
    changed = ["service_change", *_triage(feedback, timezone.now())]
    feedback.save(update_fields=changed)
    log(
        feedback,
        audit_actions.FEEDBACK_LINK_CHANGE,
        user=user,
        data={
            "service_change_id": new_id,
            "title": service_change.title if service_change else "No service change",
        },
    )
    if service_change is not None and service_change.live and feedback.author_id:
        # The author hears now that the change is public, not only at its next status
        # move (the notice task tells each person once per status).
        service_change_notify_queue(page=service_change)
    return feedback


@transaction.atomic
def feedback_close(*, feedback: Feedback, user) -> Feedback:
    """Nothing more to do on it. Feedback that needs no public answer can be closed
    without one."""
    feedback = _locked(feedback, user)
    if feedback.status == Status.CLOSED:
        raise Refused("This feedback is already closed.")
    now = timezone.now()
    changed = ["status", "closed_at", *_triage(feedback, now)]
    feedback.status = Status.CLOSED
    feedback.closed_at = now
    feedback.save(update_fields=sorted(set(changed)))
    log(feedback, audit_actions.FEEDBACK_CLOSE, user=user)
    return feedback


@transaction.atomic
def feedback_reopen(*, feedback: Feedback, user) -> Feedback:
    """The one way back: closed feedback returns to where it was (responded, if it has a
    response; else triaged)."""
    feedback = _locked(feedback, user)
    if feedback.status != Status.CLOSED:
        raise Refused("This feedback is not closed.")
    feedback.status = Status.RESPONDED if feedback.public_response else Status.TRIAGED
    feedback.closed_at = None
    feedback.save(update_fields=["status", "closed_at"])
    log(feedback, audit_actions.FEEDBACK_REOPEN, user=user)
    return feedback


# --- Telling the person ----------------------------------------------------------------------


def _email_author(feedback: Feedback) -> None:
    """Tell a member who gave feedback signed in that it has a response; the queued mail
    backend sends it once the change is committed. The public and people a peer worker
    wrote for left no address, so are not emailed."""
    author = feedback.author
    if author is None or not author.email or not author.is_active:
        return
    context = {
        "feedback": feedback,
        "name": chosen_name(author) or author.first_name,
        "url": site_address.absolute_url(reverse("coproduce:feedback_mine")),
    }
    body = render_to_string("coproduce/feedback/email_responded.txt", context)
    send_mail(
        f"We have replied to your feedback on {feedback.offer_title}", body, None, [author.email]
    )
