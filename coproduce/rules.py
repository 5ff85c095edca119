"""Who may do what in co-production, registered in the shell's one permission registry.

Leads work on their own organisation's panels (or all, with partnership-wide access) and on
panels they facilitate; members see only their own records and their own panels' meetings;
finance sees claims only once they are approved.
"""

from cms.dates import day_in_words
from cms.page_cache import public_only
from cms.permissions import (
    has_role,
    in_organisation_scope,
    is_admin,
    is_staff_member,
    register,
    register_visibility,
    scope_to_organisation,
    sees_whole_partnership,
)
from cms.refusals import ALLOWED, refuse
from cms.roles import Role

# --- Panels --------------------------------------------------------------------------------


def is_lead(user) -> bool:
    return has_role(user, Role.ENGAGEMENT_LEAD, Role.ADMIN)


def leads_panel(user, panel) -> bool:
    """An engagement lead whose organisation runs ``panel``, or who facilitates it."""
    if not is_lead(user) or panel is None:
        return False
    if in_organisation_scope(user, panel.organisation_id):
        return True
    return panel.facilitators.filter(pk=user.pk).exists()


def is_panel_member(user, panel) -> bool:
    if not user.is_authenticated or panel is None:
        return False
    from .models import PanelApplication

    return PanelApplication.objects.filter(
        panel=panel, applicant=user, status=PanelApplication.Status.ACCEPTED
    ).exists()


@register("coproduce.manage_panels")
def _manage_panels(user, obj=None) -> bool:
    """May work with panels in the Wagtail admin at all."""
    return is_lead(user)


@register("coproduce.manage_panel")
def _manage_panel(user, panel=None) -> bool:
    return leads_panel(user, panel)


@register("coproduce.view_panel")
def _view_panel(user, panel=None) -> bool:
    if panel is None:
        return False
    return panel.status != panel.Status.DRAFT or leads_panel(user, panel)


@register("coproduce.keep_profile")
def _keep_profile(user, obj=None) -> bool:
    """Members keep an involvement profile and consents, each only their own."""
    return user.is_authenticated and has_role(user, Role.MEMBER)


@register("coproduce.apply_to_panel")
def _apply_to_panel(user, panel=None) -> bool:
    return (
        panel is not None
        and panel.is_recruiting
        and user.is_authenticated
        and has_role(user, Role.MEMBER)
    )


# --- Meetings and papers ---------------------------------------------------------------------


@register("coproduce.view_meeting")
def _view_meeting(user, meeting=None) -> bool:
    """Members of the panel and the people running it see a meeting, its link and papers."""
    if meeting is None:
        return False
    return leads_panel(user, meeting.panel) or is_panel_member(user, meeting.panel)


@register("coproduce.manage_meeting")
def _manage_meeting(user, meeting=None):
    """Those running the meeting's panel schedule, change and cancel it, keep its papers,
    book access arrangements and record attendance."""
    if meeting is None or not leads_panel(user, meeting.panel):
        return refuse("Only the people running this panel can change its meetings.")
    return ALLOWED


@register("coproduce.reply_to_meeting")
def _reply_to_meeting(user, meeting=None):
    """Members of the panel say whether they are coming (the service decides until when)."""
    if meeting is None or not is_panel_member(user, meeting.panel):
        return refuse("Only members of this panel can reply to its meetings.")
    return ALLOWED


@register("coproduce.view_meetings")
def _view_meetings(user, obj=None) -> bool:
    """Anyone signed in has a meetings page; it lists only the meetings they may see."""
    return user.is_authenticated and user.is_active


def panels_led_by(user):
    """The panels ``user`` runs, as a queryset: the same rule as ``leads_panel``, for
    offering a choice of panel in a form."""
    from django.db.models import Q

    from .models import Panel

    if not is_lead(user):
        return Panel.objects.none()
    if sees_whole_partnership(user):
        return Panel.objects.all()
    return Panel.objects.filter(
        Q(organisation_id=user.organisation_id)
        | Q(pk__in=Panel.objects.filter(facilitators=user).values("pk"))
    )


# --- Claims ----------------------------------------------------------------------------------

FINANCE_STATUSES = ("approved", "paid")


