"""Visitors' copies of public pages (cms/page_cache.py): served without a query, refreshed by
every change that alters a public page, never made for or shown to a signed-in person, never
holding a form or a message, expiring with the clock where the page depends on it, and
answered with 304 when the browser already has the page."""

import re
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.db.models import F, ProtectedError, RestrictedError
from django.db.models.signals import post_delete
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.images import get_image_model
from wagtail.models import Collection, CollectionViewRestriction, Page, PageViewRestriction, Site
from wagtailnhsukfrontend.settings.models import (
    FooterLinks,
    FooterSettings,
    HeaderSettings,
    NavigationLink,
)

from charter.factories import (
    ComparisonFactory,
    OutcomeMeasureFactory,
    OutcomeTargetFactory,
    ProgrammeFactory,
)
from cms import page_cache
from cms.models import Closure, Location
from coproduce.factories import PanelMemberSignOffFactory
from coproduce.models import Feedback, PanelRecommendation
from peers.factories import OfferOutcomeFiguresFactory, SessionLogFactory, VacancyFactory
from tests.cms.test_no_server_errors import _route_paths, _tree_paths
from tests.conftest import sign_in
from tests.coproduce.test_claims import png_bytes
from tests.factories import (
    AreaFactory,
    CharterActionFactory,
    CharterFactory,
    CommitmentFactory,
    ContentPageFactory,
    EvidenceFactory,
    FeedbackFactory,
    MeasureFactory,
    MeetingFactory,
    NeedFactory,
    OfferPageFactory,
    OrganisationFactory,
    PanelFactory,
    ReadingFactory,
    ReviewFactory,
    ServiceChangePageFactory,
    TargetFactory,
    TeamFactory,
    ThemeFactory,
    home_page,
)
from tests.urlwalk import all_routes

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
REGISTERED = [model._meta.label for model in page_cache.public_content_models()]


