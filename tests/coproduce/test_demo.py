"""The co-production demo: panels in every state, 60+ members with varied access needs,
past and future meetings, and claims at every stage, loaded once."""

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from coproduce.models import (
    AccessArrangement,
    Expense,
    InvolvementClaim,
    InvolvementProfile,
    Meeting,
    MeetingPaper,
    Panel,
    PanelApplication,
    PaymentRun,
)
from tests.conftest import kept_for_the_class

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    """One load (the whole demo takes seconds) for the tests of the class."""
    with kept_for_the_class(django_db_blocker):
        with override_settings(DEBUG=True):
            call_command("load_demo")
        yield


def _the_demo_has_panels_in_every_state():
    assert set(Panel.objects.values_list("status", flat=True)) == set(Panel.Status.values)


def _the_demo_has_sixty_members_with_varied_access_needs():
    profiles = list(InvolvementProfile.objects.all())
    assert len(profiles) >= 60
    needs = {need for profile in profiles for need in profile.access_needs}
    assert len(needs) >= 6
    assert {profile.payment_choice for profile in profiles} == {"paid", "voucher", "not_paid"}


def _the_demo_has_past_and_future_meetings_with_papers_and_arrangements():
    now = timezone.now()
    assert Meeting.objects.filter(starts_at__lt=now).exists()
    assert Meeting.objects.filter(starts_at__gt=now, status="scheduled").exists()
    assert Meeting.objects.filter(status="cancelled").exists()
    assert MeetingPaper.objects.exists()
    assert AccessArrangement.objects.filter(status="needed").exists()
    assert AccessArrangement.objects.filter(status="booked").exists()


def _the_demo_has_applications_and_claims_at_every_stage():
    assert set(PanelApplication.objects.values_list("status", flat=True)) >= {
        "pending",
        "accepted",
        "waitlisted",
        "declined",
    }
    assert set(InvolvementClaim.objects.values_list("status", flat=True)) == set(
        InvolvementClaim.Status.values
    )
    assert Expense.objects.exists()


def _paid_demo_claims_were_paid_the_amount_approved():
    for claim in InvolvementClaim.objects.filter(status="paid").prefetch_related("expenses"):
        assert claim.amount_approved == claim.total
        # Coherent dates: nothing approved before it was sent or paid before it was approved.
        # Some of the charter's two years of history are paid late on purpose: the "paid
        # within 30 days" measure is computed from them.
        assert claim.submitted_at <= claim.approved_at <= claim.paid_at


def _the_demo_has_a_paid_and_an_open_payment_run_with_coherent_dates():
    paid = PaymentRun.objects.get(status="paid")
    assert paid.created_at < paid.bank_file_downloaded_at < paid.marked_paid_at
    assert timezone.localdate(paid.created_at) <= paid.paid_on < timezone.localdate()
    claims = list(paid.claims.all())
    assert claims
    for claim in claims:
        assert claim.status == "paid" and claim.payment_reference == paid.reference
        assert claim.approved_at <= paid.created_at
        assert timezone.localdate(claim.paid_at) == paid.paid_on
    open_run = PaymentRun.objects.get(status="open")
    assert open_run.created_at <= timezone.now()
    for claim in open_run.claims.all():
        assert claim.status == "approved" and claim.approved_at <= open_run.created_at
    # The run builder still has claims to show.
    waiting = InvolvementClaim.objects.filter(status="approved", payment_run=None)
    assert waiting.filter(panel__organisation=paid.organisation).exists()


def _the_demo_member_is_on_a_panel_and_waiting_to_hear_from_another():
    sam = PanelApplication.objects.filter(applicant__email="member@example.org")
    assert set(sam.values_list("status", flat=True)) == {"accepted", "pending"}


@pytest.mark.usefixtures("demo")
class TestTheLoadedDemo:
    def test_the_demo_shows_co_production_at_every_stage(self):
        """One load (the whole demo takes seconds), every claim the demo makes."""
        _the_demo_has_panels_in_every_state()
        _the_demo_has_sixty_members_with_varied_access_needs()
        _the_demo_has_past_and_future_meetings_with_papers_and_arrangements()
        _the_demo_has_applications_and_claims_at_every_stage()
        _paid_demo_claims_were_paid_the_amount_approved()
        _the_demo_has_a_paid_and_an_open_payment_run_with_coherent_dates()
        _the_demo_member_is_on_a_panel_and_waiting_to_hear_from_another()

    def test_loading_the_demo_again_adds_nothing(self, settings):
        counts = (Panel.objects.count(), InvolvementClaim.objects.count(), Meeting.objects.count())
        settings.DEBUG = True
        call_command("load_demo")
        assert (
            Panel.objects.count(),
            InvolvementClaim.objects.count(),
            Meeting.objects.count(),
        ) == (counts)