def _finance_sees(user, claim) -> bool:
    return (
        has_role(user, Role.FINANCE)
        and claim.status in FINANCE_STATUSES
        and in_organisation_scope(user, claim.panel.organisation_id)
    )


@register("coproduce.view_claim")
def _view_claim(user, claim=None) -> bool:
    if claim is None or not user.is_authenticated:
        return False
    return (
        claim.member_id == user.pk
        or leads_panel(user, claim.panel)
        or _finance_sees(user, claim)
        or is_admin(user)
    )


@register("coproduce.edit_claim")
def _edit_claim(user, claim=None):
    """The member checks their own claim and adds expenses while it is with them."""
    if claim is None or not user.is_authenticated or claim.member_id != user.pk:
        return refuse("You can only change your own claims.")
    if not claim.is_editable_by_member:
        return refuse(
            {
                claim.Status.SUBMITTED: "You have already sent this claim. It is waiting for "
                "approval.",
                claim.Status.APPROVED: "This claim has been approved, so it cannot be changed now.",
                claim.Status.PAID: "This claim has been paid, so it cannot be changed now.",
            }.get(claim.status, "This claim cannot be changed now.")
        )
    return ALLOWED


@register("coproduce.approve_claim")
def _approve_claim(user, claim=None):
    """A lead of the panel approves or returns a submitted claim, never their own."""
    if claim is None:
        return refuse("This claim is not waiting for approval.")
    if claim.member_id == user.pk:
        return refuse("You cannot approve or return your own claim. Ask another lead of the panel.")
    if not leads_panel(user, claim.panel):
        return refuse("Only a lead of this panel can approve or return its claims.")
    if claim.status == claim.Status.SUBMITTED:
        return ALLOWED
    if claim.status == claim.Status.APPROVED and claim.approved_at:
        return refuse(
            f"This claim was already approved on {day_in_words(claim.approved_at, weekday=True)}."
        )
    return refuse(
        {
            claim.Status.DRAFT: "The member has not sent this claim yet.",
            claim.Status.RETURNED: "This claim was returned to the member and has not been "
            "sent again.",
            claim.Status.PAID: "This claim has already been paid.",
        }.get(claim.status, "This claim is not waiting for approval.")
    )


@register("coproduce.pay_claims")
def _pay_claims(user, obj=None) -> bool:
    return has_role(user, Role.FINANCE, Role.ADMIN)


@register("coproduce.pay_claim")
def _pay_claim(user, claim=None):
    """Finance for the panel's organisation (or an administrator) pays an approved claim,
    never their own."""
    if claim is None:
        return refuse("This claim has not been approved yet, so it cannot be paid.")
    if claim.status == claim.Status.PAID:
        return refuse(
            f"This claim was already marked paid on {day_in_words(claim.paid_at, weekday=True)}."
        )
    if claim.member_id == user.pk:
        return refuse("You cannot mark your own claim paid. Ask someone else in finance.")
    if claim.status != claim.Status.APPROVED:
        return refuse("This claim has not been approved yet, so it cannot be paid.")
    if not (_finance_sees(user, claim) or is_admin(user)):
        return refuse("Only finance staff for this organisation can mark its claims paid.")
    return ALLOWED


@register("coproduce.manage_payment_runs")
def _manage_payment_runs(user, organisation=None) -> bool:
    """Finance (or an administrator) builds, downloads, pays and cancels the payment runs
    of an organisation in their scope. ``organisation`` is an Organisation or a run; with
    none: whether the person works with payment runs at all."""
    if not user.is_authenticated or not has_role(user, Role.FINANCE, Role.ADMIN):
        return False
    if organisation is None or is_admin(user):
        return True
    return in_organisation_scope(user, getattr(organisation, "organisation_id", organisation.pk))


@register("coproduce.set_payment_policy")
def _set_payment_policy(user, organisation=None):
    """Finance of an organisation (or an administrator) sets its mileage rate and when an
    unpaid claim is flagged. With no organisation: whether the person sets any at all."""
    if not user.is_authenticated or not has_role(user, Role.FINANCE, Role.ADMIN):
        return refuse("Only finance staff and administrators can change the payment policy.")
    if organisation is None or in_organisation_scope(user, organisation.pk):
        return ALLOWED
    return refuse("You can only change the payment policy of your own organisation.")


