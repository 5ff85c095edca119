"""Applications to join a panel, and the decisions on them.

One row per person and panel holds the whole story. Applying twice (or a form sent twice)
returns the application already made. Decisions on one panel are taken one at a time: the
panel's row is locked while seats are counted, so two leads accepting the last seat at the
same moment cannot both succeed. The member hears every decision in plain English, by the
channel they chose (``coproduce.notices.notify``).
"""

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from wagtail.log_actions import log

from cms import site_address
from cms.dates import day_in_words
from cms.permissions import can
from cms.sanitise import plain_text

from .. import audit_actions
from ..consent import ConsentPurpose
from ..models import InvolvementProfile, Panel, PanelApplication
from ..notices import notify
from ..selectors.panels import has_current_consent, panel_is_open_for_applications
from . import Refused
from .profiles import access_needs_may_be_kept, clean_access_needs, consent_give

STATEMENT_MAX_LENGTH = 2000
DECISIONS = (
    PanelApplication.Status.ACCEPTED,
    PanelApplication.Status.WAITLISTED,
    PanelApplication.Status.DECLINED,
)
WITHDRAWABLE = (PanelApplication.Status.PENDING, PanelApplication.Status.WAITLISTED)


def _name(user) -> str:
    profile = InvolvementProfile.objects.filter(user=user).first()
    return profile.display_name if profile else (user.first_name or "there")


@transaction.atomic
def application_submit(
    *,
    panel: Panel,
    applicant,
    statement: str,
    access_needs: list[str],
    access_needs_other: str = "",
    interpreter_language: str = "",
    agree_to_involvement: bool = False,
    agree_to_access_needs: bool = False,
) -> tuple[PanelApplication, bool]:
    """Apply to join ``panel``; returns the application and whether it was made now.

    An application already made (whatever its state, except withdrawn) is returned as it
    is: nothing is added or changed. A withdrawn application can be made again, in the
    same row, so a person who withdrew by mistake is not shut out.

    The access needs are kept on the application only under a current access needs
    consent, or one given on the form (``agree_to_access_needs``); otherwise the
    application is made without them.
    """
    if not can(applicant, "coproduce.apply_to_panel", panel):
        raise Refused("This panel is not taking applications at the moment.")
    if not panel_is_open_for_applications(panel):
        raise Refused(
            "Applications for this panel closed on "
            f"{day_in_words(panel.applications_close_on, weekday=True)}."
        )
    existing = (
        PanelApplication.objects.select_for_update()
        .filter(panel=panel, applicant=applicant)
        .first()
    )
    if existing is not None and existing.status != PanelApplication.Status.WITHDRAWN:
        return existing, False
    if not InvolvementProfile.objects.filter(user=applicant).exists():
        raise Refused("Make your involvement profile before you apply.")
    if not has_current_consent(applicant, ConsentPurpose.INVOLVEMENT):
        if not agree_to_involvement:
            raise Refused("To apply, agree to us keeping your details so that we can involve you.")
        consent_give(user=applicant, purpose=ConsentPurpose.INVOLVEMENT)
    statement = plain_text(statement)
    if not statement:
        raise Refused("Tell us why you would like to join this panel.")
    if len(statement) > STATEMENT_MAX_LENGTH:
        raise Refused(f"Keep what you write to {STATEMENT_MAX_LENGTH} characters or fewer.")
    needs, other, language = [], "", ""
    if access_needs_may_be_kept(applicant, agreeing=agree_to_access_needs):
        needs, other, language = clean_access_needs(
            access_needs=access_needs,
            access_needs_other=access_needs_other,
            interpreter_language=interpreter_language,
        )
    values = {
        "statement": statement,
        "access_needs": needs,
        "access_needs_other": other,
        "interpreter_language": language,
        "status": PanelApplication.Status.PENDING,
        "decision_note": "",
        "decided_by": None,
        "decided_at": None,
    }
    if existing is not None:
        for name, value in values.items():
            setattr(existing, name, value)
        existing.save()
        application = existing
    else:
        try:
            with transaction.atomic():
                application = PanelApplication.objects.create(
                    panel=panel, applicant=applicant, **values
                )
        except IntegrityError:
            # The same form arrived twice at once: the first one made the application.
            return PanelApplication.objects.get(panel=panel, applicant=applicant), False
    log(application, audit_actions.APPLICATION_SUBMIT, user=applicant)
    _email(application, "received")
    return application, True


