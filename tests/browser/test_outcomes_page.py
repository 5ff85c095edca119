"""The public outcomes pages in real Chromium: someone finds the partnership's outcomes from
the charter page, opens a programme, reads its figures before and after with the change
worked out and its dated targets, and follows a link to an offer that delivers it.

Every page gets ``check_page`` (see conftest): stylesheets applied, no console errors, no
template syntax showing, no serious or critical axe problems, and a screenshot.
"""

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from charter.factories import (
    ComparisonFactory,
    OutcomeMeasureFactory,
    OutcomeTargetFactory,
    ProgrammeFactory,
)
from peers.factories import TeamFactory
from tests.factories import OfferPageFactory, OrganisationFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_someone_reads_a_programmes_outcomes_and_follows_an_offer(live_server, page, check_page):
    trust = OrganisationFactory(name="Northdale Health NHS Trust", nhs_trust=True)
    cafe = OfferPageFactory(title="Open Door Crisis Café", provider=trust)
    programme = ProgrammeFactory(
        name="Peer mentoring after a hospital stay",
        published=True,
        offers=[cafe],
        teams=[TeamFactory(organisation=trust, name="Inpatient peer support")],
    )
    programme.lead_organisations.set([trust])
    bed_days = OutcomeMeasureFactory(programme=programme, name="Days spent in hospital")
    ComparisonFactory(measure=bed_days, before_value=Decimal("4786"), after_value=Decimal("312"))
    payments = OutcomeMeasureFactory(
        programme=programme, name="People using direct payments", better="higher"
    )
    OutcomeTargetFactory(measure=payments, due_on=date(2099, 4, 1), value=Decimal("250"))

    page.goto(f"{live_server.url}/charter/")
    page.get_by_role("link", name="partnership outcomes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Partnership outcomes")
    check_page(page, "outcomes-index")

    page.get_by_role("link", name="Peer mentoring after a hospital stay").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Peer mentoring after a hospital stay"
    )
    table = page.get_by_role("table").first
    expect(table).to_contain_text("4,786")
    expect(table).to_contain_text("\u22124,474")
    expect(table).to_contain_text("\u221293.5%")
    expect(page.get_by_text("Down by 4,474 (93.5%), from 4,786 to 312.")).to_be_visible()
    expect(page.get_by_role("cell", name="Not due yet")).to_be_visible()
    expect(page.get_by_text("Inpatient peer support (Northdale Health NHS Trust)")).to_be_visible()
    check_page(page, "programme")

    page.get_by_role("link", name="Open Door Crisis Café").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Open Door Crisis Café")