def a_copy_is_served(client, url: str) -> bool:
    """Whether a visitor's GET of ``url`` is answered from a copy (no query at all)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries) == 0


@pytest.fixture
def visitor():
    return Client()


@pytest.fixture
def offer(db):
    """An offer open on Mondays from 18:00 to 23:00, and its directory."""
    return OfferPageFactory(
        title="Crisis café",
        needs=[NeedFactory(name="Money worries")],
        areas=[AreaFactory(name="Kirklees")],
        opening_times=[(0, "18:00", "23:00")],
    )


@pytest.fixture
def public_everything(db):
    """A published record of every kind a public page shows, one of each registered model."""
    provider = OrganisationFactory(name="Northdale Health NHS Trust", nhs_trust=True)
    need = NeedFactory(name="Money worries")
    area = AreaFactory(name="Kirklees")
    offer = OfferPageFactory(
        title="Crisis café",
        provider=provider,
        needs=[need],
        areas=[area],
        opening_times=[(0, "18:00", "23:00")],
        phone="01484 000000",
    )
    Location.objects.create(
        offer=offer, name="Northdale Library", address="1 High Street", postcode="HD1 1AA"
    )
    Closure.objects.create(offer=offer, first_day=datetime(2027, 12, 25).date(), reason="Holiday")
    theme = ThemeFactory(name="Getting through the door")
    FeedbackFactory(offer=offer, published=True, themes=[theme])
    change = ServiceChangePageFactory(title="Signs at the entrance", offers=[offer], themes=[theme])
    about = ContentPageFactory(title="About us")
    panel = PanelFactory(organisation=provider, recruiting=True)
    MeetingFactory(panel=panel)
    vacancy = VacancyFactory(organisation=provider)
    charter = CharterFactory(organisation=provider, published=True)
    commitment = CommitmentFactory(charter=charter)
    measure = MeasureFactory(commitment=commitment)
    TargetFactory(measure=measure)
    ReadingFactory(measure=measure)
    team = TeamFactory(organisation=provider, name="Inpatient peer support")
    programme = ProgrammeFactory(published=True, offers=[offer], teams=[team])
    programme.lead_organisations.set([provider])
    outcome = OutcomeMeasureFactory(programme=programme)
    ComparisonFactory(measure=outcome, before_value=Decimal("4786"), after_value=Decimal("312"))
    OutcomeTargetFactory(measure=outcome)
    CharterActionFactory(charter=charter)
    EvidenceFactory(charter=charter)
    ReviewFactory(charter=charter)
    SessionLogFactory(worker__team=team, offer=offer)
    OfferOutcomeFiguresFactory(offer=offer)
    PanelRecommendation.objects.create(page=change, text="Put up signs")
    if change.get_latest_revision() is None:
        change.save_revision()
    PanelMemberSignOffFactory(page=change)
    get_image_model().objects.create(title="Logo", file=SimpleUploadedFile("a.png", png_bytes()))
    PageViewRestriction.objects.create(
        page=ContentPageFactory(title="Staff only"), restriction_type=PageViewRestriction.LOGIN
    )
    CollectionViewRestriction.objects.create(
        collection=Collection.get_first_root_node(),
        restriction_type=CollectionViewRestriction.LOGIN,
    )
    site = Site.objects.get(is_default_site=True)
    header = HeaderSettings.for_site(site)
    NavigationLink.objects.create(setting=header, label="About", page=about)
    footer = FooterSettings.for_site(site)
    FooterLinks.objects.create(setting=footer, link_label="Contact", link_url="/contact/")
    return {
        "offer": offer,
        "about": about,
        "change": change,
        "programme": programme,
        "route_args": {
            "slug": [panel.slug, vacancy.slug, programme.slug],
            "organisation_slug": [charter.organisation.slug],
            "offer_id": [offer.pk],
        },
    }


# --- Served from a copy ------------------------------------------------------------------------


def test_a_visitors_second_request_is_served_from_a_copy_without_a_query(visitor, offer):
    about = ContentPageFactory(title="About us")
    for url in ["/", about.url, offer.url, "/find-support/", "/panels/", "/help-now/"]:
        first = visitor.get(url)
        assert first.status_code == 200
        assert a_copy_is_served(visitor, url), url
        again = visitor.get(url)
        assert again.content == first.content
        assert again["ETag"] == first["ETag"]
        assert again["Content-Security-Policy"] == first["Content-Security-Policy"]


def test_a_visitors_page_sets_no_cookie_and_may_be_kept_briefly_by_browsers(visitor, db):
    home = home_page()
    for _ in range(2):
        response = visitor.get(home.url)
        assert not response.cookies
        assert "public" in response["Cache-Control"]
        max_age = int(re.search(r"max-age=(\d+)", response["Cache-Control"]).group(1))
        assert 0 < max_age <= page_cache.BROWSER_MAX_AGE
        assert "Cookie" in response["Vary"]


def test_the_same_question_asked_in_another_order_is_one_copy(visitor, offer):
    visitor.get("/find-support/?need=money-worries&area=kirklees")
    assert a_copy_is_served(visitor, "/find-support/?area=kirklees&need=money-worries")
    assert not a_copy_is_served(visitor, "/find-support/?area=kirklees")


def test_a_head_request_is_answered_from_the_copy(visitor, db):
    visitor.get("/")
    with CaptureQueriesContext(connection) as queries:
        response = visitor.head("/")
    assert response.status_code == 200 and not response.content
    assert len(queries) == 0


# --- Never for, or from, one person ----------------------------------------------------------


def test_a_signed_in_person_never_gets_a_visitors_copy_and_theirs_is_never_kept(
    visitor, client, make_person
):
    visitor.get("/")
    assert a_copy_is_served(visitor, "/")
    sign_in(client, make_person("member"))
    for _ in range(2):
        response = client.get("/")
        assert "Sign out" in response.content.decode()
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
        assert "public" not in response["Cache-Control"]
    assert "Sign out" not in visitor.get("/").content.decode()
    assert len(page_cache.copies) == 1  # the visitor's, only


def test_a_page_with_a_form_is_never_kept(visitor, offer):
    url = reverse("coproduce:feedback_give", kwargs={"offer_id": offer.pk})
    for _ in range(2):
        response = visitor.get(url)
        assert response.status_code == 200 and b"csrfmiddlewaretoken" in response.content
        assert "csrftoken" in response.cookies
        assert "private" in response["Cache-Control"]
    assert not page_cache.copies


def test_a_page_showing_a_message_is_never_kept_nor_answered_from_a_copy(
    visitor, client, make_person
):
    visitor.get("/")
    assert len(page_cache.copies) == 1
    sign_in(client, make_person("member"))
    response = client.post(reverse("account_logout"), follow=True)
    assert "You have signed out." in response.content.decode()
    assert "You have signed out." not in visitor.get("/").content.decode()
    assert len(page_cache.copies) == 1


def test_a_visitor_with_a_message_waiting_gets_it_not_the_copy(visitor, db):
    visitor.get("/")
    from django.contrib.messages import constants
    from django.contrib.messages.storage.base import Message
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.test import RequestFactory

    storage = CookieStorage(RequestFactory().get("/"))
    response = visitor.get("/")
    storage._store([Message(constants.INFO, "Your feedback was sent. Thank you.")], response)
    visitor.cookies[CookieStorage.cookie_name] = response.cookies[CookieStorage.cookie_name].value
    shown = visitor.get("/")
    assert "Your feedback was sent. Thank you." in shown.content.decode()
    assert CookieStorage.cookie_name in shown.cookies  # used up
    assert "Your feedback was sent" not in Client().get("/").content.decode()


# --- Pages that depend on the clock ---------------------------------------------------------


def test_open_now_is_never_more_than_a_minute_old(visitor, offer):
    monday = datetime(2027, 3, 1, 17, 59, 30, tzinfo=LONDON)
    with time_machine.travel(monday, tick=False) as traveller:
        before = visitor.get(offer.url).content.decode()
        assert "Open now" not in before
        traveller.shift(timedelta(seconds=40))
        assert a_copy_is_served(visitor, offer.url)
        traveller.shift(timedelta(seconds=25))
        assert not a_copy_is_served(visitor, offer.url)
        assert "Open now until" in visitor.get(offer.url).content.decode()


def test_other_pages_are_kept_longer_but_never_past_midnight(visitor, db):
    about = ContentPageFactory(title="About us").url
    with time_machine.travel(datetime(2027, 3, 1, 12, 0, tzinfo=LONDON), tick=False) as traveller:
        visitor.get(about)
        traveller.shift(timedelta(seconds=page_cache.LONG - 5))
        assert a_copy_is_served(visitor, about)
        traveller.shift(timedelta(seconds=10))
        assert not a_copy_is_served(visitor, about)
    with time_machine.travel(datetime(2027, 3, 1, 23, 59, 50, tzinfo=LONDON), tick=False) as t:
        visitor.get(about)
        t.shift(timedelta(seconds=5))
        assert a_copy_is_served(visitor, about)
        t.shift(timedelta(seconds=10))
        assert not a_copy_is_served(visitor, about)


# --- Conditional requests ----------------------------------------------------------------------


def test_a_browser_that_has_the_page_gets_304_with_no_body(visitor, db):
    about = ContentPageFactory(title="About the partnership", slug="about")
    first = visitor.get("/about/")
    etag, modified = first["ETag"], first["Last-Modified"]
    for headers in ({"HTTP_IF_NONE_MATCH": etag}, {"HTTP_IF_MODIFIED_SINCE": modified}):
        with CaptureQueriesContext(connection) as queries:
            response = visitor.get("/about/", **headers)
        assert response.status_code == 304 and not response.content
        assert response["ETag"] == etag
        assert len(queries) == 0
    about.title = "Who we are"
    about.save_revision().publish()
    changed = visitor.get("/about/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and "Who we are" in changed.content.decode()
    assert changed["ETag"] != etag


def test_a_signed_in_persons_own_page_is_stored_by_no_browser_or_proxy(client, make_person):
    sign_in(client, make_person("member"))
    response = client.get("/my-space/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response.get("ETag") is None  # nothing kept, so nothing to revalidate


# --- Refreshed by every change -----------------------------------------------------------------


def test_publishing_changes_unpublishing_moving_and_deleting_a_page_reach_visitors(visitor, db):
    about = ContentPageFactory(title="About the partnership", slug="about")
    elsewhere = ContentPageFactory(title="Our work", slug="our-work")
    assert "About the partnership" in visitor.get("/about/").content.decode()
    assert a_copy_is_served(visitor, "/about/")

    about.title = "Who we are"
    about.save_revision().publish()
    assert "Who we are" in visitor.get("/about/").content.decode()

    about.unpublish()
    assert visitor.get("/about/").status_code == 404
    about.save_revision().publish()
    visitor.get("/our-work/")
    visitor.get("/about/")

    about.move(elsewhere, pos="last-child")
    moved = visitor.get("/about/")
    assert moved.status_code in (301, 404) and "Who we are" not in moved.content.decode()
    assert visitor.get("/our-work/about/").status_code == 200

    visitor.get("/our-work/")
    Page.objects.get(pk=elsewhere.pk).delete()
    assert visitor.get("/our-work/").status_code == 404


def test_a_restriction_added_to_a_page_takes_it_from_visitors_at_once(visitor, db):
    about = ContentPageFactory(title="About the partnership", slug="about")
    visitor.get("/about/")
    PageViewRestriction.objects.create(page=about, restriction_type=PageViewRestriction.LOGIN)
    response = visitor.get("/about/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def _pending_replacements() -> list:
    return [f for _, f, _ in connection.run_on_commit if f is page_cache._replace_after_commit]


class _Undo(Exception):
    """Roll a deletion back once its effect on the copies is seen."""


def _refreshes_on_save(instance) -> bool:
    page_cache.copies.put(("test",), _a_copy())
    instance.save()
    if len(page_cache.copies) or len(_pending_replacements()) != 1:
        return False
    # Once the change is committed, every process's copies are out of date.
    before = page_cache.generation.current()
    _pending_replacements()[0]()
    return page_cache.generation.current() != before


def _refreshes_on_delete(instance) -> bool:
    page_cache.copies.put(("test",), _a_copy())
    try:
        with transaction.atomic():
            instance.delete()
            dropped = not len(page_cache.copies)
            raise _Undo
    except _Undo:
        return dropped
    except (ProtectedError, RestrictedError):
        # Others depend on it, so it cannot go: it refreshes if its signal is wired.
        return post_delete.has_listeners(type(instance))


def _a_copy() -> page_cache.Copy:
    return page_cache.Copy(
        generation=page_cache.generation.current(),
        expires_at=float("inf"),
        status=200,
        headers=(),
        content=b"",
    )


def test_saving_or_deleting_any_registered_public_content_refreshes_visitors_pages(
    public_everything,
):
    """One row of each model the apps register (``register_public_content_models``)."""
    assert len(REGISTERED) > 20
    not_refreshed = []
    for label in REGISTERED:
        model = apps.get_model(label)
        instance = model._default_manager.order_by("pk").first()
        assert instance is not None, f"public_everything makes no {label}: add one"
        if not _refreshes_on_save(instance):
            not_refreshed.append(f"saving a {label}")
        if not _refreshes_on_delete(instance):
            not_refreshed.append(f"deleting a {label}")
    assert not not_refreshed, f"Visitors' copies were kept after {not_refreshed}"


def _a_column(model):
    """A stored column of ``model`` that can be written back as it is."""
    return next(
        field.attname
        for field in model._meta.concrete_fields
        if not field.primary_key and not field.generated
    )


def test_a_bulk_update_of_any_registered_public_content_refreshes_visitors_pages(
    public_everything,
):
    """``QuerySet.update()`` sends no signal, yet it changes what visitors read: every
    registered model's table is watched, whichever code writes to it."""
    assert len(REGISTERED) > 20
    not_refreshed = []
    for label in REGISTERED:
        model = apps.get_model(label)
        column = _a_column(model)
        page_cache.copies.put(("test",), _a_copy())
        with transaction.atomic():
            model._base_manager.all().update(**{column: F(column)})
            if len(page_cache.copies) or len(_pending_replacements()) != 1:
                not_refreshed.append(label)
            connection.run_on_commit.clear()
    assert not not_refreshed, f"Visitors' copies were kept after a bulk update of {not_refreshed}"


