"""The Open Referral UK feed driven by the standard's own OpenAPI description.

schemathesis reads ``../shared/oruk/schema/openapi.json`` (next to the repository, never
copied into it), generates requests for every operation we serve, sends them to the site
in-process (Django's WSGI application, inside the test's database transaction) and checks
each answer: never a server error, JSON, and every 200 shaped as the standard says. Then
every object the feed publishes is checked against the standard's JSON schemas.

The document says ``"type": "time"`` for the start_time and end_time parameters, which is
not a JSON Schema type; the test patches its own copy to a string in "HH:MM" form. It also
points ``/service_at_locations/{id}`` at the service schema, though it describes (and the
standard's own example is) a service at a location: the copy points it at
``compiled/service_at_location.json``.
"""

import copy
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cms.models import Closure
from cms.oruk import ids
from tests.cms.test_oruk import (
    ORUK_DIR,
    SCHEMA_BASE,
    _schema,
    assert_nested_parts_valid,
    assert_valid,
)
from tests.cms.test_oruk_locations import add_place
from tests.factories import AreaFactory, NeedFactory, OfferPageFactory, OrganisationFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not (ORUK_DIR / "schema" / "openapi.json").is_file(),
        reason="../shared/oruk/schema/openapi.json not found: ORUK schemathesis tests skipped",
    ),
]

API_ROOT = "http://testserver/api/oruk"
EXAMPLES_PER_OPERATION = 15


def _inlined(node, base: Path):
    """``node`` with every reference to one of the standard's schema files replaced by the
    file itself, so nothing is fetched from the internet."""
    if isinstance(node, list):
        return [_inlined(item, base) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref", "")
    if ref and not ref.startswith("#"):
        target = (base / ref.removeprefix(SCHEMA_BASE)).resolve()
        if ref.startswith(SCHEMA_BASE):
            target = ORUK_DIR / "schema" / ref.removeprefix(SCHEMA_BASE)
        document = json.loads(target.read_text())
        for key in ("$schema", "$id"):
            document.pop(key, None)
        return _inlined(document, target.parent)
    return {key: _inlined(value, base) for key, value in node.items()}


def _with_time_parameters_fixed(document: dict) -> dict:
    document = copy.deepcopy(document)
    for parameter in document["components"]["parameters"].values():
        if parameter.get("schema", {}).get("type") == "time":
            parameter["schema"] = {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$"}
    return document


def _with_service_at_location_detail_fixed(document: dict) -> dict:
    document = copy.deepcopy(document)
    answer = document["paths"]["/service_at_locations/{id}"]["get"]["responses"]["200"]
    answer["content"]["application/json"]["schema"] = {
        "$ref": SCHEMA_BASE + "compiled/service_at_location.json"
    }
    return document


@pytest.fixture(scope="module")
def openapi() -> dict:
    raw = json.loads((ORUK_DIR / "schema" / "openapi.json").read_text())
    fixed = _with_service_at_location_detail_fixed(_with_time_parameters_fixed(raw))
    return _inlined(fixed, ORUK_DIR / "schema")


@pytest.fixture
def feed(db):
    """Published offers with awkward but valid content, needs and areas."""
    money = NeedFactory(name="Money worries", description='Debt, "benefits" & bills.')
    lonely = NeedFactory(name="Feeling lonely 🙂")
    kirklees = AreaFactory(name="Kirklees")
    provider = OrganisationFactory(name="Calderdale & Kirklees Mind")
    offers = [
        OfferPageFactory(
            title='Crisis café "The Sanctuary"',
            slug="crisis-cafe",
            summary="A calm place <after> dark. Ça va? مرحبا",
            provider=provider,
            needs=[money, lonely],
            areas=[kirklees],
            opening_times=[(0, "18:00", "23:00"), (4, "18:00", "02:00"), (5, "00:00", "00:00")],
            email="cafe@example.org",
            phone="01484 000000",
            website="https://example.org/café/",
            address="The Old Library\nHigh Street\nHuddersfield",
            postcode="HD1 1AA",
            venue_accessibility="Step-free entrance.",
            languages="Urdu, Polish",
            bsl=True,
            age_from=18,
            age_to=99,
            cost="£2 a visit",
        ),
        OfferPageFactory(title="Debt advice", needs=[money], online=True, in_person=False),
        OfferPageFactory(title="Walk and talk", provider=provider, open_24_hours=True),
    ]
    Closure.objects.create(offer=offers[2], first_day=date(2026, 12, 25), reason="Christmas")
    add_place(
        offers[2],
        "Huddersfield Library",
        "HD1 2SU",
        latitude=Decimal("53.646400"),
        longitude=Decimal("-1.782500"),
        step_free=True,
        own_times=[(3, "10:00", "14:00")],
    )
    add_place(offers[2], 'Café & "Dewsbury" Hall', "WF13 1DG", step_free=False)
    return {"offers": offers, "needs": [money, lonely]}


def _site_in_this_transaction():
    """Django's WSGI application, called the way Django's test client calls it: without
    closing the database connection at the end of each request, which would end the test's
    transaction (and on PostgreSQL close the connection the test's data lives in)."""
    handler = WSGIHandler()

    def application(environ, start_response):
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = handler(environ, start_response)
            try:
                body = b"".join(response)
            finally:
                response.close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        return [body]

    return application


def _operations(openapi):
    import schemathesis

    schema = schemathesis.openapi.from_dict(openapi)
    operations = []
    for result in schema.get_all_operations():
        operations.append(result.ok())
    return operations


def test_every_operation_we_serve_answers_generated_requests_as_the_standard_says(openapi, feed):
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
    )

    app = _site_in_this_transaction()
    operations = _operations(openapi)
    assert {operation.path for operation in operations} >= {
        "/",
        "/services",
        "/services/{id}",
        "/taxonomies",
        "/taxonomies/{id}",
        "/taxonomy_terms",
        "/taxonomy_terms/{id}",
        "/service_at_locations",
        "/service_at_locations/{id}",
    }
    at_places = [item["id"] for item in _all_pages(Client(), "oruk_service_at_locations")]
    real_ids = [
        {
            "services": ids.service_id(offer),
            "taxonomies": ids.taxonomy_id(),
            "taxonomy_terms": ids.need_id(need),
            "service_at_locations": at_place,
        }
        for offer, need, at_place in zip(
            feed["offers"], feed["needs"] * 2, at_places * 3, strict=False
        )
    ]
    statuses = set()
    for operation in operations:

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(), real_id=st.sampled_from([None, *real_ids]))
        def drive(case, real_id):
            if "id" in (case.path_parameters or {}) and real_id is not None:
                # Half the time one of ours, so a detail's 200 is checked too.
                case.path_parameters = {"id": real_id[case.path.split("/")[1]]}
            response = case.call(app=app, base_url=API_ROOT)
            statuses.add(response.status_code)
            case.validate_response(
                response,
                checks=[
                    not_a_server_error,
                    content_type_conformance,
                    response_schema_conformance,
                ],
            )

        drive()
    assert 200 in statuses