@register("coproduce.list_own_claims")
def _list_own_claims(user, obj=None) -> bool:
    """Anyone signed in has a "Your claims" page: staff may take part as members too."""
    return user.is_authenticated and user.is_active


@register("coproduce.download_remittance")
def _download_remittance(user, claim=None) -> bool:
    """The remittance advice is the member's own record of a payment, once it is made."""
    return (
        claim is not None
        and user.is_authenticated
        and claim.member_id == user.pk
        and claim.status == claim.Status.PAID
    )


# --- Payee details (bank details) ------------------------------------------------------------


@register("coproduce.manage_payees")
def _manage_payees(user, obj=None) -> bool:
    """Finance (and administrators) keep the bank details of the members they pay."""
    return has_role(user, Role.FINANCE, Role.ADMIN)


@register("coproduce.read_payee_details")
def _read_payee_details(user, member=None):
    """Finance of an organisation the member has a claim with (or an administrator) may
    read a member's bank details in full; nobody else, not even the member, who replaces
    them instead."""
    from .services.payees import finance_may_pay

    if member is None or not finance_may_pay(user, [member.pk]):
        return refuse(
            "Only finance staff of an organisation this member has claims with can see "
            "their bank details."
        )
    return ALLOWED


@register("coproduce.enter_payee_details")
def _enter_payee_details(user, member=None):
    """Finance types in a member's bank details from a form the member sent; their own
    details they enter in My space like any member."""
    if member is not None and member.pk == user.pk:
        return refuse('Enter your own bank details on the "How you are paid" page.')
    return _read_payee_details(user, member)


# --- Messages to the panel's lead or finance ------------------------------------------------


def answers_conversation(user, conversation) -> bool:
    """Staff who answer ``conversation``: for "the panel's lead", the panel's facilitators
    (the organisation's leads when the panel has none, so no message goes unread); for
    finance, finance staff of the organisation; admins answer every conversation."""
    if conversation is None or not user.is_authenticated:
        return False
    if is_admin(user):
        return True
    if conversation.to == "finance":
        return has_role(user, Role.FINANCE) and in_organisation_scope(
            user, conversation.organisation_id
        )
    if not is_lead(user):
        return False
    panel = conversation.panel
    if panel is not None and panel.facilitators.exists():
        return panel.facilitators.filter(pk=user.pk).exists()
    return in_organisation_scope(user, conversation.organisation_id)


def conversations_answered_by(user):
    """The same rule as ``answers_conversation``, as a filter for lists and counts."""
    from django.db.models import Q

    from .models import Panel

    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if is_admin(user):
        return Q(pk__isnull=False)
    rule = Q(pk__in=[])
    whole = sees_whole_partnership(user)
    in_scope = Q(pk__isnull=False) if whole else Q(organisation_id=user.organisation_id)
    if has_role(user, Role.FINANCE) and (whole or user.organisation_id):
        rule |= Q(to="finance") & in_scope
    if is_lead(user):
        facilitated = Panel.objects.filter(facilitators=user).values("pk")
        with_facilitators = Panel.objects.filter(facilitators__isnull=False).values("pk")
        nobody_facilitates = Q(panel__isnull=True) | ~Q(panel__in=with_facilitators)
        unowned = nobody_facilitates & in_scope if (whole or user.organisation_id) else Q(pk__in=[])
        rule |= Q(to="lead") & (Q(panel__in=facilitated) | unowned)
    return rule


@register("coproduce.message_about_claim")
def _message_about_claim(user, claim=None):
    """A member writes to the panel's lead or finance about their own claim."""
    if claim is None or not user.is_authenticated or claim.member_id != user.pk:
        return refuse("You can only send a message about your own claims.")
    return ALLOWED


@register("coproduce.message_about_meeting")
def _message_about_meeting(user, meeting=None):
    """A member of the panel writes to its lead about one of its meetings."""
    if meeting is None or not is_panel_member(user, meeting.panel):
        return refuse("Only members of this panel can send its lead a message from here.")
    return ALLOWED


@register("coproduce.list_own_conversations")
def _list_own_conversations(user, obj=None) -> bool:
    """Anyone signed in has a "Your messages" page: staff may take part as members too."""
    return user.is_authenticated and user.is_active