def test_a_bulk_insert_a_relation_added_in_bulk_and_raw_sql_refresh_visitors_pages(
    public_everything,
):
    feedback = Feedback.objects.get()
    Tagged = Feedback.themes.through
    theme = ThemeFactory(name="Waiting")
    writes = [
        lambda: AreaFactory._meta.model.objects.bulk_create([AreaFactory.build(name="Calder")]),
        lambda: Tagged.objects.bulk_create([Tagged(feedback=feedback, theme=theme)]),
        lambda: connection.cursor().execute('UPDATE "cms_closure" SET reason = reason'),
    ]
    for write in writes:
        connection.run_on_commit.clear()
        page_cache.copies.put(("test",), _a_copy())
        write()
        assert not len(page_cache.copies)
        assert len(_pending_replacements()) == 1


def test_a_write_to_anything_else_keeps_visitors_pages(public_everything):
    page_cache.copies.put(("test",), _a_copy())
    connection.run_on_commit.clear()
    User = apps.get_model("cms.User")
    User.objects.update(first_name=F("first_name"))
    User.objects.filter(pk__in=[]).delete()
    assert len(page_cache.copies) == 1
    assert not _pending_replacements()


def test_a_bulk_change_rolled_back_replaces_nothing(public_everything):
    connection.run_on_commit.clear()
    try:
        with transaction.atomic():
            Closure.objects.update(reason="Never saved")
            raise _Undo
    except _Undo:
        pass
    assert not _pending_replacements()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_bulk_update_outside_a_transaction_replaces_the_shared_number_at_once():
    AreaFactory(name="Kirklees")
    before = page_cache.generation.current()
    page_cache.copies.put(("test",), _a_copy())
    AreaFactory._meta.model.objects.update(name="Calderdale")
    assert not len(page_cache.copies)
    assert page_cache.generation.current() != before


