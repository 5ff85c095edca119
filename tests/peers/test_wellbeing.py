"""Wellbeing check-ins: the SWEMWBS scoring table, completing a check-in, support options
on a low score (and never a word to anyone else), sharing and un-sharing with the
supervisor, deleting, and the history with its trend."""

import re
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from wagtail.models import ModelLogEntry

from cms.audit import VIEW
from cms.roles import Role
from peers import audit_actions
from peers import wellbeing_scale as scale
from peers.models import WellbeingCheckIn
from tests.conftest import sign_in
from tests.factories import (
    OrganisationFactory,
    PeerWorkerFactory,
    SupervisorFactory,
    UserFactory,
    WellbeingCheckInFactory,
)
from tests.queries import queries_for

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return " ".join(BeautifulSoup(response.content, "html.parser").get_text(" ").split())


# --- The scale ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "metric"),
    [
        (7, "7.00"),
        (8, "9.51"),
        (14, "15.32"),
        (21, "19.25"),
        (23, "20.73"),
        (28, "25.03"),
        (35, "35.00"),
    ],
)
def test_raw_scores_convert_with_the_published_table(raw, metric):
    assert scale.metric_score(raw) == Decimal(metric)


def test_the_table_covers_every_raw_score_and_rises_throughout():
    values = [scale.METRIC_SCORES[raw] for raw in range(7, 36)]
    assert values == sorted(values)
    assert len(set(values)) == 29
    with pytest.raises(ValueError):
        scale.metric_score(36)


def test_the_items_are_the_seven_published_statements():
    assert [item.wording for item in scale.ITEMS] == [
        "I've been feeling optimistic about the future",
        "I've been feeling useful",
        "I've been feeling relaxed",
        "I've been dealing with problems well",
        "I've been thinking clearly",
        "I've been feeling close to other people",
        "I've been able to make up my own mind about things",
    ]
    assert [label for _, label in scale.ANSWERS] == [
        "None of the time",
        "Rarely",
        "Some of the time",
        "Often",
        "All of the time",
    ]


@pytest.mark.parametrize(
    ("metric", "level"),
    [("16.88", "more"), ("17.43", "some"), ("20.73", ""), ("19.98", "some"), ("35.00", "")],
)
def test_support_is_offered_more_strongly_the_lower_the_score(metric, level):
    assert scale.support_level(Decimal(metric)) == level


# --- Completing a check-in ----------------------------------------------------------------


@pytest.fixture
def world():
    organisation = OrganisationFactory()
    supervisor = SupervisorFactory(organisation=organisation, mfa=True)
    worker = PeerWorkerFactory(organisation=organisation, supervisors=[supervisor])
    return {"organisation": organisation, "supervisor": supervisor, "worker": worker}


def answers(value: int, **overrides) -> dict:
    data = {field: str(value) for field in scale.ITEM_FIELDS}
    data.update(overrides)
    return data


def test_the_form_asks_each_statement_as_its_own_set_of_radios(client, world):
    sign_in(client, world["worker"].user)
    response = client.get("/peer-work/wellbeing/check-in/")
    page = BeautifulSoup(response.content, "html.parser")
    legends = [legend.get_text(strip=True) for legend in page.select("fieldset legend")]
    assert legends == [item.wording for item in scale.ITEMS]
    assert len(page.select("input[type=radio]")) == 35
    assert "over the last 2 weeks" in text_of(response)


def test_a_worker_checks_in_and_sees_their_score(client, world):
    sign_in(client, world["worker"].user)
    response = client.post("/peer-work/wellbeing/check-in/", answers(4, note="A good fortnight"))
    check_in = WellbeingCheckIn.objects.get()
    assert response["Location"] == f"/peer-work/wellbeing/{check_in.pk}/"
    assert (check_in.raw_score, check_in.metric_score) == (28, Decimal("25.03"))
    assert check_in.worker == world["worker"]
    assert not check_in.shared_with_supervisor
    page = text_of(client.get(response["Location"]))
    assert "Your score: 25 out of 35" in page  # 25.03, in whole points like the change
    assert "A good fortnight" in page
    assert "Only you can see this check-in." in page
    assert "It sounds like the last 2 weeks have been hard" not in page
    entry = ModelLogEntry.objects.get(action=audit_actions.WELLBEING_CHECK_IN)
    assert "25" not in str(entry.data)  # the log never holds the score