@register("coproduce.reply_to_conversation")
def _reply_to_conversation(user, conversation=None):
    """The member writes again in their own conversation (a closed one opens again)."""
    if conversation is None or not user.is_authenticated or conversation.member_id != user.pk:
        return refuse("You can only reply to your own messages.")
    return ALLOWED


@register("coproduce.answer_messages")
def _answer_messages(user, obj=None) -> bool:
    """Leads, finance and admins have an inbox of members' messages in the admin."""
    return has_role(user, Role.ENGAGEMENT_LEAD, Role.FINANCE, Role.ADMIN)


@register("coproduce.answer_conversation")
def _answer_conversation(user, conversation=None):
    if conversation is not None and conversation.member_id == user.pk:
        return refuse("This is your own message: another member of staff must answer it.")
    if not answers_conversation(user, conversation):
        return refuse("Only the staff this message was sent to can answer it.")
    return ALLOWED


@register("coproduce.close_conversation")
def _close_conversation(user, conversation=None):
    """The staff who answer a conversation close it when nothing more is needed."""
    answering = _answer_conversation(user, conversation)
    if not answering:
        return answering
    if conversation.closed_at is not None:
        return refuse(
            f"This conversation was already closed on {day_in_words(conversation.closed_at)}."
        )
    return ALLOWED


# --- Impact reports --------------------------------------------------------------------------


@register("coproduce.request_impact_report")
def _request_impact_report(user, subject=None) -> bool:
    """Leads report on their own organisation's panels, one or all; admins and leads with
    partnership-wide access on any organisation's. ``subject`` is a Panel or an
    Organisation; None asks whether the person may ask for impact reports at all."""
    if not is_lead(user):
        return False
    if subject is None:
        return True
    return in_organisation_scope(user, getattr(subject, "organisation_id", subject.pk))


# --- Feedback on offers ----------------------------------------------------------------------


@register("coproduce.give_feedback")
def _give_feedback(user, offer=None) -> bool:
    """Anyone, with or without an account, may give feedback on a listed offer."""
    return offer is not None and offer.live


@register("coproduce.read_published_feedback")
def _read_published_feedback(user, offer=None) -> bool:
    """What people said about a listed offer, once moderated, is public."""
    return offer is not None and offer.live


@register("coproduce.give_feedback_on_behalf")
def _give_feedback_on_behalf(user, obj=None) -> bool:
    """Peer workers write feedback down for the people they support."""
    return has_role(user, Role.PEER_WORKER)


@register("coproduce.list_own_feedback")
def _list_own_feedback(user, obj=None) -> bool:
    return user.is_authenticated and user.is_active


@register("coproduce.moderate_feedback")
def _moderate_feedback(user, feedback=None) -> bool:
    """Leads of the organisation providing the offer (partnership-wide: every one). With no
    feedback given: whether the person moderates feedback at all."""
    if not is_lead(user):
        return False
    return feedback is None or in_organisation_scope(user, feedback.organisation_id)


@register("coproduce.view_feedback_trends")
def _view_feedback_trends(user, obj=None) -> bool:
    return is_lead(user)


# --- Service changes ("You said, we did") ----------------------------------------------------


@register("coproduce.sign_off_service_change")
def _sign_off_service_change(user, panel=None) -> bool:
    """The facilitator of the panel that co-produced a change signs it off for the panel;
    a change no panel worked on is approved by an editor. Admins may do either."""
    if not user.is_authenticated or not user.is_active:
        return False
    if is_admin(user):
        return True
    if panel is None:
        return has_role(user, Role.EDITOR)
    return panel.facilitators.filter(pk=user.pk).exists()


def drafted_change(user, page) -> bool:
    """Did ``user`` submit ``page`` for sign-off, or write the version sent to sign-off (a
    revision saved since it was last published, up to the one under review)? Changes a
    reviewer saves while signing off (Wagtail's editor saves the form it signs off from)
    do not make them its author."""
    if not user.is_authenticated or page is None or page.pk is None:
        return False
    state = page.current_workflow_state
    if state is not None and state.requested_by_id == user.pk:
        return True
    revisions = page.revisions.filter(user=user)
    if page.live_revision_id is not None:
        revisions = revisions.filter(pk__gt=page.live_revision_id)
    task_state = state.current_task_state if state is not None else None
    if task_state is not None and task_state.revision_id is not None:
        revisions = revisions.filter(pk__lte=task_state.revision_id)
    return revisions.exists()


