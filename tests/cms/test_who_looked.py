"""'Who has looked at your records': each person sees every time someone else viewed,
changed, downloaded or erased their records, with who, when and why, and nothing else."""

import datetime
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from wagtail.models import ModelLogEntry

from cms import audit
from cms.dates import moment_in_words
from cms.roles import Role
from tests.conftest import ROLE_NAMES, sign_in
from tests.factories import OrganisationFactory, UserFactory
from tests.queries import queries_for

pytestmark = pytest.mark.django_db

URL = "/my-space/who-looked/"
EMPTY = "Nobody else has looked at or changed your records."


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _at(entry, moment: datetime.datetime):
    ModelLogEntry.objects.filter(pk=entry.pk).update(timestamp=moment)


def test_a_person_sees_who_looked_at_their_records_when_and_why(client, make_person):
    person = make_person("peer_worker")
    supervisor = make_person("supervisor", first_name="Priya", last_name="Shah")
    entry = audit.audit_view(
        user=supervisor, instance=person, reason="Supervisor read a supervisee's record"
    )
    _at(entry, datetime.datetime(2026, 12, 1, 15, 5, tzinfo=datetime.UTC))

    text = _text(sign_in(client, person).get(URL))

    assert "Who has looked at your records" in text
    assert "Tuesday 1 December 2026 at 3:05pm" in text
    assert "Looked at your name and email address" in text
    assert "Priya Shah" in text
    assert "Supervisor, Northdale Health NHS Trust" in text
    assert "Supervisor read a supervisee&#x27;s record" in text
    assert EMPTY not in text


@pytest.mark.parametrize(
    ("record", "words"),
    [
        (
            lambda p, by: audit.audit_change(user=by, instance=p, reason="Fixed", fields=["x"]),
            "Changed",
        ),
        (
            lambda p, by: audit.audit_export(user=by, instance=p, reason="SAR", count=1),
            "Downloaded",
        ),
        (lambda p, by: audit.audit_erase(user=by, instance=p, reason="Asked to"), "Erased"),
    ],
)
def test_each_kind_of_action_is_said_in_plain_words(client, make_person, record, words):
    person = make_person("member")
    record(person, make_person("admin"))
    text = _text(sign_in(client, person).get(URL))
    assert f"{words} your name and email address" in text


def test_looking_at_your_own_records_is_not_listed(client, make_person):
    person = make_person("peer_worker")
    audit.audit_view(user=person, instance=person, reason="Read my own record")
    text = _text(sign_in(client, person).get(URL))
    assert "Read my own record" not in text
    assert EMPTY in text


def test_nobody_sees_what_was_looked_at_about_someone_else(client, make_person):
    person = make_person("member")
    someone_else = make_person("member")
    audit.audit_view(user=make_person("hr"), instance=someone_else, reason="About another")
    text = _text(sign_in(client, person).get(URL))
    assert "About another" not in text
    assert EMPTY in text


def test_automatic_tasks_are_shown_as_the_system(client, make_person):
    person = make_person("member")
    audit.audit_erase(user=None, instance=person, reason="Retention period ended")
    text = _text(sign_in(client, person).get(URL))
    assert "The system (an automatic task)" in text
    assert "Retention period ended" in text


def test_someone_without_a_staff_role_is_shown_by_role_not_name(client, make_person):
    person = make_person("member")
    peer = make_person("peer_worker", first_name="Quentin", last_name="Blake")
    audit.audit_view(user=peer, instance=person, reason="Looked")
    text = _text(sign_in(client, person).get(URL))
    assert "Quentin" not in text
    assert "Someone without a staff role" in text
    assert "Peer worker, Northdale Health NHS Trust" in text


def test_the_record_is_named_by_its_kind_never_by_its_title(client, make_person):
    """The audit log's own label is the record's title, which can name someone else."""
    person = make_person("member")
    ModelLogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(person),
        object_id=str(person.pk),
        label="Notes naming Olive Otherperson",
        action=audit.VIEW,
        user=make_person("engagement_lead"),
        timestamp=timezone.now(),
        data={"about": person.pk, "reason": "Deciding an application"},
    )
    text = _text(sign_in(client, person).get(URL))
    assert "Otherperson" not in text
    assert "Looked at your name and email address" in text


