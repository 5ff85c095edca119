"""The hours and activity summary reads each worker's daily totals, not every session: the
totals must always equal a plain recount of the session logs, whatever was logged,
corrected, deleted, erased or bulk-loaded, and the page must cost the same queries."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cms import data_registry, erasure
from cms.data_registry import Fate
from cms.models import DataRequest
from peers.models import (
    ActivityDay,
    ActivityPersonDay,
    ActivityPersonMonth,
    ActivitySignpostYear,
    ActivityTopicDay,
    SessionLog,
)
from peers.models.sessions import Setting
from peers.selectors.activity import activity_summary, months_back, worker_activity
from peers.services.activity_totals import activity_totals_rebuild
from peers.services.sessions import SessionDetails, session_delete, session_log, session_update
from tests.conftest import sign_in
from tests.factories import NeedFactory, OfferPageFactory, PeerWorkerFactory, SessionLogFactory
from tests.queries import queries_for

pytestmark = pytest.mark.django_db

TODAY = date(2026, 4, 10)
START = months_back(TODAY)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(f"{TODAY.isoformat()} 12:00 +01:00", tick=False):
        yield


def figures(summary) -> dict:
    """Everything the page shows, in comparable form."""
    return {
        "minutes": summary.minutes,
        "sessions": summary.sessions,
        "group_sessions": summary.group_sessions,
        "people": summary.people_supported,
        "settings": [(r.label, r.minutes, r.sessions) for r in summary.by_setting],
        "months": [(r.label, r.minutes, r.sessions) for r in summary.by_month],
        "topics": [(c.label, c.sessions) for c in summary.topics],
        "offers": [(c.label, c.sessions) for c in summary.signposted_to],
    }


def assert_totals_match_a_recount(*workers):
    for worker in workers:
        from_totals = figures(worker_activity(worker, start=START, end=TODAY))
        recounted = figures(
            activity_summary(
                workers_qs=worker.__class__.objects.filter(pk=worker.pk), start=START, end=TODAY
            )
        )
        assert from_totals == recounted


def derived_totals(*workers) -> dict:
    """The monthly people and twelve-month offers of ``workers``, comparable."""
    return {
        model.__name__: sorted(
            model.objects.filter(worker__in=workers).values_list(
                "worker_id", "month", key, "sessions"
            )
        )
        for model, key in (
            (ActivityPersonMonth, "person_reference"),
            (ActivitySignpostYear, "offer_id"),
        )
    }


def assert_kept_totals_match_a_rebuild(*workers):
    """What was kept up to date session by session equals counting everything again."""
    kept = derived_totals(*workers)
    activity_totals_rebuild(
        workers=workers[0].__class__.objects.filter(pk__in=[w.pk for w in workers])
    )
    assert derived_totals(*workers) == kept


def details(**changes) -> SessionDetails:
    values = {"date": TODAY, "duration_minutes": 60, "setting": Setting.COMMUNITY}
    values.update(changes)
    return SessionDetails(**values)


# --- Every way a session changes --------------------------------------------------------------


def test_logging_correcting_and_deleting_through_the_services_keeps_the_totals(organisation):
    worker = PeerWorkerFactory(organisation=organisation)
    money, housing = NeedFactory(name="Money worries"), NeedFactory(name="Somewhere to live")
    advice = OfferPageFactory(title="Debt advice drop-in")
    user = worker.user

    first = session_log(
        user=user,
        details=details(person_reference="JT", topics=[money], signposted_to=[advice]),
    )
    session_log(user=user, details=details(setting=Setting.GROUP, group_size=5))
    assert_totals_match_a_recount(worker)
    day = ActivityDay.objects.get(worker=worker, date=TODAY, setting=Setting.COMMUNITY)
    assert (day.minutes, day.sessions) == (60, 1)

    # Moved to another day and setting, with other topics and no offer.
    session_update(
        session=first,
        user=user,
        details=details(
            date=TODAY - timedelta(days=40),
            duration_minutes=90,
            setting=Setting.WARD,
            person_reference="KM",
            topics=[housing],
        ),
    )
    assert_totals_match_a_recount(worker)
    assert not ActivityDay.objects.filter(worker=worker, setting=Setting.COMMUNITY).exists()
    assert list(ActivityPersonDay.objects.values_list("person_reference", flat=True)) == ["KM"]
    assert list(ActivityTopicDay.objects.values_list("need__name", flat=True)) == [
        "Somewhere to live"
    ]

    session_delete(session=first, user=user)
    assert_totals_match_a_recount(worker)
    assert not ActivityPersonDay.objects.exists()
    assert not ActivityTopicDay.objects.exists()


def test_a_topic_or_offer_cleared_from_its_own_side_is_taken_off_the_totals(organisation):
    worker = PeerWorkerFactory(organisation=organisation)
    need, offer = NeedFactory(name="Feeling lonely"), OfferPageFactory(title="Peer group")
    SessionLogFactory(worker=worker, date=TODAY, topics=[need], signposted_to=[offer])
    need.peer_sessions.clear()
    offer.peer_signposts.clear()
    assert not ActivityTopicDay.objects.exists()
    assert_totals_match_a_recount(worker)


def test_a_deleted_topic_or_offer_leaves_no_totals_behind(organisation):
    worker = PeerWorkerFactory(organisation=organisation)
    need, offer = NeedFactory(name="Feeling lonely"), OfferPageFactory(title="Peer group")
    SessionLogFactory(worker=worker, date=TODAY, topics=[need], signposted_to=[offer])
    need.delete()
    offer.delete()
    assert_totals_match_a_recount(worker)


def test_a_removed_worker_takes_their_totals_with_them(organisation):
    worker = PeerWorkerFactory(organisation=organisation)
    SessionLogFactory(worker=worker, date=TODAY, topics=[NeedFactory()])
    worker.delete()
    assert not ActivityDay.objects.exists() and not ActivityTopicDay.objects.exists()


def test_sessions_deleted_by_the_retention_purge_are_taken_off_the_totals(organisation):
    worker = PeerWorkerFactory(organisation=organisation)
    SessionLogFactory(worker=worker, date=TODAY - timedelta(days=3), person_reference="AB")
    SessionLogFactory(worker=worker, date=TODAY - timedelta(days=3), person_reference="CD")
    entry = next(e for e in data_registry.entries() if e.model is SessionLog)
    data_registry.erase(entry, SessionLog.objects.filter(person_reference="AB"), Fate.DELETE)
    assert_totals_match_a_recount(worker)
    assert list(ActivityPersonDay.objects.values_list("person_reference", flat=True)) == ["CD"]


def test_closing_a_workers_account_leaves_totals_equal_to_what_is_kept(organisation, make_person):
    worker = PeerWorkerFactory(organisation=organisation)
    for days in (1, 2, 40):
        SessionLogFactory(worker=worker, date=TODAY - timedelta(days=days), topics=[NeedFactory()])
    admin = make_person("admin")
    DataRequest.objects.create(
        person=worker.user,
        kind=DataRequest.Kind.ERASURE,
        channel=DataRequest.Channel.LETTER,
        received_on=TODAY - timedelta(days=3),
        identity_checked="Letter signed, matched the address we hold",
        recorded_by=admin,
    )
    erasure.close_account(worker.user, by=admin, reason="Their letter of 3 March")
    worker.refresh_from_db()
    assert_totals_match_a_recount(worker)
    assert (
        ActivityDay.objects.filter(worker=worker).count()
        == SessionLog.objects.filter(worker=worker).values("date").distinct().count()
    )


def test_a_bulk_load_is_counted_by_the_rebuild_command(organisation):
    worker = PeerWorkerFactory(organisation=organisation)
    need = NeedFactory(name="Money worries")
    sessions = SessionLog.objects.bulk_create(
        SessionLog(
            worker=worker,
            date=TODAY - timedelta(days=n * 7),
            duration_minutes=30 + n,
            setting=Setting.PHONE,
            person_reference=f"R{n % 3}",
            created_by=worker.user,
        )
        for n in range(20)
    )
    SessionLog.topics.through.objects.bulk_create(
        SessionLog.topics.through(sessionlog_id=s.pk, need_id=need.pk) for s in sessions[::2]
    )
    assert not ActivityDay.objects.exists()  # bulk loads send no signals
    call_command("rebuild_activity_totals", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert_totals_match_a_recount(worker)
    assert worker_activity(worker, start=START, end=TODAY).sessions > 0

    # Drifted totals are put right for one worker.
    ActivityDay.objects.filter(worker=worker).update(minutes=1)
    activity_totals_rebuild(workers=worker.__class__.objects.filter(pk=worker.pk))
    assert_totals_match_a_recount(worker)


# --- Monthly and twelve-month totals ---------------------------------------------------------


def test_the_offers_signposted_to_most_are_ranked_the_same_for_any_period(organisation):
    worker = PeerWorkerFactory(organisation=organisation)
    offers = [OfferPageFactory(title=f"Offer {letter}") for letter in "ABCDEFG"]
    # Spread over 14 months, so some fall outside the 12 shown, with ties at the last place.
    for n in range(60):
        SessionLogFactory(
            worker=worker,
            date=TODAY - timedelta(days=n * 7),
            person_reference=f"P{n % 9}",
            signposted_to=[offers[n % 7], offers[(n * 3) % 7]],
        )
    assert_totals_match_a_recount(worker)
    assert_kept_totals_match_a_rebuild(worker)
    for start, end in (
        (date(2025, 6, 15), date(2025, 11, 3)),
        (date(2026, 2, 1), date(2026, 2, 28)),
        (date(2026, 3, 30), date(2026, 4, 2)),
        # February is whole though the 31 days after 31 January end in March.
        (date(2026, 1, 31), date(2026, 3, 31)),
        (date(2026, 1, 30), date(2026, 2, 28)),
        (START, TODAY - timedelta(days=1)),
    ):
        from_totals = figures(worker_activity(worker, start=start, end=end))
        recounted = figures(
            activity_summary(
                workers_qs=worker.__class__.objects.filter(pk=worker.pk), start=start, end=end
            )
        )
        assert from_totals == recounted, (start, end)


def test_a_session_dated_after_the_day_shown_is_not_counted_in_its_twelve_months(organisation):
    worker = PeerWorkerFactory(organisation=organisation)
    early, late = OfferPageFactory(title="Early"), OfferPageFactory(title="Late")
    SessionLogFactory(worker=worker, date=TODAY - timedelta(days=2), signposted_to=[early])
    # Logged before the clocks were put back, say: later this month than "today".
    SessionLogFactory(worker=worker, date=TODAY + timedelta(days=3), signposted_to=[late])
    summary = worker_activity(worker, start=START, end=TODAY)
    assert [(c.label, c.sessions) for c in summary.signposted_to] == [("Early", 1)]
    assert_totals_match_a_recount(worker)


def test_the_migration_counts_months_and_years_from_the_daily_totals(organisation):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("peers.migrations.0010_monthly_activity_totals")
    worker = PeerWorkerFactory(organisation=organisation)
    offer = OfferPageFactory(title="Crisis café")
    for n in range(10):
        SessionLogFactory(
            worker=worker,
            date=TODAY - timedelta(days=n * 45),
            person_reference=f"P{n % 4}",
            signposted_to=[offer],
        )
    kept = derived_totals(worker)
    ActivityPersonMonth.objects.all().delete()
    ActivitySignpostYear.objects.all().delete()
    migration.count_months_and_years(apps, None)
    assert derived_totals(worker) == kept
    assert ActivitySignpostYear.objects.filter(month=date(2026, 4, 1)).get().sessions == 8


# --- Any mix of changes --------------------------------------------------------------------

NEED_NAMES = ["Money worries", "Somewhere to live", "Feeling lonely"]
step = st.one_of(
    st.tuples(
        st.just("log"),
        st.integers(0, 1),  # which worker
        st.integers(0, 420),  # days ago: some fall outside the 12 months shown
        st.sampled_from([15, 45, 60, 90]),
        st.sampled_from(Setting.values),
        st.sampled_from(["", "JT", "KM", "group"]),
        st.sets(st.integers(0, 2), max_size=2),
    ),
    st.tuples(st.just("move"), st.integers(0, 30), st.integers(0, 420), st.integers(0, 1)),
    st.tuples(st.just("topics"), st.integers(0, 30), st.sets(st.integers(0, 2), max_size=3)),
    st.tuples(st.just("delete"), st.integers(0, 30)),
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=1, max_size=12))
def test_the_totals_always_equal_a_plain_recount(organisation, steps):
    with transaction.atomic():
        workers = [PeerWorkerFactory(organisation=organisation) for _ in range(2)]
        needs = [NeedFactory(name=name) for name in NEED_NAMES]
        offers = [OfferPageFactory(title="Crisis café"), OfferPageFactory(title="Debt advice")]
        sessions: list[SessionLog] = []
        for kind, *args in steps:
            alive = [s for s in sessions if s.pk]
            if kind == "log":
                who, days, minutes, setting, reference, topics = args
                session = SessionLogFactory(
                    worker=workers[who],
                    date=TODAY - timedelta(days=days),
                    duration_minutes=minutes,
                    setting=setting,
                    group_size=6 if reference == "group" else 1,
                    person_reference="" if reference == "group" else reference,
                    topics=[needs[t] for t in topics],
                    signposted_to={offers[t % 2] for t in topics},
                )
                sessions.append(session)
            elif alive and kind == "move":
                session = alive[args[0] % len(alive)]
                session.date = TODAY - timedelta(days=args[1])
                session.worker = workers[args[2]]
                session.save()
            elif alive and kind == "topics":
                session = alive[args[0] % len(alive)]
                session.topics.set([needs[t] for t in args[1]])
            elif alive and kind == "delete":
                alive[args[0] % len(alive)].delete()
        assert_totals_match_a_recount(*workers)
        assert_kept_totals_match_a_rebuild(*workers)
        transaction.set_rollback(True)


# --- The page ---------------------------------------------------------------------------------


def test_the_page_shows_the_totals_and_costs_the_same_for_3_days_as_for_300(client, organisation):
    worker = PeerWorkerFactory(organisation=organisation, user__first_name="Jo")
    needs = [NeedFactory(name=f"Need {n}") for n in range(3)]
    sign_in(client, worker.user)
    for number in range(3):
        SessionLogFactory(
            worker=worker, date=TODAY - timedelta(days=number), person_reference="P0", topics=needs
        )
    client.get("/peer-work/summary/")  # fills the per-process caches every page shares
    few = queries_for(client, "/peer-work/summary/")
    for number in range(300):
        SessionLogFactory(
            worker=worker,
            date=TODAY - timedelta(days=number),
            duration_minutes=30,
            setting=Setting.values[number % 7],
            person_reference=f"P{number % 40}",
            topics=needs[: number % 3],
        )
    assert queries_for(client, "/peer-work/summary/") == few
    page = client.get("/peer-work/summary/").content.decode()
    summary = activity_summary(
        workers_qs=worker.__class__.objects.filter(pk=worker.pk), start=START, end=TODAY
    )
    assert summary.people_supported == 40
    assert f"<strong>{summary.hours:g}</strong> hours in the last 12 months" in page
    assert "<strong>40</strong> people supported" in page


def test_the_page_costs_the_same_for_one_offer_signposted_to_as_for_thirty(client, organisation):
    worker = PeerWorkerFactory(organisation=organisation)
    sign_in(client, worker.user)
    first, *offers = [OfferPageFactory(title=f"Offer {n}") for n in range(30)]
    SessionLogFactory(worker=worker, date=TODAY, signposted_to=[first])
    client.get("/peer-work/summary/")  # fills the per-process caches every page shares
    few = queries_for(client, "/peer-work/summary/")
    for number, offer in enumerate(offers):
        # Ties at the last place of the five shown: names settle them.
        SessionLogFactory(
            worker=worker,
            date=TODAY - timedelta(days=number * 9),
            signposted_to=[offer, first] if number < 3 else [offer],
        )
    assert queries_for(client, "/peer-work/summary/") == few
    summary = worker_activity(worker, start=START, end=TODAY)
    assert [(c.label, c.sessions) for c in summary.signposted_to] == [
        ("Offer 0", 4),
        ("Offer 1", 1),
        ("Offer 10", 1),
        ("Offer 11", 1),
        ("Offer 12", 1),
    ]
    assert_totals_match_a_recount(worker)
