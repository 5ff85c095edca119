"""Every spreadsheet the site hands out keeps formula-shaped text inert.

The exports are found, not listed: every URL the site resolves whose view is a Wagtail
listing or report with ``list_export`` (the project's own and Wagtail's), and every URL that
looks like a download (``.csv``, "export" in its name). Each must have a seeder below, which
puts a formula-shaped value into a text field that export shows; the download (CSV, and
Excel where offered) must carry it with a leading apostrophe, in a text cell. Hand-written
CSV is only possible through ``cms.exports.csv_response``: the source check refuses any
other writer.
"""

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from wagtail.admin.views.mixins import SpreadsheetExportMixin
from wagtail.contrib.redirects.models import Redirect
from wagtail.log_actions import log

from charter.factories import ComparisonFactory
from cms.exports import spreadsheet_safe
from peers.factories import VacancyFactory
from tests.conftest import sign_in
from tests.factories import (
    CharterActionFactory,
    CharterFactory,
    ContentPageFactory,
    FeedbackFactory,
    InvolvementClaimFactory,
    MeetingFactory,
    OfferPageFactory,
    OrganisationFactory,
    PanelApplicationFactory,
    PanelFactory,
    PeerWorkerFactory,
    ReadingFactory,
    SessionLogFactory,
    ThemeFactory,
)
from tests.urlwalk import all_routes

FORMULA = '=HYPERLINK("http://x")'
FORMULA_SHAPES = ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\t=1", "\r=1"]
PROJECT_APPS = ("cms", "coproduce", "peers", "charter")
ROOT = Path(__file__).resolve().parents[2]


# --- Finding the exports -------------------------------------------------------------------


def _view_class(func, depth=0):
    """The class-based view behind a URL's callback, looking through decorators."""
    if hasattr(func, "view_class"):
        return func.view_class, getattr(func, "view_initkwargs", {})
    if depth > 5:
        return None
    inner = [getattr(func, "__wrapped__", None)]
    for cell in getattr(func, "__closure__", None) or ():
        try:
            inner.append(cell.cell_contents)
        except ValueError:
            continue
    for candidate in inner:
        if callable(candidate) and (found := _view_class(candidate, depth + 1)):
            return found
    return None


def _served_views():
    """(URL name, path, callback) of every route, as the site really answers its path (a
    shadowing route wins, as it does for a request)."""
    for route in all_routes():
        if not route.name:
            continue
        try:
            match = resolve(route.sample_path)
        except Resolver404:
            continue
        name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
        yield name, route.sample_path, match.func


def list_exports():
    """{URL name: (view class, initkwargs)} of every listing or report offering CSV/Excel."""
    found = {}
    for name, _path, func in _served_views():
        view = _view_class(func)
        if view is None or not issubclass(view[0], SpreadsheetExportMixin):
            continue
        view_class, initkwargs = view
        if initkwargs.get("list_export", getattr(view_class, "list_export", None)):
            found[name] = view
    return found


def download_routes():
    """URL names that look like downloads of a spreadsheet."""
    return {
        name
        for name, path, _func in _served_views()
        if path.rstrip("/").endswith(".csv") or "export" in name.split(":")[-1]
    }


# --- Seeders: a formula-shaped value each export shows, and who may download it ------------


def _staff(make_person, role):
    return make_person(role)


def seed_organisations(make_person, organisation):
    OrganisationFactory(name=FORMULA)
    return make_person("admin"), reverse("organisations:index")


def seed_offers_overdue(make_person, organisation):
    offer = OfferPageFactory(title=FORMULA, slug="formula-offer", provider=organisation)
    offer.last_reviewed = timezone.localdate() - timedelta(days=800)
    offer.save_revision().publish()
    return make_person("editor"), reverse("offers_overdue_report")


def seed_site_history(make_person, organisation):
    admin = make_person("admin")
    log(OrganisationFactory(name=FORMULA), "wagtail.create", user=admin)
    return admin, reverse("site_history_for_administrators")


def seed_locked_pages(make_person, organisation):
    admin = make_person("admin")
    page = ContentPageFactory(title=FORMULA, slug="formula-page")
    page.locked, page.locked_by, page.locked_at = True, admin, timezone.now()
    page.save()
    return admin, reverse("wagtailadmin_reports:locked_pages")


def seed_aging_pages(make_person, organisation):
    admin = make_person("admin")
    page = ContentPageFactory(title=FORMULA, slug="formula-page")
    page.save_revision(user=admin).publish(user=admin)
    return admin, reverse("wagtailadmin_reports:aging_pages")