def sign_off_refusal(user, page, panel) -> str | None:
    """Why ``user`` may not sign ``page`` off for ``panel`` (the panel of the version under
    review), or None when they may. Whoever drafted a panel's change never signs it off
    for the panel, facilitator and admin alike: a second person always checks it."""
    if not _sign_off_service_change(user, panel):
        if panel is None:
            return "Only an editor can approve a change no panel worked on."
        return f"Only a facilitator of {panel.title} can sign this change off."
    if panel is not None and drafted_change(user, page):
        return (
            "You wrote this change, so another facilitator of the panel must sign it off "
            "for the panel."
        )
    return None


def submission_refusal(user, panel) -> str | None:
    """Why a change ``user`` writes for ``panel`` cannot be submitted for sign-off yet
    (nobody but its author could sign it off), or None when it can."""
    if panel is None:
        return None
    others = panel.facilitators.filter(is_active=True)
    if not others.exists():
        return (
            f"Nobody can sign this change off: {panel.title} has no facilitator. Add "
            "a facilitator to the panel first, then submit the change again."
        )
    if user is not None and not others.exclude(pk=user.pk).exists():
        return (
            f"You wrote this change, so another facilitator of {panel.title} must sign it "
            "off, and the panel has no other. Add a facilitator to the panel first, then "
            "submit the change again."
        )
    return None


@register("coproduce.view_change_draft")
def _view_change_draft(user, panel=None):
    """The draft of a change waiting for its panel's sign-off (``panel`` is the panel of
    the version under review): its members read it, and so do the staff of the
    organisation that runs the panel and its facilitators. Nobody else."""
    if panel is None or not user.is_authenticated or not user.is_active:
        return refuse("Only the members of the panel that worked on a change can read its draft.")
    if is_panel_member(user, panel) or leads_panel(user, panel):
        return ALLOWED
    if is_staff_member(user) and in_organisation_scope(user, panel.organisation_id):
        return ALLOWED
    return refuse(f"Only the members of {panel.title} can read this draft.")


@register("coproduce.answer_change_draft")
def _answer_change_draft(user, panel=None):
    """Only members of the panel that worked on a change sign it off for the panel: staff
    may read the draft, but the answer is the panel's."""
    if panel is not None and is_panel_member(user, panel):
        return ALLOWED
    if panel is None:
        return refuse("No panel is asked to sign this change off.")
    return refuse(f"Only the members of {panel.title} can answer for the panel.")


@register("coproduce.publish_service_change_directly")
def _publish_service_change_directly(user, panel=None) -> bool:
    """Publishing without the sign-off workflow, for those Wagtail lets publish: only a
    change no panel worked on (or by an admin). A panel's change is published by its
    facilitator signing it off. (Wagtail's own publish permission still applies on top.)"""
    return user.is_authenticated and (panel is None or is_admin(user))


# --- Calls and letters to members (coproduce/notices.py) -------------------------------------


@register("coproduce.view_contact_tasks")
def _view_contact_tasks(user, obj=None) -> bool:
    """Leads have a list of members to call or write to."""
    return is_lead(user)


@register("coproduce.work_on_contact_task")
def _work_on_contact_task(user, task=None) -> bool:
    """The leads of the task's organisation (partnership-wide: all), or of its panel."""
    if task is None or not is_lead(user):
        return False
    return in_organisation_scope(user, task.organisation_id) or leads_panel(user, task.panel)


# --- What each person sees in lists, exports and counts --------------------------------------