def test_a_missing_answer_is_explained_and_the_other_answers_are_kept(client, world):
    sign_in(client, world["worker"].user)
    data = answers(2, note="Hard weeks")
    del data["relaxed"]
    response = client.post("/peer-work/wellbeing/check-in/", data)
    assert response.status_code == 200
    page = text_of(response)
    assert "There is a problem" in page
    assert "Choose how often: I've been feeling relaxed" in page
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.select_one("input[name=optimistic][value='2']").has_attr("checked")
    assert "Hard weeks" in soup.select_one("textarea[name=note]").get_text()
    assert not WellbeingCheckIn.objects.exists()


def test_an_answer_off_the_scale_is_refused(client, world):
    sign_in(client, world["worker"].user)
    response = client.post("/peer-work/wellbeing/check-in/", answers(3, useful="9"))
    assert "Choose one of the five answers for: I've been feeling useful" in text_of(response)
    assert not WellbeingCheckIn.objects.exists()


def test_a_low_score_offers_support_to_the_worker_and_tells_nobody(client, world):
    sign_in(client, world["worker"].user)
    response = client.post("/peer-work/wellbeing/check-in/", answers(2))  # raw 14: 15.32
    page = text_of(client.get(response["Location"]))
    assert "It sounds like the last 2 weeks have been hard" in page
    for option in [
        "someone you trust",
        "Employee Assistance Programme",
        "your GP",
        "116 123",
        "Mind infoline",
        "wellbeing plan",
    ]:
        assert option in page
    assert mail.outbox == []
    # The supervisor neither sees it nor hears of it.
    check_in = WellbeingCheckIn.objects.get()
    client.logout()
    sign_in(client, world["supervisor"])
    assert client.get(f"/peer-work/wellbeing/{check_in.pk}/").status_code == 404
    my_space = text_of(client.get("/my-space/"))
    assert "15.32" not in my_space


def test_a_borderline_score_offers_support_gently(client, world):
    sign_in(client, world["worker"].user)
    response = client.post("/peer-work/wellbeing/check-in/", answers(3, useful="2", relaxed="2"))
    page = text_of(client.get(response["Location"]))  # raw 19: 17.98
    assert "If things feel harder than usual" in page
    assert "Samaritans" in page


# --- Sharing ------------------------------------------------------------------------------


def test_the_worker_shares_a_check_in_and_the_supervisor_can_read_it_audited(client, world):
    check_in = WellbeingCheckInFactory(worker=world["worker"], note="Tired but OK")
    sign_in(client, world["worker"].user)
    client.post(f"/peer-work/wellbeing/{check_in.pk}/share/", {"shared": "yes"})
    check_in.refresh_from_db()
    assert check_in.shared_with_supervisor
    client.logout()
    sign_in(client, world["supervisor"])
    response = client.get(f"/peer-work/wellbeing/{check_in.pk}/")
    page = text_of(response)
    assert "Shared with you by" in page
    assert "Tired but OK" in page
    assert "Stop sharing" not in page
    assert "Delete this check-in" not in page
    assert "It sounds like" not in page and "If things feel harder" not in page
    assert ModelLogEntry.objects.filter(action=VIEW, user_id=world["supervisor"].pk).count() == 1


def test_the_worker_stops_sharing_and_the_supervisor_loses_sight(client, world):
    check_in = WellbeingCheckInFactory(worker=world["worker"], shared_with_supervisor=True)
    sign_in(client, world["worker"].user)
    response = client.post(f"/peer-work/wellbeing/{check_in.pk}/share/", {"shared": "no"})
    assert response.status_code == 302
    check_in.refresh_from_db()
    assert not check_in.shared_with_supervisor
    assert ModelLogEntry.objects.filter(action=audit_actions.WELLBEING_UNSHARE).count() == 1
    client.logout()
    sign_in(client, world["supervisor"])
    assert client.get(f"/peer-work/wellbeing/{check_in.pk}/").status_code == 404


def test_a_supervisor_cannot_share_or_unshare_for_the_worker(client, world):
    check_in = WellbeingCheckInFactory(worker=world["worker"], shared_with_supervisor=True)
    sign_in(client, world["supervisor"])
    assert (
        client.post(f"/peer-work/wellbeing/{check_in.pk}/share/", {"shared": "no"}).status_code
        == 403
    )
    assert client.post(f"/peer-work/wellbeing/{check_in.pk}/delete/").status_code == 403
    check_in.refresh_from_db()
    assert check_in.shared_with_supervisor


@pytest.mark.parametrize("role", [Role.HR, Role.ADMIN, Role.SUPERVISOR, Role.PEER_WORKER])
def test_nobody_else_sees_a_check_in_even_a_shared_one(client, world, role):
    check_in = WellbeingCheckInFactory(worker=world["worker"], shared_with_supervisor=True)
    if role is Role.PEER_WORKER:
        person = PeerWorkerFactory(organisation=world["organisation"]).user
    else:
        person = UserFactory(organisation=world["organisation"], roles=[role], mfa=True)
    sign_in(client, person)
    assert client.get(f"/peer-work/wellbeing/{check_in.pk}/").status_code == 404
    assert (
        client.post(f"/peer-work/wellbeing/{check_in.pk}/share/", {"shared": "no"}).status_code
        == 404
    )