def seed_redirects(make_person, organisation):
    Redirect.objects.create(old_path="/old-leaflet", redirect_link=FORMULA)
    return make_person("admin"), reverse("wagtailredirects:index")


def seed_claims(make_person, organisation):
    InvolvementClaimFactory(
        approved=True,
        attendance__meeting__panel__organisation=organisation,
        attendance__meeting__panel__title=FORMULA,
    )
    return make_person("finance"), reverse("claims:index")


def seed_feedback(make_person, organisation):
    FeedbackFactory(offer__provider=organisation, went_well=FORMULA)
    return make_person("engagement_lead"), reverse("feedback:index")


def seed_feedback_trends(make_person, organisation):
    FeedbackFactory(offer__provider=organisation, themes=[ThemeFactory(name=FORMULA)])
    return make_person("engagement_lead"), reverse("feedback_trends:index")


def seed_meetings(make_person, organisation):
    MeetingFactory(panel__organisation=organisation, title=FORMULA)
    return make_person("engagement_lead"), reverse("meetings:index")


def seed_panels(make_person, organisation):
    PanelFactory(organisation=organisation, title=FORMULA)
    return make_person("engagement_lead"), reverse("panels:index")


def seed_panel_applications(make_person, organisation):
    PanelApplicationFactory(
        panel__organisation=organisation, panel__title="Crisis café", access_needs_other=FORMULA
    )
    return make_person("engagement_lead"), reverse("panel_applications:index")


def seed_vacancies(make_person, organisation):
    VacancyFactory(organisation=organisation, title=FORMULA)
    return make_person("hr"), reverse("vacancies:index")


def seed_peer_workers(make_person, organisation):
    PeerWorkerFactory(organisation=organisation, job_title=FORMULA)
    return make_person("hr"), reverse("peer_workers:index")


def seed_charters(make_person, organisation):
    CharterFactory(organisation=organisation, title=FORMULA)
    return make_person("hr"), reverse("charters:index")


def seed_charter_readings(make_person, organisation):
    ReadingFactory(measure__commitment__charter__organisation=organisation, note=FORMULA)
    return make_person("hr"), reverse("charter_readings:index")


def seed_charter_actions(make_person, organisation):
    CharterActionFactory(charter__organisation=organisation, title=FORMULA)
    return make_person("hr"), reverse("charter_actions:index")


def seed_outcome_comparisons(make_person, organisation):
    ComparisonFactory(measure__programme__name=FORMULA, note=FORMULA)
    return make_person("hr", partnership_wide=True), reverse("outcome_comparisons:index")


def seed_own_sessions(make_person, organisation):
    worker = PeerWorkerFactory(organisation=organisation)
    SessionLogFactory(worker=worker, person_reference=FORMULA)
    return worker.user, reverse("peers:sessions_export")


def seed_worker_sessions(make_person, organisation):
    worker = PeerWorkerFactory(organisation=organisation)
    SessionLogFactory(worker=worker, person_reference=FORMULA)
    return worker.user, reverse("peers:worker_sessions_export", args=[worker.pk])


def seed_bank_file(make_person, organisation):
    from coproduce.factories import PayeeDetailsFactory
    from coproduce.models import PaymentRun

    claim = InvolvementClaimFactory(
        approved=True, attendance__meeting__panel__organisation=organisation
    )
    PayeeDetailsFactory(user=claim.member, name=FORMULA)
    run = PaymentRun.objects.create(organisation=organisation)
    type(claim).objects.filter(pk=claim.pk).update(payment_run=run)
    return make_person("finance"), reverse("payment_runs:bank_file", args=[run.pk])