@transaction.atomic
def application_withdraw(*, application: PanelApplication, user) -> PanelApplication:
    """The applicant withdraws an application still waiting for a decision or on the
    waiting list; withdrawing twice changes nothing."""
    application = PanelApplication.objects.select_for_update().get(pk=application.pk)
    if application.applicant_id != user.pk:
        raise Refused("You can only withdraw your own application.")
    if application.status == PanelApplication.Status.WITHDRAWN:
        return application
    if application.status == PanelApplication.Status.ACCEPTED:
        raise Refused(
            "You are a member of this panel. If you want to leave it, please tell the "
            "person who runs it."
        )
    if application.status not in WITHDRAWABLE:
        raise Refused("This application has been decided, so there is nothing to withdraw.")
    application.status = PanelApplication.Status.WITHDRAWN
    application.save(update_fields=["status", "updated_at"])
    log(application, audit_actions.APPLICATION_WITHDRAW, user=user)
    return application


@transaction.atomic
def application_decide(
    *, application: PanelApplication, user, decision: str, note: str = ""
) -> PanelApplication:
    """A lead of the panel accepts, waitlists or declines an application, with a note.

    Accepting when every seat is taken is refused and changes nothing. The panel's row is
    locked first, so decisions on one panel happen one after another. Sending the same
    decision and note again changes nothing and sends no second email.
    """
    if decision not in DECISIONS:
        raise Refused("Choose whether to accept, put on the waiting list or decline.")
    panel = Panel.objects.select_for_update().get(pk=application.panel_id)
    application = (
        PanelApplication.objects.select_for_update()
        .select_related("applicant")
        .get(pk=application.pk)
    )
    if not can(user, "coproduce.manage_panel", panel):
        raise Refused("Only the people running this panel can decide its applications.")
    if application.applicant_id == user.pk:
        raise Refused("You cannot decide your own application. Ask another lead to decide it.")
    name = _name(application.applicant)
    if application.status == PanelApplication.Status.WITHDRAWN:
        raise Refused(f"{name} withdrew this application, so there is nothing to decide.")
    note = plain_text(note)
    if decision == PanelApplication.Status.DECLINED and not note:
        raise Refused(f"Write a note to {name} saying why, so they understand the decision.")
    if application.status == decision and application.decision_note == note:
        return application
    if decision == PanelApplication.Status.ACCEPTED:
        if panel.status == Panel.Status.CLOSED:
            raise Refused("This panel is closed, so nobody can be accepted onto it.")
        if application.status != PanelApplication.Status.ACCEPTED:
            taken = PanelApplication.objects.filter(
                panel=panel, status=PanelApplication.Status.ACCEPTED
            ).count()
            if taken >= panel.seats:
                seats = (
                    "The only seat on this panel is taken"
                    if panel.seats == 1
                    else f"All {panel.seats} seats on this panel are taken"
                )
                raise Refused(
                    f"{seats}, so {name} cannot be accepted. Add a seat to the panel first, "
                    "or put them on the waiting list."
                )
    application.status = decision
    application.decision_note = note
    application.decided_by = user
    application.decided_at = timezone.now()
    application.save(
        update_fields=["status", "decision_note", "decided_by", "decided_at", "updated_at"]
    )
    log(
        application,
        audit_actions.APPLICATION_DECIDE,
        user=user,
        data={"status": decision, "reason": note},
    )
    _email(application, decision, panel=panel)
    return application


SUBJECTS = {
    "received": "We have your application to join {panel}",
    PanelApplication.Status.ACCEPTED: "You have a place on {panel}",
    PanelApplication.Status.WAITLISTED: "You are on the waiting list for {panel}",
    PanelApplication.Status.DECLINED: "Your application to join {panel}",
}


def _email(application: PanelApplication, kind: str, *, panel: Panel | None = None) -> None:
    """Tell the applicant, in plain English, by the channel they chose (``notify``)."""
    panel = panel or application.panel
    base_url = site_address.site_url()
    context = {
        "name": _name(application.applicant),
        "panel": panel,
        "note": application.decision_note,
        "panel_url": base_url + panel.get_absolute_url(),
        "my_space_url": base_url + reverse("my_space"),
        "involvement_url": base_url + reverse("coproduce:involvement"),
        "panels_url": base_url + reverse("coproduce:panel_list"),
    }
    subject = " ".join(SUBJECTS[kind].format(panel=panel.title).split())
    notify(
        application.applicant,
        "applications",
        subject=subject,
        body=render_to_string(f"coproduce/email/application_{kind}.txt", context),
        panel=panel,
        link=reverse("coproduce:panel_application", kwargs={"slug": panel.slug}),
    )