def test_entries_are_newest_first_25_to_a_page(client, make_person):
    person = make_person("member")
    admin = make_person("admin")
    start = datetime.datetime(2026, 1, 1, 9, 0, tzinfo=datetime.UTC)
    for n in range(26):
        entry = audit.audit_view(user=admin, instance=person, reason=f"Reason number {n:02d}")
        _at(entry, start + datetime.timedelta(days=n))
    sign_in(client, person)

    first = _text(client.get(URL))
    assert first.count("Reason number") == 25
    assert first.index("Reason number 25") < first.index("Reason number 24")
    assert "Reason number 00" not in first
    assert "Page 2 of 2" in first

    second = _text(client.get(URL + "?page=2"))
    assert second.count("Reason number") == 1
    assert "Reason number 00" in second


@pytest.mark.parametrize("page", ["abc", "-1", "0", "99999", "1e9", "%00", "2" * 40])
def test_any_page_number_gives_a_page(client, make_person, page):
    person = make_person("member")
    audit.audit_view(user=make_person("admin"), instance=person, reason="Checked")
    response = sign_in(client, person).get(URL, {"page": page})
    assert response.status_code == 200
    assert "Checked" in _text(response)


def test_people_who_are_not_signed_in_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", [name for name in ROLE_NAMES if name not in {"anonymous"}])
def test_every_role_sees_only_their_own_entries(client, make_person, role):
    person = make_person(role)
    other = make_person("member")
    looker = make_person("admin")
    audit.audit_view(user=looker, instance=person, reason="Yours")
    audit.audit_view(user=looker, instance=other, reason="Not yours")
    response = sign_in(client, person).get(URL)
    if role == "unverified":
        # An unverified account is signed out and asked to sign in.
        assert response.status_code == 302
        return
    text = _text(response)
    assert response.status_code == 200
    assert "Yours" in text
    assert "Not yours" not in text


def test_the_page_refuses_to_change_anything(client, make_person):
    person = make_person("member")
    response = sign_in(client, person).post(URL)
    assert response.status_code == 405


def test_my_space_links_to_the_page(client, make_person):
    person = make_person("member")
    text = _text(sign_in(client, person).get("/my-space/"))
    assert f'href="{URL}"' in text
    assert "Who has looked at your records" in text


def test_the_page_costs_the_same_queries_with_3_entries_or_30(client, make_person):
    person = make_person("member")
    sign_in(client, person)

    def add(count):
        for n in range(count):
            looker = UserFactory(
                roles=[Role.SUPERVISOR, Role.ENGAGEMENT_LEAD][: n % 2 + 1],
                organisation=OrganisationFactory(),
            )
            audit.audit_view(user=looker, instance=person, reason="Checked")
            audit.audit_erase(user=None, instance=person, reason="Tidied")

    add(3)
    client.get(URL)  # The first request of a session warms caches the page does not own.
    few = queries_for(client, URL)
    add(27)
    assert queries_for(client, URL) == few


def test_times_are_in_words_in_uk_time():
    summer = datetime.datetime(2026, 7, 14, 8, 30, tzinfo=datetime.UTC)
    assert moment_in_words(summer) == "Tuesday 14 July 2026 at 9:30am"
    winter = datetime.datetime(2026, 12, 1, 0, 0, tzinfo=datetime.UTC)
    assert moment_in_words(winter) == "Tuesday 1 December 2026 at 12:00am"


def test_on_postgresql_finding_a_persons_entries_uses_the_index_not_a_full_read(db):
    """However long the audit log grows, the page reads only the person's own entries."""
    from django.db import connection

    from cms.who_looked import looks_at_records_of

    if connection.vendor != "postgresql":
        pytest.skip("The index on whose record an entry is about exists on PostgreSQL only.")
    person = UserFactory()
    sql, params = looks_at_records_of(person).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "cms_modellogentry_about" in plan, plan