# URL name -> (seeder, formats offered). Names are those the site answers with (Wagtail's
# own reports are answered by the project's spreadsheet-safe copies, named "..._safe").
EXPORTS = {
    "organisations:index": (seed_organisations, ("csv", "xlsx")),
    "offers_overdue_report": (seed_offers_overdue, ("csv", "xlsx")),
    "site_history_for_administrators": (seed_site_history, ("csv", "xlsx")),
    "locked_pages_safe": (seed_locked_pages, ("csv", "xlsx")),
    "aging_pages_safe": (seed_aging_pages, ("csv", "xlsx")),
    "redirects_safe": (seed_redirects, ("csv", "xlsx")),
    "claims:index": (seed_claims, ("csv", "xlsx")),
    "feedback:index": (seed_feedback, ("csv", "xlsx")),
    "feedback_trends:index": (seed_feedback_trends, ("csv",)),
    "meetings:index": (seed_meetings, ("csv", "xlsx")),
    "panels:index": (seed_panels, ("csv", "xlsx")),
    "panel_applications:index": (seed_panel_applications, ("csv", "xlsx")),
    "vacancies:index": (seed_vacancies, ("csv", "xlsx")),
    "peer_workers:index": (seed_peer_workers, ("csv", "xlsx")),
    "charters:index": (seed_charters, ("csv", "xlsx")),
    "charter_readings:index": (seed_charter_readings, ("csv", "xlsx")),
    "charter_actions:index": (seed_charter_actions, ("csv", "xlsx")),
    "outcome_comparisons:index": (seed_outcome_comparisons, ("csv", "xlsx")),
    "peers:sessions_export": (seed_own_sessions, ("file",)),
    "peers:worker_sessions_export": (seed_worker_sessions, ("file",)),
    # A bank's importer reads it, not a spreadsheet: text is cut to the Bacs character set
    # (no "=", "+", "@", quotes) and starts with a letter or digit, not made inert with "'".
    "payment_runs:bank_file": (seed_bank_file, ("bank",)),
}
# Exports checked field by field only (below), with the reason a download is not seeded.
CHECKED_BY_FIELD_ONLY = {
    "workflow_safe": "needs pages in moderation; Wagtail's workflow report, made safe",
    "workflow_tasks_safe": "needs pages in moderation; Wagtail's workflow report, made safe",
}


# --- The checks ----------------------------------------------------------------------------


def test_every_listing_export_and_download_has_a_seeded_check():
    found = set(list_exports()) | download_routes()
    results_only = {
        name for name, (_c, kwargs) in list_exports().items() if kwargs.get("results_only")
    }
    unchecked = found - results_only - set(EXPORTS) - set(CHECKED_BY_FIELD_ONLY)
    assert not unchecked, (
        f"New exports {sorted(unchecked)}: add a seeder to EXPORTS in this file, and build "
        "them on cms.exports (ScopedModelViewSet / SpreadsheetSafeExportMixin / csv_response)."
    )


@pytest.mark.parametrize("value", FORMULA_SHAPES)
def test_every_listing_export_makes_every_column_safe(value):
    """Every column of every export, in both formats, turns formula-shaped text inert
    (columns whose own formatting does not take text are left to the seeded downloads)."""
    checked = 0
    for name, (view_class, initkwargs) in list_exports().items():
        view = view_class(**initkwargs)
        columns = initkwargs.get("list_export", view_class.list_export)
        for field in columns:
            for export_format in ("csv", "xlsx"):
                try:
                    out = view.preprocess_field_value(field, value, export_format)
                except (TypeError, ValueError, AttributeError, KeyError):
                    # The column's own formatting takes no text: not a text column.
                    continue
                assert out == spreadsheet_safe(value) and out.startswith("'"), (name, field)
                checked += 1
    assert checked > 100


def test_no_csv_is_written_except_through_the_one_helper():
    pattern = re.compile(r"csv\.(writer|DictWriter)|text/csv|StreamingHttpResponse")
    offenders = [
        str(path.relative_to(ROOT))
        for app in PROJECT_APPS
        for path in (ROOT / app).rglob("*.py")
        if path != ROOT / "cms" / "exports.py" and pattern.search(path.read_text())
    ]
    assert offenders == [], "Write CSV with cms.exports.csv_response instead"


def _cells_in_csv(content: bytes) -> list[str]:
    text = content.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _formula_cells(cells) -> list:
    return [cell for cell in cells if "HYPERLINK" in str(getattr(cell, "value", cell))]


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", sorted(EXPORTS))
def test_formula_shaped_text_comes_out_inert(client, make_person, organisation, url_name):
    seeder, formats = EXPORTS[url_name]
    person, path = seeder(make_person, organisation)
    sign_in(client, person)
    for export_format in formats:
        url = path if export_format in ("file", "bank") else f"{path}?export={export_format}"
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        content = b"".join(response.streaming_content) if response.streaming else response.content
        if export_format == "bank":
            cells = _formula_cells(_cells_in_csv(content))
            assert cells, f"{url}: the seeded value is not in the export"
            assert all(cell[:1].isalnum() and '"' not in cell for cell in cells), (url, cells)
        elif export_format == "xlsx":
            sheet = openpyxl.load_workbook(io.BytesIO(content)).active
            cells = _formula_cells(cell for row in sheet.iter_rows() for cell in row)
            assert cells, f"{url}: the seeded value is not in the export"
            for cell in cells:
                assert cell.data_type == "s" and cell.value.startswith("'"), (url, cell.value)
        else:
            cells = _formula_cells(_cells_in_csv(content))
            assert cells, f"{url}: the seeded value is not in the export"
            assert all(cell.startswith("'") for cell in cells), (url, cells)
