"""The feedback demo: 500+ pieces of feedback over 18 months in every state, and 10+
published "You said, we did" service changes linked to them, loaded once, the same every
time, quickly, and without emailing anybody."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.management import call_command
from django.db.models import Count, Q
from django.test import override_settings
from django.utils import timezone

from cms.models import HomePage
from cms.personal_details import personal_details_in
from coproduce.demo import PANELS
from coproduce.demo_feedback import COULD_BE_BETTER, PERSONAL, WENT_WELL, load_feedback_demo
from coproduce.models import (
    Feedback,
    ServiceChangeIndexPage,
    ServiceChangeNotice,
    ServiceChangePage,
    Theme,
)
from tests.conftest import kept_for_the_class

pytestmark = pytest.mark.django_db

Status = Feedback.Status


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    """One load for the tests of the class: when it was loaded, and the emails it sent.
    (How long it takes is not asserted: no test depends on the machine's speed.)"""
    with kept_for_the_class(django_db_blocker):
        sent_before = len(mail.outbox)
        with override_settings(DEBUG=True):
            call_command("demo_cms")
            call_command("demo_coproduce")
        loaded = SimpleNamespace(at=timezone.now(), emails=mail.outbox[sent_before:])
        yield loaded


def _there_are_500_pieces_of_feedback_over_18_months(now):
    assert Feedback.objects.count() >= 500
    oldest = Feedback.objects.order_by("created_at").first().created_at
    newest = Feedback.objects.order_by("-created_at").first().created_at
    assert now - timedelta(days=560) < oldest < now - timedelta(days=480)
    assert newest > now - timedelta(days=7)
    months = {(f.created_at.year, f.created_at.month) for f in Feedback.objects.only("created_at")}
    assert len(months) >= 17


def _feedback_is_spread_across_offers_and_every_theme():
    per_offer = dict(
        Feedback.objects.filter(hidden=False)
        .values_list("offer_title")
        .annotate(n=Count("pk"))
        .values_list("offer_title", "n")
    )
    assert len(per_offer) >= 30
    # Most offers have enough to show ratings; a few do not yet (fewer than five).
    assert sum(n >= 5 for n in per_offer.values()) >= 20
    assert any(1 <= n < 5 for n in per_offer.values())
    used = set(Feedback.themes.through.objects.values_list("theme_id", flat=True))
    assert used == set(Theme.objects.values_list("pk", flat=True))


def _feedback_is_in_every_state_from_every_source():
    assert set(Feedback.objects.values_list("status", flat=True)) == set(Status.values)
    assert set(Feedback.objects.values_list("source", flat=True)) == set(Feedback.Source.values)
    public = Feedback.objects.filter(source="public")
    assert not public.filter(Q(author__isnull=False) | Q(recorded_by__isnull=False)).exists()
    assert not Feedback.objects.filter(source="peer_worker", recorded_by__isnull=True).exists()
    assert not Feedback.objects.filter(source="member", author__isnull=True).exists()
    hidden = Feedback.objects.filter(hidden=True)
    assert hidden.count() >= 5 and not hidden.filter(hidden_reason="").exists()
    assert set(Feedback.objects.values_list("rating", flat=True)) == {1, 2, 3, 4, 5}


def _moderation_is_consistent_with_each_status():
    assert not Feedback.objects.filter(status=Status.NEW, triaged_at__isnull=False).exists()
    assert not Feedback.objects.exclude(status=Status.NEW).filter(triaged_at__isnull=True).exists()
    responded = Feedback.objects.filter(status=Status.RESPONDED)
    assert not responded.filter(Q(public_response="") | Q(responded_at__isnull=True)).exists()
    assert not Feedback.objects.filter(status=Status.CLOSED, closed_at__isnull=True).exists()
    assert Feedback.objects.filter(status=Status.CLOSED, public_response="").exists()
    for item in Feedback.objects.exclude(responded_at=None):
        assert item.created_at <= item.triaged_at <= item.responded_at


def _personal_details_are_flagged_and_never_published():
    flagged = Feedback.objects.exclude(personal_details=[])
    assert flagged.count() >= 20
    kinds = {kind for item in flagged for kind in item.personal_details}
    assert {"a name", "a phone number", "an email address", "a postcode"} <= kinds
    for item in Feedback.objects.exclude(public_quote=""):
        assert personal_details_in(item.public_quote) == [], item.public_quote
        assert item.consent_to_publish and not item.hidden
    assert sum(item.is_published for item in Feedback.objects.all()) >= 100


def _service_changes_are_published_under_the_index_with_timelines():
    index = ServiceChangeIndexPage.objects.live().get()
    assert index.get_parent().specific_class is HomePage
    changes = ServiceChangePage.objects.live().child_of(index)
    assert changes.count() >= 10
    assert set(changes.values_list("status", flat=True)) == {"planned", "in_progress", "done"}
    demo_panels = {panel.title for panel in PANELS}
    for change in changes.prefetch_related("updates", "offers"):
        updates = list(change.updates.all())
        assert updates and updates[-1].status == change.status
        assert [u.date for u in updates] == sorted(u.date for u in updates)
        assert change.offers.exists()
        assert change.coproduction_level is not None
        if change.panel_id:
            assert change.panel.title in demo_panels
    assert changes.filter(panel__isnull=False).count() >= 10


def _changes_are_linked_to_feedback_about_them():
    linked = Feedback.objects.filter(service_change__isnull=False).select_related("service_change")
    assert linked.count() >= 100
    assert not linked.filter(status=Status.NEW).exists()
    per_change = {}
    for item in linked.prefetch_related("service_change__offers"):
        offers = {offer.title for offer in item.service_change.offers.all()}
        assert item.offer_title in offers
        per_change[item.service_change_id] = per_change.get(item.service_change_id, 0) + 1
    assert len(per_change) >= 10


def _the_demo_member_has_feedback_answered_by_a_change():
    sams = Feedback.objects.filter(author__email="member@example.org")
    assert set(sams.values_list("status", flat=True)) == {"responded", "triaged", "new"}
    answered = sams.get(status="responded")
    assert answered.service_change.status == "done" and answered.is_published


def _members_linked_to_changes_count_as_told_so_nobody_is_emailed():
    assert mail.outbox == []
    heard_of = 0
    for change in ServiceChangePage.objects.all():
        authors = set(
            Feedback.objects.filter(service_change=change, author__isnull=False).values_list(
                "author_id", flat=True
            )
        )
        told = set(
            ServiceChangeNotice.objects.filter(page=change, status=change.status).values_list(
                "user_id", flat=True
            )
        )
        assert authors <= told, change.title
        heard_of += len(authors)
    assert heard_of >= 10


PRAISE = [text for texts in WENT_WELL.values() for text in texts] + [
    text for field, text, _quote in PERSONAL if field == "went_well"
]
COMPLAINTS = [text for texts in COULD_BE_BETTER.values() for text in texts]


class TestTheLoadedDemo:
    def test_the_feedback_demo_shows_feedback_and_changes_at_every_stage(self, demo):
        """One load, every claim the feedback demo makes."""
        now = timezone.now()
        _there_are_500_pieces_of_feedback_over_18_months(now)
        _feedback_is_spread_across_offers_and_every_theme()
        _feedback_is_in_every_state_from_every_source()
        _moderation_is_consistent_with_each_status()
        _personal_details_are_flagged_and_never_published()
        _service_changes_are_published_under_the_index_with_timelines()
        _changes_are_linked_to_feedback_about_them()
        _the_demo_member_has_feedback_answered_by_a_change()
        _members_linked_to_changes_count_as_told_so_nobody_is_emailed()

    def test_loading_the_feedback_demo_again_adds_nothing(self, demo, settings):
        counts = (Feedback.objects.count(), ServiceChangePage.objects.count())
        settings.DEBUG = True
        assert load_feedback_demo()["created"] == 0
        call_command("demo_coproduce")
        assert (Feedback.objects.count(), ServiceChangePage.objects.count()) == counts
        assert demo.emails == []
        assert mail.outbox == []

    def test_the_feedback_demo_is_the_same_every_time_it_loads(self, demo):
        def fingerprint():
            return list(
                Feedback.objects.order_by("created_at", "pk").values_list(
                    "offer_title", "source", "rating", "status", "hidden", "went_well"
                )
            )

        now = demo.at
        first = fingerprint()
        Feedback.objects.all().delete()
        for page in ServiceChangePage.objects.all():
            page.delete()
        load_feedback_demo(now=now)
        assert fingerprint() == first

    def test_every_rating_fits_the_words_given_with_it(self, demo):
        """Nobody who rated an offer poor or very poor is shown praising it, and nobody who
        rated it very good only complains."""
        for item in Feedback.objects.all():
            praised = any(text in item.went_well for text in PRAISE)
            complained = any(text in item.could_be_better for text in COMPLAINTS)
            if item.rating <= Feedback.Rating.POOR:
                assert not praised, (item.rating, item.went_well)
                assert not any(text in item.public_quote for text in PRAISE), item.public_quote
            if item.rating == Feedback.Rating.VERY_GOOD:
                assert not complained, (item.rating, item.could_be_better)
