"""Each computed measure on hand-built data with a known answer."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from charter.calculations import (
    CalculationUnavailable,
    calculation_names,
    get_calculation,
    percent,
)
from cms.working_days import working_days_between
from coproduce.choices import CoproductionLevel
from coproduce.models import Feedback, InvolvementClaim, ServiceChangePage
from peers.factories import (
    JobApplicationFactory,
    PeerWorkerFactory,
    ProgressionReviewFactory,
    SupervisionFactory,
    VacancyFactory,
)
from peers.models import JobApplication, ProgressionReview
from tests.factories import (
    FeedbackFactory,
    InvolvementClaimFactory,
    OfferPageFactory,
    OrganisationFactory,
    PanelFactory,
    ServiceChangePageFactory,
)

LONDON = ZoneInfo("Europe/London")
START, END = date(2026, 1, 1), date(2026, 3, 31)
NOW = datetime(2026, 4, 20, 12, tzinfo=LONDON)


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=LONDON)


def run(name: str, organisation, start=START, end=END):
    return get_calculation(name)(organisation_ids=[organisation.pk], start=start, end=end)


def test_every_calculation_has_a_definition_for_hr():
    for name in calculation_names():
        assert len(get_calculation(name).definition) > 40, name


def test_a_share_is_a_percentage_to_one_place_and_none_when_nothing_was_counted():
    assert percent(2, 3).value == Decimal("66.7")
    assert percent(0, 0).value is None


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (date(2026, 4, 17), date(2026, 4, 20), 1),  # Friday to Monday
        (date(2026, 4, 2), date(2026, 4, 7), 1),  # over Easter: Good Friday, Easter Monday
        (date(2026, 12, 24), date(2026, 12, 29), 1),  # Christmas, with Boxing Day moved
        (date(2026, 1, 5), date(2026, 1, 5), 0),
    ],
)
def test_working_days_leave_out_weekends_and_bank_holidays(start, end, days):
    assert working_days_between(start, end) == days


def _claim(panel, submitted: date, paid: date | None):
    claim = InvolvementClaimFactory(attendance__meeting__panel=panel, submitted=True)
    status = InvolvementClaim.Status.PAID if paid else InvolvementClaim.Status.SUBMITTED
    InvolvementClaim.objects.filter(pk=claim.pk).update(
        submitted_at=at(submitted),
        paid_at=at(paid) if paid else None,
        amount_approved=Decimal("30") if paid else None,
        status=status,
    )


@pytest.mark.django_db
def test_panel_members_paid_within_30_days():
    organisation = OrganisationFactory()
    panel = PanelFactory(organisation=organisation)
    _claim(panel, date(2026, 1, 5), date(2026, 1, 20))  # 15 days: on time
    _claim(panel, date(2026, 2, 1), date(2026, 3, 3))  # 30 days: on time
    _claim(panel, date(2026, 2, 1), date(2026, 3, 10))  # 37 days: late
    _claim(panel, date(2026, 1, 10), None)  # unpaid after 100 days: late
    _claim(panel, date(2026, 3, 30), None)  # unpaid, 21 days so far: not counted yet
    _claim(panel, date(2025, 12, 20), date(2025, 12, 22))  # submitted before the period
    _claim(PanelFactory(), date(2026, 1, 5), date(2026, 1, 6))  # another organisation's
    with time_machine.travel(NOW, tick=False):
        result = run("panel_members_paid_within_30_days", organisation)
    assert (result.numerator, result.denominator, result.value) == (2, 4, Decimal("50.0"))


def _feedback(offer, received: date, answered: date | None, **kwargs):
    feedback = FeedbackFactory(offer=offer, **kwargs)
    Feedback.objects.filter(pk=feedback.pk).update(
        created_at=at(received), responded_at=at(answered) if answered else None
    )


@pytest.mark.django_db
def test_feedback_answered_within_20_working_days():
    organisation = OrganisationFactory()
    offer = OfferPageFactory(provider=organisation)
    # 2 March 2026 (Monday) + 20 working days = 30 March.
    _feedback(offer, date(2026, 3, 2), date(2026, 3, 30))  # 20 working days: on time
    _feedback(offer, date(2026, 3, 2), date(2026, 3, 31))  # 21: late
    # Received Thursday 26 March; 20 working days later is 27 April, after Easter's two
    # bank holidays, so 24 April is on time although 29 calendar days have passed.
    _feedback(offer, date(2026, 3, 26), date(2026, 4, 24))
    _feedback(offer, date(2026, 1, 5), None)  # never answered: late
    _feedback(offer, date(2026, 3, 30), None)  # 15 working days so far: not counted yet
    _feedback(offer, date(2026, 1, 6), None, hidden=True)  # spam: not counted
    _feedback(OfferPageFactory(), date(2026, 1, 6), date(2026, 1, 7))  # another's offer
    with time_machine.travel(NOW, tick=False):
        result = run("feedback_answered_within_20_working_days", organisation)
    assert (result.numerator, result.denominator, result.value) == (2, 4, Decimal("50.0"))


def _change(published: date, **kwargs):
    page = ServiceChangePageFactory(**kwargs)
    ServiceChangePage.objects.filter(pk=page.pk).update(first_published_at=at(published))
    return page


@pytest.mark.django_db
def test_changes_coproduced_at_co_design_or_higher():
    organisation = OrganisationFactory()
    co_design_panel = PanelFactory(
        organisation=organisation, coproduction_level=CoproductionLevel.CO_DESIGN
    )
    consulting_panel = PanelFactory(
        organisation=organisation, coproduction_level=CoproductionLevel.CONSULTATION
    )
    _change(date(2026, 1, 10), panel=co_design_panel)  # takes the panel's level: counts
    _change(
        date(2026, 2, 10),
        panel=consulting_panel,
        coproduction_level=CoproductionLevel.CO_PRODUCTION,  # its own level wins: counts
    )
    _change(date(2026, 2, 11), panel=consulting_panel)  # consultation: does not count
    _change(date(2026, 3, 1), offers=[OfferPageFactory(provider=organisation)])  # no level
    _change(date(2025, 12, 1), panel=co_design_panel)  # before the period
    _change(date(2026, 1, 10), panel=PanelFactory())  # another organisation's
    result = run("changes_coproduced_at_co_design_or_higher", organisation)
    assert (result.numerator, result.denominator, result.value) == (2, 4, Decimal("50.0"))


@pytest.mark.django_db
def test_a_period_with_nothing_to_count_has_no_value():
    result = run("changes_coproduced_at_co_design_or_higher", OrganisationFactory())
    assert result.value is None and result.denominator == 0


def test_an_unknown_calculation_is_refused_clearly():
    with pytest.raises(CalculationUnavailable, match="no calculation called"):
        get_calculation("bus_journeys")


# --- Peer work's figures ------------------------------------------------------------------------


def _hire(vacancy, *, applied: date, interviewed: date, started: date, lived=True, panel=True):
    return JobApplicationFactory(
        vacancy=vacancy,
        stage=JobApplication.Stage.STARTED,
        applied_at=at(applied),
        shortlisted_on=applied,
        interview_at=at(interviewed),
        interview_panel_has_lived_experience=panel,
        offered_on=started - timedelta(days=20),
        checks_started_on=started - timedelta(days=20),
        started_on=started,
        has_lived_experience=lived,
    )


@pytest.mark.django_db
def test_peer_recruitment_measures():
    organisation = OrganisationFactory()
    vacancy = VacancyFactory(organisation=organisation, closing_date=date(2025, 11, 30))
    # 60, 100 and 40 days from applying to starting: the median is 60.
    _hire(
        vacancy, applied=date(2025, 12, 1), interviewed=date(2026, 1, 5), started=date(2026, 1, 30)
    )
    _hire(
        vacancy,
        applied=date(2025, 12, 10),
        interviewed=date(2026, 1, 6),
        started=date(2026, 3, 20),
        lived=False,
        panel=False,
    )
    _hire(
        vacancy, applied=date(2026, 1, 5), interviewed=date(2026, 1, 7), started=date(2026, 2, 14)
    )
    JobApplicationFactory(  # interviewed with a lived-experience panel member, not appointed
        vacancy=vacancy,
        stage=JobApplication.Stage.UNSUCCESSFUL,
        applied_at=at(date(2025, 12, 2)),
        interview_at=at(date(2026, 1, 5)),
        interview_panel_has_lived_experience=True,
    )
    # Started after the period, and another organisation's hire: neither counts.
    _hire(vacancy, applied=date(2026, 2, 1), interviewed=date(2026, 2, 9), started=date(2026, 4, 6))
    theirs = VacancyFactory(closing_date=date(2025, 11, 30))
    _hire(theirs, applied=date(2026, 1, 1), interviewed=date(2026, 1, 8), started=date(2026, 3, 1))

    assert run("time_to_hire_days", organisation).value == Decimal("60.0")
    filled = run("roles_filled_by_lived_experience", organisation)
    assert (filled.numerator, filled.denominator, filled.value) == (2, 3, Decimal("66.7"))
    # Interviews held in the period: the three hires, the unsuccessful candidate and the one
    # who started later (interviewed 9 February): 4 of 5 with lived experience.
    panels = run("interviews_with_lived_experience", organisation)
    assert (panels.numerator, panels.denominator, panels.value) == (4, 5, Decimal("80.0"))


@pytest.mark.django_db
def test_twelve_month_retention_at_the_end_of_the_period():
    organisation = OrganisationFactory()

    def worker(start: date, left_on: date | None = None):
        left = {"left": True, "left_on": left_on} if left_on else {}
        PeerWorkerFactory(organisation=organisation, start_date=start, supervisors=[], **left)

    # The cohort started 31 March 2024 to 31 March 2025 (12 to 24 months before 31 March 2026).
    worker(date(2024, 6, 1))  # still here: retained
    worker(date(2024, 9, 1), left_on=date(2025, 3, 1))  # left after 6 months
    worker(date(2025, 3, 31))  # started on the cohort's last day, still here: retained
    worker(date(2025, 4, 1))  # too recent to have had a year
    PeerWorkerFactory(start_date=date(2024, 6, 1), supervisors=[])  # another organisation's
    result = run("twelve_month_retention", organisation)
    assert (result.numerator, result.denominator, result.value) == (2, 3, Decimal("66.7"))


@pytest.mark.django_db
def test_progressions_count_the_decisions_to_progress_in_the_period():
    organisation = OrganisationFactory()
    Decision = ProgressionReview.Decision
    for day, decision in [
        (date(2026, 1, 15), Decision.PROGRESS),
        (date(2026, 3, 31), Decision.PROGRESS),
        (date(2026, 2, 1), Decision.NOT_YET),  # not a progression
        (date(2025, 12, 31), Decision.PROGRESS),  # before the period
    ]:
        worker = PeerWorkerFactory(organisation=organisation)
        ProgressionReviewFactory(worker=worker, date=day, decision=decision)
    ProgressionReviewFactory(date=date(2026, 2, 1))  # another organisation's
    result = run("progressions", organisation)
    assert result.value == Decimal("2")


@pytest.mark.django_db
def test_supervision_compliance_on_the_last_day_of_the_period():
    organisation = OrganisationFactory()
    for last_supervised in [date(2026, 3, 20), date(2026, 3, 10), date(2026, 2, 1)]:
        worker = PeerWorkerFactory(
            organisation=organisation, start_date=date(2025, 1, 1), supervision_every_days=28
        )
        SupervisionFactory(worker=worker, date=last_supervised)  # 2026-02-01: overdue by 31 March
    PeerWorkerFactory(organisation=organisation, on_leave=True)  # on leave: not counted
    PeerWorkerFactory(start_date=date(2025, 1, 1))  # another organisation's, never supervised
    result = run("supervision_compliance", organisation)
    assert (result.numerator, result.denominator, result.value) == (2, 3, Decimal("66.7"))