def test_the_watched_tables_are_those_of_the_registered_models_and_their_relations():
    watched = page_cache.public_writes.tables
    for model in page_cache.public_content_models():
        assert model._meta.db_table in watched
        for field in model._meta.local_many_to_many:
            assert field.remote_field.through._meta.db_table in watched
    assert apps.get_model("cms.User")._meta.db_table not in watched
    writes = page_cache.public_writes.writes_public_content
    assert Closure._meta.db_table == "cms_closure"
    assert writes('INSERT INTO "cms_closure" ("x") VALUES (1)')
    assert writes("  update cms_closure set reason = ''")
    assert writes('DELETE FROM "cms_closure" WHERE id = 1')
    assert not writes('SELECT * FROM "cms_closure"')
    assert not writes('UPDATE "cms_closure_other" SET x = 1')


def test_a_changed_relation_of_public_content_refreshes_visitors_pages(offer):
    programme = ProgrammeFactory(published=True, offers=[offer])
    page_cache.copies.put(("test",), _a_copy())
    programme.offers.clear()
    assert not len(page_cache.copies)


def test_many_saves_in_one_transaction_replace_the_shared_number_once(db):
    for area in AreaFactory.create_batch(5):
        area.save()
    assert len(_pending_replacements()) == 1


def test_a_change_in_another_process_reaches_this_one_within_a_second(visitor, db, monkeypatch):
    visitor.get("/")
    assert a_copy_is_served(visitor, "/")
    # Another process replaced the shared number: this one looks again after the recheck.
    page_cache.cache.set(page_cache.GENERATION_KEY, page_cache.generation.current() + 1, None)
    monkeypatch.setattr(page_cache, "GENERATION_RECHECK", 0)
    assert not a_copy_is_served(visitor, "/")