def _all_pages(client, name: str) -> list[dict]:
    contents, page = [], 1
    while True:
        data = client.get(reverse(name), {"page": page, "per_page": 2}).json()
        assert_valid(data, f"/{name.removeprefix('oruk_')}")
        contents += data["contents"]
        if data["last_page"]:
            return contents
        page += 1


def test_every_published_object_follows_the_standard(client, feed):
    services = _all_pages(client, "oruk_services")
    assert len(services) == len(feed["offers"])
    for summary in services:
        service = client.get(reverse("oruk_service", args=[summary["id"]])).json()
        assert_valid(service, "/services/{id}")
        assert_nested_parts_valid(service)
    taxonomies = _all_pages(client, "oruk_taxonomies")
    for taxonomy in taxonomies:
        assert_valid(
            client.get(reverse("oruk_taxonomy", args=[taxonomy["id"]])).json(),
            "/taxonomies/{id}",
        )
    at_places = _all_pages(client, "oruk_service_at_locations")
    assert len(at_places) == 3  # the café's address, and Walk and talk's two places
    at_a_place = _schema("compiled/service_at_location.json")
    for item in at_places:
        detail = client.get(reverse("oruk_service_at_location", args=[item["id"]])).json()
        at_a_place.validate(detail)
        assert_nested_parts_valid(detail["service"])
    terms = _all_pages(client, "oruk_taxonomy_terms")
    assert {term["id"] for term in terms} >= {ids.need_id(need) for need in feed["needs"]}
    for term in terms:
        assert_valid(
            client.get(reverse("oruk_taxonomy_term", args=[term["id"]])).json(),
            "/taxonomy_terms/{id}",
        )
