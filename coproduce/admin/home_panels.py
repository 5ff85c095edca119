"""What waits on the people who run panels and on finance, on their Wagtail admin home.

Leads and finance met an empty admin home (issue 21). Now each sees, for every kind of work
that waits on them, how many there are, the first few (oldest first, so nothing is left at
the bottom of a pile) and the way to the filtered list holding them all. Every read goes
through the same selectors and ``visible_to`` scoping as those lists, so a lead sees only
their own organisation's and their own panels' records, and finance only approved claims
of their organisation. Each section costs the same few queries with 3 records or 300.
"""

from decimal import Decimal

from django.db.models import Count, DecimalField, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from cms.admin_home import ROWS_SHOWN, Row, Section, WorkPanel, counted, first_and_count
from cms.dates import day_in_words
from cms.permissions import can, visible_to

from ..calendar import meeting_when
from ..models import Feedback, Meeting, PanelApplication
from ..rules import panels_led_by
from ..selectors import claims as claim_selectors
from ..selectors import feedback as feedback_selectors
from .panels import _applications_to_panels_led_by

# --- Engagement leads --------------------------------------------------------------------------


def applications_section(user) -> Section:
    applications = _applications_to_panels_led_by(
        user,
        visible_to(user, PanelApplication).filter(status=PanelApplication.Status.PENDING),
    ).order_by("created_at", "pk")
    first, count = first_and_count(applications)
    return Section(
        heading="Applications",
        count=count,
        count_text=counted(count, "application is", "applications are") + " waiting for a decision",
        none_text="No applications are waiting for a decision.",
        list_url=reverse("panel_applications:index") + "?status=pending",
        list_text="See all applications waiting",
        rows=[
            Row(
                title=application.applicant_name,
                detail=f"{application.panel.title}, applied on "
                f"{day_in_words(application.created_at)}",
                url=reverse("panel_applications:edit", args=[application.pk]),
            )
            for application in first
        ],
    )


def meetings_section(user, *, now) -> Section:
    meetings = (
        visible_to(user, Meeting)
        .filter(
            panel__in=panels_led_by(user).values("pk"),
            ends_at__gt=now,
            status=Meeting.Status.SCHEDULED,
        )
        .select_related("panel")
        .order_by("starts_at", "pk")
    )
    first, count = first_and_count(meetings)
    return Section(
        heading="Next meetings",
        count=count,
        count_text=counted(count, "meeting is", "meetings are") + " coming up",
        none_text="No meetings are planned. Schedule one from the meetings list.",
        list_url=reverse("meetings:index") + "?when=upcoming",
        list_text="See all coming meetings",
        rows=[
            Row(
                title=meeting.title,
                detail=f"{meeting_when(meeting)}, {meeting.panel.title}",
                url=reverse("meetings:inspect", args=[meeting.pk]),
            )
            for meeting in first
        ],
    )


def feedback_section(user) -> Section:
    waiting = (
        feedback_selectors.feedback_moderated_by(user)
        .filter(status=Feedback.Status.NEW)
        .order_by("created_at", "pk")
    )
    first, count = first_and_count(waiting)
    return Section(
        heading="Feedback",
        count=count,
        count_text=counted(count, "piece of new feedback is", "pieces of new feedback are")
        + " waiting for a reply",
        none_text="No new feedback is waiting for a reply.",
        list_url=reverse("feedback:index") + "?status=new",
        list_text="See all new feedback",
        rows=[
            Row(
                title=feedback.offer_title,
                detail=f"{feedback.get_rating_display()}, received on "
                f"{day_in_words(feedback.created_at)}",
                url=reverse("feedback:edit", args=[feedback.pk]),
            )
            for feedback in first
        ],
    )


def _claim_row(claim, *, url: str, when, verb: str) -> Row:
    amount = claim.amount_approved if claim.amount_approved is not None else claim.total
    return Row(
        title=f"{claim.reference}: {claim.member}",
        detail=f"£{amount:,.2f}, {claim.panel.title}, {verb} on {day_in_words(when)}",
        url=url,
    )


def claims_to_approve_section(user) -> Section:
    waiting = (
        claim_selectors.claims_waiting_for_approval(user)
        .select_related("member", "panel")
        .prefetch_related("expenses")
        .order_by("submitted_at", "pk")
    )
    first, count = first_and_count(waiting)
    return Section(
        heading="Claims to approve",
        count=count,
        count_text=counted(count, "claim is", "claims are") + " waiting for your approval",
        none_text="No claims are waiting for your approval.",
        list_url=reverse("claims:index") + "?status=submitted",
        list_text="See all claims waiting for approval",
        rows=[
            _claim_row(
                claim,
                url=reverse("claims:review", args=[claim.pk]),
                when=claim.submitted_at or claim.created_at,
                verb="sent",
            )
            for claim in first
        ],
    )


def lead_work_panel(user, *, now) -> WorkPanel:
    return WorkPanel(
        name="lead_work",
        heading="Your panels",
        order=20,
        sections=[
            applications_section(user),
            meetings_section(user, now=now),
            feedback_section(user),
            claims_to_approve_section(user),
        ],
    )


# --- Finance ------------------------------------------------------------------------------------


def claims_to_pay_section(user) -> Section:
    # Claims already in an open payment run are on their way: count those waiting for one.
    to_pay = claim_selectors.claims_to_pay(user).filter(payment_run__isnull=True)
    totals = to_pay.aggregate(
        count=Count("pk"),
        total=Coalesce(
            Sum("amount_approved"),
            Value(Decimal("0.00")),
            output_field=DecimalField(max_digits=12, decimal_places=2),
        ),
    )
    count = totals["count"]
    first = list(
        claim_selectors.claims_to_pay_listing(user)
        .filter(payment_run__isnull=True)
        .prefetch_related("expenses")[:ROWS_SHOWN]
    )
    total = f"£{Decimal(totals['total']):,.2f}"
    return Section(
        heading="Claims to pay",
        count=count,
        count_text=counted(count, "approved claim is", "approved claims are")
        + f" waiting for a payment run, {total} in all",
        none_text="No approved claims are waiting for a payment run.",
        list_url=reverse("payment_runs:build"),
        list_text="Build a payment run",
        rows=[
            _claim_row(
                claim,
                url=reverse("claims:inspect", args=[claim.pk]),
                when=claim.approved_at or claim.updated_at,
                verb="approved",
            )
            for claim in first
        ],
    )


def finance_work_panel(user) -> WorkPanel:
    return WorkPanel(
        name="finance_work",
        heading="Payments",
        order=21,
        sections=[claims_to_pay_section(user)],
        links=[("See every approved claim", reverse("claims:index") + "?status=approved")],
    )


# --- The hook -----------------------------------------------------------------------------------


def add_home_panels(request, panels):
    """``construct_homepage_panels``: leads' and finance's panels, to those who do that work."""
    user = request.user
    if can(user, "coproduce.manage_panels"):
        panels.append(lead_work_panel(user, now=timezone.now()))
    if can(user, "coproduce.pay_claims"):
        panels.append(finance_work_panel(user))