# --- Discovery keeps the registry complete --------------------------------------------------

# Tables public pages read that are not content a change to which must reach visitors.
NOT_CONTENT = {
    "wagtailcore.Locale": "one language; never changes on a running site",
    "contenttypes.ContentType": "fixed by migrations",
    "wagtailcore.Revision": "only the live page is shown; publishing refreshes",
    "wagtailcore.Page": "page signals: published, unpublished, moved, deleted",
    "cms.User": "joined for who entered a figure or leads a charter; no name is shown",
}


def _tables(sql: str) -> set[str]:
    return set(re.findall(r'(?:FROM|JOIN)\s+"?(\w+)"?', sql, flags=re.IGNORECASE))


def _covered(model, registered) -> bool:
    if model._meta.label in NOT_CONTENT or model in registered:
        return True
    # A page type's own table: saved only through the page signals.
    return issubclass(model, Page)


def test_every_table_a_public_page_reads_belongs_to_registered_public_content(
    public_everything,
):
    by_table = {model._meta.db_table: model for model in apps.get_models(include_auto_created=True)}
    registered = set(page_cache.public_content_models())
    paths = set(_tree_paths())
    for route in all_routes():
        if not route.sample_path.startswith("/admin/") and route.name != "wagtail_serve":
            paths.update(_route_paths(route, public_everything["route_args"]))
    client = Client(raise_request_exception=False)
    read, answered = set(), set()
    for path in sorted(paths):
        kept = len(page_cache.copies)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        if response.status_code == 200 and len(page_cache.copies) > kept:
            answered.add(path)
            for query in queries.captured_queries:
                read |= _tables(query["sql"])
    programme = public_everything["route_args"]["slug"][2]
    assert {"/outcomes/", f"/outcomes/{programme}/", "/charter/", "/panels/"} <= answered
    missing = set()
    for table in read:
        model = by_table.get(table)
        if model is None:
            continue
        if model._meta.auto_created:  # a many-to-many table: its owner's registration
            owners = [f.remote_field.model for f in model._meta.fields if f.remote_field]
            if any(_covered(owner, registered) for owner in owners):
                continue
        if not _covered(model, registered):
            missing.add(model._meta.label)
    assert not missing, (
        "Public pages read these, but a change to them would not reach visitors: register "
        f"them with the {page_cache.HOOK!r} hook (or say why not in NOT_CONTENT): "
        f"{sorted(missing)}"
    )