def register_coproduce_visibility() -> None:
    """Called from CoproduceConfig.ready, once models can be imported.

    Each rule is one filter of subqueries (no joins), so lists stay free of duplicates and
    can be combined, counted and paginated without ``distinct()``.
    """
    from django.db.models import Q

    from .models import (
        Attendance,
        ConsentRecord,
        Expense,
        Feedback,
        InvolvementClaim,
        InvolvementProfile,
        Meeting,
        MeetingPaper,
        Panel,
        PanelApplication,
        PaymentRun,
    )

    nothing = Q(pk__in=[])
    # Not Q(): an empty Q drops out of an OR ("mine | everything" would become "mine").
    everything = Q(pk__isnull=False)

    def led(user, panel: str) -> Q:
        """Records of panels the user leads; ``panel`` is the path to the panel's id."""
        if not is_lead(user):
            return nothing
        if sees_whole_partnership(user):
            return everything
        return Q(**{f"{panel}__in": panels_led_by(user).values("pk")})

    def member_of(user, panel: str) -> Q:
        accepted = PanelApplication.objects.filter(
            applicant=user, status=PanelApplication.Status.ACCEPTED
        ).values("panel_id")
        return Q(**{f"{panel}__in": accepted})

    def signed_in(rule):
        def visible(user, queryset):
            if not user.is_authenticated or not user.is_active:
                return queryset.none()
            return queryset.filter(rule(user))

        return visible

    register_visibility(Panel)(
        lambda user, queryset: queryset.filter(
            ~Q(status=Panel.Status.DRAFT) | (led(user, "pk") if user.is_authenticated else nothing)
        )
    )
    register_visibility(PanelApplication)(
        signed_in(lambda user: Q(applicant=user) | led(user, "panel"))
    )
    register_visibility(Meeting)(
        signed_in(lambda user: member_of(user, "panel") | led(user, "panel"))
    )
    register_visibility(MeetingPaper)(
        signed_in(lambda user: member_of(user, "meeting__panel") | led(user, "meeting__panel"))
    )
    register_visibility(Attendance)(
        signed_in(lambda user: Q(member=user) | led(user, "meeting__panel"))
    )

    def claims_rule(user) -> Q:
        rule = Q(member=user) | led(user, "panel")
        if has_role(user, Role.FINANCE):
            in_scope = (
                Q()
                if sees_whole_partnership(user)
                else Q(
                    panel__in=Panel.objects.filter(organisation_id=user.organisation_id).values(
                        "pk"
                    )
                )
            )
            rule |= Q(status__in=FINANCE_STATUSES) & in_scope
        return rule

    register_visibility(InvolvementClaim)(signed_in(claims_rule))
    # Payment runs: finance (and admins) of the organisation, nobody else.
    register_visibility(PaymentRun)(
        lambda user, queryset: (
            scope_to_organisation(user, queryset) if _manage_payment_runs(user) else queryset.none()
        )
    )
    register_visibility(Expense)(
        signed_in(
            lambda user: Q(
                claim__in=InvolvementClaim.objects.filter(claims_rule(user)).values("pk")
            )
        )
    )
    # Profiles and consent are private to their owner; leads see what applicants chose to
    # share on their applications.
    register_visibility(InvolvementProfile)(signed_in(lambda user: Q(user=user)))
    register_visibility(ConsentRecord)(signed_in(lambda user: Q(user=user)))

    from .models import ContactTask

    def contact_tasks_rule(user) -> Q:
        if not is_lead(user):
            return nothing
        if sees_whole_partnership(user):
            return everything
        return Q(organisation_id=user.organisation_id) | led(user, "panel")

    register_visibility(ContactTask)(signed_in(contact_tasks_rule))

    def feedback_rule(user) -> Q:
        """Members see their own feedback; leads their organisation's (partnership-wide:
        all). Peer workers who wrote feedback down for someone do not see it afterwards."""
        rule = Q(author=user)
        if is_lead(user):
            if sees_whole_partnership(user):
                return everything
            if user.organisation_id:
                rule |= Q(organisation_id=user.organisation_id)
        return rule

    register_visibility(Feedback)(signed_in(feedback_rule))

    from .models import Conversation, ConversationMessage

    def conversations_rule(user) -> Q:
        """A member's own conversations, and those the person answers as staff."""
        return Q(member=user) | conversations_answered_by(user)

    register_visibility(Conversation)(signed_in(conversations_rule))
    register_visibility(ConversationMessage)(
        signed_in(
            lambda user: Q(
                conversation__in=Conversation.objects.filter(conversations_rule(user)).values("pk")
            )
        )
    )

    from .models import ServiceChangePage

    # Service changes are public pages: everyone sees the published ones that are not
    # private; drafts are seen only in the Wagtail admin, by its page permissions.
    register_visibility(ServiceChangePage)(lambda user, queryset: public_only(queryset.live()))
