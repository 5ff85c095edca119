"""Session logs: a peer worker logs a session (quickly, or by repeating the last one), sees
their own list and one session, corrects or deletes it; a supervisor reads their supervisees'
sessions; everyone else is refused; bad input keeps what was typed and saves nothing."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone
from wagtail.models import ModelLogEntry

from cms.audit import VIEW
from cms.personal_details import NAME
from peers.models import SafeguardingConcern, SessionLog
from peers.services import Refused
from peers.services import sessions as services
from tests.conftest import sign_in
from tests.factories import (
    NeedFactory,
    OfferPageFactory,
    OrganisationFactory,
    PeerWorkerFactory,
    SafeguardingConcernFactory,
    SessionLogFactory,
    SupervisorFactory,
)
from tests.queries import queries_for

pytestmark = pytest.mark.django_db

LOG = "/peer-work/sessions/log/"
LIST = "/peer-work/sessions/"
SUPERVISEES = "/peer-work/sessions/supervisees/"


def page_text(response) -> str:
    return " ".join(BeautifulSoup(response.content, "html.parser").get_text(" ").split())


def rows(response):
    return BeautifulSoup(response.content, "html.parser").select("tbody tr")


@pytest.fixture
def organisation():
    return OrganisationFactory(name="Northdale Health NHS Trust")


@pytest.fixture
def supervisor(organisation):
    return SupervisorFactory(organisation=organisation, mfa=True, first_name="Priya")


@pytest.fixture
def worker(organisation, supervisor):
    return PeerWorkerFactory(
        organisation=organisation,
        supervisors=[supervisor],
        user__first_name="Sam",
        user__last_name="Okafor",
    )


@pytest.fixture
def as_worker(client, worker):
    return sign_in(client, worker.user)


@pytest.fixture
def as_supervisor(client, supervisor):
    return sign_in(client, supervisor)


def form_data(**overrides):
    data = {
        "date": timezone.localdate().isoformat(),
        "duration_minutes": "60",
        "setting": "community",
        "group_size": "1",
        "person_reference": "JT-cafe-3",
        "outcome_measure": "",
        "notes": "Talked about getting back into volunteering.",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# --- Logging a session -----------------------------------------------------------------------


def test_the_form_starts_today_an_hour_one_to_one(as_worker):
    response = as_worker.get(LOG)
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.select_one("#id_date")["value"] == timezone.localdate().isoformat()
    assert soup.select_one("#id_duration_minutes")["value"] == "60"
    assert soup.select_one("#id_group_size")["value"] == "1"
    assert "Only the date, length and place are needed" in page_text(response)


def test_a_worker_logs_a_session_with_topics_and_signposting(as_worker, worker):
    money = NeedFactory(name="Money worries", wider_determinant=True)
    offer = OfferPageFactory(title="Debt advice drop-in")
    part_of = OfferPageFactory(title="Open Door Crisis Café")
    response = as_worker.post(
        LOG,
        form_data(
            topics=[money.pk],
            signposted_to=[offer.pk],
            offer=part_of.pk,
            outcome_measure="goal",
            outcome_score="6",
            duration_minutes="45",
        ),
        follow=True,
    )
    assert response.status_code == 200
    assert "Session logged: Community" in page_text(response)
    session = SessionLog.objects.get()
    assert session.worker == worker
    assert session.created_by == worker.user
    assert session.duration_minutes == 45
    assert session.offer.specific == part_of
    assert list(session.topics.all()) == [money]
    assert [o.pk for o in session.signposted_to.all()] == [offer.pk]
    assert (session.outcome_measure, session.outcome_score) == ("goal", 6)
    assert "Money worries" in page_text(response)


def test_notes_are_stored_exactly_as_typed(as_worker):
    as_worker.post(LOG, form_data(notes="<script>alert(1)</script>Went <b>well</b>."))
    assert SessionLog.objects.get().notes == "<script>alert(1)</script>Went <b>well</b>."


def test_a_session_in_the_future_is_refused_and_what_was_typed_is_kept(as_worker):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = as_worker.post(LOG, form_data(date=tomorrow, notes="Walk in the park"))
    assert response.status_code == 200
    text = page_text(response)
    assert "There is a problem" in text
    assert "The date of the session must be today or in the past" in text
    assert "Walk in the park" in response.content.decode()
    assert not SessionLog.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("duration_minutes", "0", "The session must be at least 1 minute long"),
        ("duration_minutes", "1440", "A session must be shorter than 24 hours"),
        ("duration_minutes", "", "Enter how long the session was, in minutes"),
        ("duration_minutes", "an hour", "Enter a whole number, for example 45"),
        ("group_size", "0", "Enter at least 1 person: 1 for a one-to-one session"),
        ("group_size", "500", "A group can have up to 200 people"),
        ("setting", "", "Choose where the session took place"),
        ("date", "", "Enter the date of the session"),
        ("date", "31/02/2026", "Enter the date as day, month and year"),
    ],
)
def test_bad_input_gets_a_clear_message_and_saves_nothing(as_worker, field, value, message):
    response = as_worker.post(LOG, form_data(**{field: value}))
    assert response.status_code == 200
    assert message in page_text(response)
    assert not SessionLog.objects.exists()
    soup = BeautifulSoup(response.content, "html.parser")
    # The error summary links to the field.
    assert soup.select(".nhsuk-error-summary a")


@pytest.mark.parametrize(
    ("measure", "score", "message"),
    [
        ("reqol10", "41", "A ReQoL-10 score must be between 0 and 40"),
        ("swemwbs", "6", "A SWEMWBS score must be between 7 and 35"),
        ("goal", "", "Enter the Goal-based outcome score"),
        ("", "5", "Choose which outcome measure the score is from"),
    ],
)
def test_outcome_scores_are_checked_against_their_measure(as_worker, measure, score, message):
    response = as_worker.post(LOG, form_data(outcome_measure=measure, outcome_score=score))
    assert message in page_text(response)
    assert not SessionLog.objects.exists()


def test_a_name_in_the_notes_asks_the_worker_to_check_and_keeps_their_words(as_worker):
    notes = "Met with them at the café, and talked about Jane Smith from next door."
    response = as_worker.post(LOG, form_data(notes=notes))
    text = page_text(response)
    assert "Your notes may contain a name" in text
    assert "Check for personal details" in text
    assert notes in BeautifulSoup(response.content, "html.parser").select_one("#id_notes").text
    assert not SessionLog.objects.exists()
    # They confirm it is fine: the session is saved as typed.
    response = as_worker.post(LOG, form_data(notes=notes, details_checked="on"))
    assert response.status_code == 302
    assert SessionLog.objects.get().notes == notes


def test_a_name_or_phone_number_as_the_reference_is_questioned(as_worker):
    response = as_worker.post(LOG, form_data(person_reference="Jane"))
    assert "Your reference may contain a name" in page_text(response)
    response = as_worker.post(LOG, form_data(person_reference="07700 900123"))
    assert "Your reference may contain a phone number" in page_text(response)
    assert not SessionLog.objects.exists()
    # Changing it is the other way through.
    assert as_worker.post(LOG, form_data(person_reference="JT-3")).status_code == 302


def test_personal_details_warnings_name_each_field():
    warnings = services.personal_details_warnings(
        person_reference="Jane Smith", notes="Her number is 07700 900123"
    )
    assert warnings["person_reference"] == [NAME]
    assert "a phone number" in warnings["notes"]
    assert services.personal_details_warnings(person_reference="JT-cafe-3", notes="") == {}


def test_a_worker_on_leave_cannot_log_but_sees_their_sessions(client, organisation):
    worker = PeerWorkerFactory(organisation=organisation, on_leave=True)
    SessionLogFactory(worker=worker)
    sign_in(client, worker.user)
    response = client.get(LOG)
    assert response.status_code == 403
    assert client.get(LIST).status_code == 200
    with pytest.raises(Refused):
        services.session_log(
            user=worker.user,
            details=services.SessionDetails(
                date=timezone.localdate(), duration_minutes=30, setting="phone"
            ),
        )


def test_the_service_refuses_an_offer_that_is_not_live(worker):
    offer = OfferPageFactory()
    offer.unpublish()
    with pytest.raises(Refused, match="in the directory"):
        services.session_log(
            user=worker.user,
            details=services.SessionDetails(
                date=timezone.localdate(), duration_minutes=30, setting="phone", offer=offer
            ),
        )


# --- Repeat last session ---------------------------------------------------------------------


def test_repeat_last_session_fills_in_all_but_the_date_reference_and_notes(as_worker, worker):
    need = NeedFactory(name="Housing")
    offer = OfferPageFactory(title="Housing advice")
    SessionLogFactory(
        worker=worker,
        date=timezone.localdate() - timedelta(days=3),
        duration_minutes=90,
        setting="crisis_cafe",
        group_size=4,
        person_reference="RB-4",
        notes="Very private",
        outcome_measure="goal",
        outcome_score=7,
        topics=[need],
        signposted_to=[offer],
    )
    response = as_worker.get(LOG + "?repeat=last")
    soup = BeautifulSoup(response.content, "html.parser")
    assert "We have filled this in from your last session" in page_text(response)
    assert soup.select_one("#id_date")["value"] == timezone.localdate().isoformat()
    assert soup.select_one("#id_duration_minutes")["value"] == "90"
    assert soup.select_one("#id_group_size")["value"] == "4"
    assert soup.select_one("input[name=setting][value=crisis_cafe]").has_attr("checked")
    assert soup.select_one(f"input[name=topics][value='{need.pk}']").has_attr("checked")
    assert soup.select_one(f"input[name=signposted_to][value='{offer.pk}']").has_attr("checked")
    assert soup.select_one("input[name=outcome_measure][value=goal]").has_attr("checked")
    assert soup.select_one("#id_person_reference").get("value", "") == ""
    assert soup.select_one("#id_outcome_score").get("value", "") == ""
    assert "Very private" not in response.content.decode()


def test_repeat_with_nothing_to_repeat_starts_a_new_log(as_worker):
    response = as_worker.get(LOG + "?repeat=last", follow=True)
    assert "You have no sessions to repeat yet" in page_text(response)


# --- The worker's list -----------------------------------------------------------------------


def test_a_worker_sees_only_their_own_sessions(as_worker, worker, organisation):
    mine = SessionLogFactory(worker=worker, person_reference="MINE-1")
    SessionLogFactory(worker=PeerWorkerFactory(organisation=organisation), person_reference="X-9")
    response = as_worker.get(LIST)
    assert response.status_code == 200
    assert len(rows(response)) == 1
    assert "MINE-1" in page_text(response)
    assert f"/peer-work/sessions/{mine.pk}/" in response.content.decode()


def test_the_list_filters_by_month_and_setting(as_worker, worker):
    today = timezone.localdate()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=10)
    SessionLogFactory(worker=worker, date=today, setting="phone", person_reference="PHONE-NOW")
    SessionLogFactory(worker=worker, date=today, setting="ward", person_reference="WARD-NOW")
    SessionLogFactory(worker=worker, date=last_month, setting="phone", person_reference="OLD")
    response = as_worker.get(LIST + f"?month={today:%Y-%m}&setting=phone")
    assert [r.get_text() for r in rows(response)][0].count("PHONE-NOW") == 1
    assert len(rows(response)) == 1
    response = as_worker.get(LIST + f"?month={last_month:%Y-%m}")
    assert len(rows(response)) == 1
    assert "OLD" in page_text(response)
    # A month with no sessions is not a choice: it is ignored, not an error.
    assert len(rows(as_worker.get(LIST + "?month=1999-01"))) == 3


def test_the_list_is_paginated_and_keeps_its_filters(as_worker, worker):
    SessionLogFactory.create_batch(23, worker=worker, setting="phone")
    first = as_worker.get(LIST + "?setting=phone")
    assert len(rows(first)) == 20
    assert "setting=phone&amp;page=2" in first.content.decode()
    assert len(rows(as_worker.get(LIST + "?setting=phone&page=2"))) == 3


def test_the_list_costs_the_same_queries_with_3_or_30_sessions(as_worker, worker):
    needs = NeedFactory.create_batch(2)
    offer = OfferPageFactory()

    def make(n):
        for session in SessionLogFactory.create_batch(n, worker=worker, offer=offer, topics=needs):
            if session.pk % 3 == 0:
                SafeguardingConcernFactory(session=session)

    make(3)
    queries_for(as_worker, LIST)
    few = queries_for(as_worker, LIST)
    make(17)
    assert queries_for(as_worker, LIST) == few


def test_people_who_are_not_peer_workers_are_told_why(client_as):
    for role in ("member", "hr", "supervisor"):
        response = client_as(role).get(LIST)
        assert response.status_code == 403
        assert "Session logs and safeguarding concerns are for peer workers" in page_text(response)


# --- One session -----------------------------------------------------------------------------


def test_a_worker_reads_their_own_session_without_an_audit_entry(as_worker, worker):
    session = SessionLogFactory(worker=worker, notes="Private words")
    response = as_worker.get(f"/peer-work/sessions/{session.pk}/")
    assert response.status_code == 200
    assert "Private words" in page_text(response)
    assert "Change this session" in page_text(response)
    assert not ModelLogEntry.objects.filter(action=VIEW).exists()


def test_a_supervisor_reads_a_supervisees_notes_and_it_is_audit_logged(
    as_supervisor, supervisor, worker
):
    session = SessionLogFactory(worker=worker, notes="Private words")
    response = as_supervisor.get(f"/peer-work/sessions/{session.pk}/")
    assert response.status_code == 200
    assert "Private words" in page_text(response)
    assert "Sam Okafor's session" in page_text(response)
    assert "Change this session" not in page_text(response)
    entry = ModelLogEntry.objects.for_instance(session).get(action=VIEW)
    assert entry.user == supervisor


def test_guessing_another_workers_session_id_is_a_404(as_worker, organisation):
    theirs = SessionLogFactory(worker=PeerWorkerFactory(organisation=organisation))
    for url in ("", "edit/", "delete/", "safeguarding/"):
        assert as_worker.get(f"/peer-work/sessions/{theirs.pk}/{url}").status_code == 404


def test_a_supervisor_cannot_open_sessions_of_workers_they_do_not_supervise(
    as_supervisor, organisation
):
    theirs = SessionLogFactory(worker=PeerWorkerFactory(organisation=organisation))
    assert as_supervisor.get(f"/peer-work/sessions/{theirs.pk}/").status_code == 404
    assert not ModelLogEntry.objects.filter(action=VIEW).exists()


@pytest.mark.parametrize("role", ["hr", "admin", "engagement_lead", "member"])
def test_nobody_else_opens_a_session(client_as, worker, role):
    session = SessionLogFactory(worker=worker)
    client = client_as(role, organisation=worker.organisation)
    assert client.get(f"/peer-work/sessions/{session.pk}/").status_code == 404


def test_a_supervisor_cannot_change_a_supervisees_session(as_supervisor, worker):
    session = SessionLogFactory(worker=worker)
    assert as_supervisor.get(f"/peer-work/sessions/{session.pk}/edit/").status_code == 403
    response = as_supervisor.post(f"/peer-work/sessions/{session.pk}/edit/", form_data())
    assert response.status_code == 403
    assert as_supervisor.post(f"/peer-work/sessions/{session.pk}/delete/").status_code == 403
    assert SessionLog.objects.filter(pk=session.pk).exists()


# --- Correcting and deleting -----------------------------------------------------------------


def test_a_worker_corrects_their_session_and_the_change_is_audit_logged(as_worker, worker):
    session = SessionLogFactory(worker=worker, duration_minutes=60, notes="First go")
    url = f"/peer-work/sessions/{session.pk}/edit/"
    soup = BeautifulSoup(as_worker.get(url).content, "html.parser")
    assert soup.select_one("#id_notes").text.strip() == "First go"
    assert soup.select_one("#id_raise_concern") is None
    response = as_worker.post(
        url,
        form_data(
            date=session.date.isoformat(),
            duration_minutes="75",
            notes="Second go",
            person_reference=session.person_reference,
        ),
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.duration_minutes, session.notes) == (75, "Second go")
    entry = ModelLogEntry.objects.for_instance(session).get(action="lep.change")
    assert set(entry.data["fields"]) >= {"duration_minutes", "notes"}
    assert "Second go" not in str(entry.data)


def test_a_bad_correction_keeps_what_was_typed_and_changes_nothing(as_worker, worker):
    session = SessionLogFactory(worker=worker, duration_minutes=60)
    response = as_worker.post(
        f"/peer-work/sessions/{session.pk}/edit/",
        form_data(duration_minutes="0", notes="Changed my mind"),
    )
    assert "The session must be at least 1 minute long" in page_text(response)
    assert "Changed my mind" in response.content.decode()
    session.refresh_from_db()
    assert session.duration_minutes == 60


def test_a_worker_deletes_a_slip_soon_after_logging_it(as_worker, worker):
    session = SessionLogFactory(worker=worker)
    url = f"/peer-work/sessions/{session.pk}/delete/"
    assert "Delete this session?" in page_text(as_worker.get(url))
    response = as_worker.post(url, follow=True)
    assert "The session has been deleted." in page_text(response)
    assert not SessionLog.objects.filter(pk=session.pk).exists()
    assert ModelLogEntry.objects.filter(action="peers.session.delete").exists()


def test_an_old_session_cannot_be_deleted(as_worker, worker):
    session = SessionLogFactory(worker=worker)
    SessionLog.objects.filter(pk=session.pk).update(created_at=timezone.now() - timedelta(days=8))
    response = as_worker.post(f"/peer-work/sessions/{session.pk}/delete/", follow=True)
    assert "Sessions can only be deleted in the 7 days after you log them" in page_text(response)
    assert SessionLog.objects.filter(pk=session.pk).exists()
    assert "Delete this session" not in page_text(
        as_worker.get(f"/peer-work/sessions/{session.pk}/")
    )


def test_a_session_that_raised_a_concern_cannot_be_deleted(as_worker, worker):
    concern = SafeguardingConcernFactory(session=SessionLogFactory(worker=worker))
    response = as_worker.post(f"/peer-work/sessions/{concern.session_id}/delete/", follow=True)
    assert "This session raised a safeguarding concern, so it cannot be deleted" in page_text(
        response
    )
    assert SafeguardingConcern.objects.filter(pk=concern.pk).exists()


# --- The supervisor's list -------------------------------------------------------------------


def test_a_supervisor_lists_only_their_supervisees_sessions(
    as_supervisor, supervisor, worker, organisation
):
    second = PeerWorkerFactory(
        organisation=organisation, supervisors=[supervisor], user__first_name="Alex"
    )
    SessionLogFactory(worker=worker, person_reference="SAM-1")
    SessionLogFactory(worker=second, person_reference="ALEX-1")
    SessionLogFactory(worker=PeerWorkerFactory(organisation=organisation), person_reference="NO")
    response = as_supervisor.get(SUPERVISEES)
    assert response.status_code == 200
    text = page_text(response)
    assert "SAM-1" in text and "ALEX-1" in text and "NO" not in text.split()
    assert len(rows(response)) == 2
    # Picking one supervisee.
    response = as_supervisor.get(SUPERVISEES + f"?worker={second.pk}")
    assert len(rows(response)) == 1
    assert "ALEX-1" in page_text(response)


def test_picking_someone_not_supervised_shows_nothing_of_theirs(
    as_supervisor, worker, organisation
):
    stranger = PeerWorkerFactory(organisation=organisation)
    SessionLogFactory(worker=stranger, person_reference="STRANGER")
    SessionLogFactory(worker=worker, person_reference="SAM-1")
    response = as_supervisor.get(SUPERVISEES + f"?worker={stranger.pk}")
    assert response.status_code == 200
    assert "STRANGER" not in page_text(response)


def test_the_supervisor_list_costs_the_same_queries_with_3_or_30_sessions(
    as_supervisor, supervisor, worker, organisation
):
    second = PeerWorkerFactory(organisation=organisation, supervisors=[supervisor])
    needs = NeedFactory.create_batch(2)
    SessionLogFactory.create_batch(2, worker=worker, topics=needs)
    SessionLogFactory(worker=second, topics=needs)
    queries_for(as_supervisor, SUPERVISEES)
    few = queries_for(as_supervisor, SUPERVISEES)
    SessionLogFactory.create_batch(14, worker=worker, topics=needs)
    SessionLogFactory.create_batch(13, worker=second, topics=needs)
    assert queries_for(as_supervisor, SUPERVISEES) == few


@pytest.mark.parametrize("role", ["peer_worker", "member", "hr", "admin"])
def test_only_supervisors_have_a_supervisees_list(client_as, role):
    assert client_as(role).get(SUPERVISEES).status_code == 403