def test_the_wellbeing_pages_are_for_peer_workers_only(client, world):
    sign_in(client, world["supervisor"])
    assert client.get("/peer-work/wellbeing/").status_code == 403
    assert client.post("/peer-work/wellbeing/check-in/", answers(3)).status_code == 403
    assert not WellbeingCheckIn.objects.exists()


# --- Deleting and history -----------------------------------------------------------------


def test_the_worker_deletes_a_check_in(client, world):
    check_in = WellbeingCheckInFactory(worker=world["worker"])
    sign_in(client, world["worker"].user)
    assert "deleted for good" in text_of(client.get(f"/peer-work/wellbeing/{check_in.pk}/delete/"))
    response = client.post(f"/peer-work/wellbeing/{check_in.pk}/delete/")
    assert response["Location"] == "/peer-work/wellbeing/"
    assert not WellbeingCheckIn.objects.exists()
    assert ModelLogEntry.objects.filter(action=audit_actions.WELLBEING_DELETE).count() == 1


def test_the_history_shows_a_trend_chart_and_table_of_own_check_ins(client, world):
    for value in (2, 3, 4):
        WellbeingCheckInFactory(
            worker=world["worker"], **{field: value for field in scale.ITEM_FIELDS}
        )
    WellbeingCheckInFactory(optimistic=1)  # someone else's
    sign_in(client, world["worker"].user)
    response = client.get("/peer-work/wellbeing/")
    soup = BeautifulSoup(response.content, "html.parser")
    rows = [" ".join(tr.get_text(" ").split()) for tr in soup.select("tbody tr")]
    assert len(rows) == 3
    assert [row for row in rows if "Score 25 Shared" in row]  # 25.03, in whole points
    assert not [row for row in rows if "." in row]
    chart = soup.select_one("ul[aria-hidden=true]").get_text(" ")
    assert re.findall(r": ([\d.]+)", chart) == ["15", "19", "25"]  # oldest first


def test_the_history_costs_the_same_queries_for_3_or_30_check_ins(client, world):
    sign_in(client, world["worker"].user)
    WellbeingCheckInFactory.create_batch(3, worker=world["worker"])
    queries_for(client, "/peer-work/wellbeing/")  # warms the settings cache
    few = queries_for(client, "/peer-work/wellbeing/")
    WellbeingCheckInFactory.create_batch(27, worker=world["worker"])
    assert queries_for(client, "/peer-work/wellbeing/") == few


def test_the_result_page_says_how_the_score_moved(client, world):
    WellbeingCheckInFactory(worker=world["worker"])  # raw 21: 19.25
    sign_in(client, world["worker"].user)
    response = client.post("/peer-work/wellbeing/check-in/", answers(3, useful="5", relaxed="5"))
    page = text_of(client.get(response["Location"]))  # raw 25: 22.35
    assert "That is 3 points higher than last time." in page  # 3.10, in whole points


def test_a_fall_in_the_score_reads_in_whole_points(client, world):
    WellbeingCheckInFactory(worker=world["worker"])  # raw 21: 19.25
    sign_in(client, world["worker"].user)
    response = client.post("/peer-work/wellbeing/check-in/", answers(3, useful="1", relaxed="2"))
    page = text_of(client.get(response["Location"]))  # raw 18: 17.43
    assert "That is 2 points lower than last time." in page  # 1.82, never "1.82 lower"


def test_one_step_of_any_answer_moves_the_score_by_at_least_one_point():
    scores = [scale.metric_score(raw) for raw in range(scale.RAW_MIN, scale.RAW_MAX + 1)]
    steps = [after - before for before, after in zip(scores, scores[1:], strict=False)]
    assert min(scale.change_in_points(step) for step in steps) == 1
    assert scale.change_in_points(Decimal("-2.29")) == -2
    assert scale.change_in_points(Decimal("0.5")) == 1
    assert scale.change_in_points(Decimal("0")) == 0


def test_a_score_reads_in_whole_points_rounded_like_a_change():
    assert scale.score_in_points(Decimal("25.03")) == 25
    assert scale.score_in_points(Decimal("15.84")) == 16
    assert scale.score_in_points(Decimal("17.50")) == 18
    assert scale.score_in_points(Decimal("35.00")) == 35
