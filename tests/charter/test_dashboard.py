"""HR's charter dashboard, made once and kept (charter/dashboard.py), with its charts and
tables written in Python (charter/fragments.py): every change shows at once, the next day
is worked out afresh, user text is escaped, and a kept page costs fewer queries."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.template import Context, Template
from django.utils import timezone

from charter import dashboard, services
from charter.fragments import chart_html, dashboard_measures_html
from charter.models import Charter, Measure, Reading
from charter.selectors import charter_progress
from cms import page_cache
from tests.conftest import sign_in
from tests.factories import (
    CharterActionFactory,
    CharterFactory,
    CommitmentFactory,
    EvidenceFactory,
    MeasureFactory,
    ReadingFactory,
    TargetFactory,
)
from tests.queries import queries_for

TODAY = date(2026, 4, 20)


@pytest.fixture
def measure(charter):
    measure = MeasureFactory(
        commitment=CommitmentFactory(charter=charter, number=1, title="Clear progression pathways"),
        name="Peer workers promoted",
        baseline=Decimal("40"),
    )
    TargetFactory(measure=measure, due_on=date(2027, 3, 31), value=Decimal("80"))
    ReadingFactory(measure=measure, value=Decimal("52"))
    return measure


def _page(client, charter) -> str:
    response = client.get(f"/admin/charter/{charter.pk}/dashboard/")
    assert response.status_code == 200
    return response.content.decode()


# Late in the evening, so the next day is minutes away (and the session still open).
EVENING = datetime(2026, 4, 20, 23, 50, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(EVENING, tick=False):
        yield


# --- Every change shows at once ---------------------------------------------------------------


@pytest.mark.django_db
def test_a_reading_entered_shows_on_the_dashboard_at_once(hr_client, hr, charter, measure):
    assert "61%" not in _page(hr_client, charter)
    services.reading_enter(
        user=hr,
        measure=measure,
        period_start=date(2025, 4, 1),
        period_end=date(2025, 6, 30),
        value=Decimal("61"),
        note="From the HR system.",
    )
    page = _page(hr_client, charter)
    assert "April to June 2025" in page and "61%" in page


@pytest.mark.django_db
def test_a_changed_target_shows_on_the_dashboard_at_once(hr_client, hr, charter, measure):
    assert "Target 80%" in _page(hr_client, charter)
    services.target_set(user=hr, measure=measure, due_on=date(2027, 3, 31), value=Decimal("90"))
    page = _page(hr_client, charter)
    assert "Target 90%" in page and "Target 80%" not in page


@pytest.mark.django_db
def test_a_renamed_measure_shows_on_the_dashboard_at_once(hr_client, charter, measure):
    assert "Peer workers promoted" in _page(hr_client, charter)
    measure.name = "Peer workers who moved up a level"
    measure.save()
    page = _page(hr_client, charter)
    assert "Peer workers who moved up a level" in page and "Peer workers promoted" not in page


@pytest.mark.django_db
def test_a_new_day_shows_what_became_overdue_that_day(hr_client, charter, measure):
    CharterActionFactory(charter=charter, title="Train the panel", due_on=TODAY)
    assert "No actions are overdue." in _page(hr_client, charter)
    with time_machine.travel(EVENING + timedelta(minutes=20), tick=False):
        page = _page(hr_client, charter)
    assert "No actions are overdue." not in page and "Train the panel" in page


@pytest.mark.django_db
def test_a_renamed_person_shows_beside_the_readings_they_entered(hr_client, hr, charter, measure):
    Reading.objects.filter(measure=measure).update(entered_by=hr)
    dashboard.forget()  # a bulk update sends no signal
    assert f"Entered by {hr.get_full_name() or hr.email} on" in _page(hr_client, charter)
    hr.first_name, hr.last_name = "Robin", "Okafor"
    hr.save()  # people are not charter data: no signal reaches the dashboard
    assert "Entered by Robin Okafor on" in _page(hr_client, charter)


@pytest.mark.django_db
def test_a_change_saved_by_another_process_shows_at_once(hr_client, charter, measure):
    assert "52%" in _page(hr_client, charter)
    # Another process saved the reading and replaced the shared generation on commit: this
    # process had no signal, and its own view of the generation is not due for a recheck.
    Reading.objects.filter(measure=measure).update(value=Decimal("57"))
    cache.set(page_cache.GENERATION_KEY, page_cache.generation.current() + 1, None)
    page = _page(hr_client, charter)
    assert "57%" in page and "52%" not in page


def test_every_model_the_dashboard_shows_replaces_the_shared_generation():
    """Other processes only learn of a change through the page cache's generation: each
    model a kept dashboard shows must be public content, or their copies would go stale."""
    assert set(dashboard.SHOWN_MODELS) <= set(page_cache.public_content_models())


@pytest.mark.django_db
def test_reviews_added_in_bulk_show_as_the_next_review(hr_client, charter, measure):
    assert "Next review due" not in _page(hr_client, charter)
    assert services.reviews_schedule(charter=charter, today=TODAY) > 0
    assert "Next review due" in _page(hr_client, charter)


@pytest.mark.django_db
def test_the_kept_dashboard_is_the_page_made_afresh(hr_client, charter, measure):
    def without_token(page: str) -> str:
        # The form's token is the one part made for each request.
        return "\n".join(line for line in page.splitlines() if "csrf" not in line.lower())

    made = _page(hr_client, charter)
    kept = _page(hr_client, charter)
    assert without_token(kept) == without_token(made)
    assert 'name="csrfmiddlewaretoken"' in kept


@pytest.mark.django_db
def test_only_keepers_of_the_charter_see_its_kept_dashboard(
    hr_client, charter, measure, client, make_person, other_organisation
):
    _page(hr_client, charter)
    other_hr = make_person("hr", organisation=other_organisation)
    client.logout()
    sign_in(client, other_hr)
    assert client.get(f"/admin/charter/{charter.pk}/dashboard/").status_code == 404


# --- User text is escaped ---------------------------------------------------------------------

NASTY = """<script>alert("x")</script> & 'Tom's'"""
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;Tom&#x27;s&#x27;"


@pytest.mark.django_db
def test_names_and_notes_are_escaped_on_the_dashboard(hr_client, hr, charter, measure):
    measure.name = NASTY
    measure.save()
    target = measure.targets.get()
    target.note = NASTY
    target.save()
    hr.first_name, hr.last_name = NASTY, ""
    hr.save()
    Reading.objects.filter(measure=measure).update(entered_by=hr)
    dashboard.forget()
    page = _page(hr_client, charter)
    assert "<script>alert" not in page
    assert f'<h3 class="w-h3" id="measure-{measure.pk}-heading">{ESCAPED}</h3>' in page
    assert f"Readings and targets of {ESCAPED}</caption>" in page
    assert f"{ESCAPED}: readings against targets over time." in page  # the chart's title
    assert f"<strong>80%</strong> ({ESCAPED})<br>" in page  # the target's note
    assert f"Entered by {ESCAPED} on" in page


# --- Queries ----------------------------------------------------------------------------------


def _charter_with_measures(organisation, count: int) -> Charter:
    charter = CharterFactory(organisation=organisation, published=True)
    for number in range(count):
        commitment = CommitmentFactory(charter=charter, number=number + 1)
        measure = MeasureFactory(commitment=commitment)
        TargetFactory(measure=measure)
        ReadingFactory(measure=measure, denominator=20, numerator=8)
        ReadingFactory(measure=measure, period_start=date(2025, 4, 1), period_end=date(2025, 6, 30))
        CharterActionFactory(charter=charter, commitment=commitment, overdue=True)
        EvidenceFactory(charter=charter, commitment=commitment)
    return charter


@pytest.mark.django_db
def test_a_made_and_a_kept_dashboard_each_cost_the_same_queries_for_3_and_30_measures(
    hr_client, hr, organisation
):
    few = _charter_with_measures(organisation, 3)
    many = _charter_with_measures(organisation, 30)
    Reading.objects.filter(measure__commitment__charter__in=[few, many]).update(entered_by=hr)
    dashboard.forget()
    hr_client.get(f"/admin/charter/{few.pk}/dashboard/")  # the session's first-visit work

    def made(charter) -> int:
        dashboard.forget()
        return queries_for(hr_client, f"/admin/charter/{charter.pk}/dashboard/")

    def kept(charter) -> int:
        hr_client.get(f"/admin/charter/{charter.pk}/dashboard/")
        return queries_for(hr_client, f"/admin/charter/{charter.pk}/dashboard/")

    assert made(few) == made(many) <= 15
    assert kept(few) == kept(many) <= 15
    assert kept(many) < made(many)


# --- The markup written in Python is the templates' markup ------------------------------------

# The templates the dashboard used before its charts and tables were written in Python
# (charter/fragments.py), kept here to hold that markup to them, byte for byte.
STATUS_TEMPLATE = """{# A RAG status as a mark and words, never colour alone. #}
<strong class="lep-rag lep-rag--{{ status.colour }}"><span aria-hidden="true">{{ status.mark }}</span> {{ status.label }}</strong>
"""  # noqa: E501
CHART_TEMPLATE = """{# #}{% load l10n %}{% localize off %}
<figure class="lep-chart">
  <svg viewBox="0 0 {{ chart.width }} {{ chart.height }}" role="img" aria-labelledby="{{ chart_id }}-title" focusable="false" style="width: 100%; height: auto; max-width: 40rem;">
    <title id="{{ chart_id }}-title">{{ title }}: readings against targets over time. The same numbers are in the table that follows.</title>
    <g fill="none" stroke="#768692" stroke-width="1">
      {% for tick in chart.y_ticks %}<line x1="{{ chart.left }}" x2="{{ chart.right_edge }}" y1="{{ tick.svg_y }}" y2="{{ tick.svg_y }}" stroke-dasharray="1 3"/>{% endfor %}
      <line x1="{{ chart.left }}" x2="{{ chart.left }}" y1="{{ chart.top }}" y2="{{ chart.bottom_edge }}"/>
      <line x1="{{ chart.left }}" x2="{{ chart.right_edge }}" y1="{{ chart.bottom_edge }}" y2="{{ chart.bottom_edge }}"/>
    </g>
    <g font-size="12" fill="#212b32" font-family="inherit">
      {% for tick in chart.y_ticks %}<text x="{{ chart.left|add:'-6' }}" y="{{ tick.svg_y }}" text-anchor="end" dominant-baseline="middle">{{ tick.label }}</text>{% endfor %}
      {% for tick in chart.x_ticks %}<text x="{{ tick.svg_x }}" y="{{ chart.bottom_edge|add:'18' }}" text-anchor="middle">{{ tick.label }}</text>{% endfor %}
    </g>
    {% if chart.trajectory %}<polyline points="{{ chart.trajectory_line }}" fill="none" stroke="#4c6272" stroke-width="2" stroke-dasharray="6 4"/>{% endif %}
    {% if chart.readings %}<polyline points="{{ chart.reading_line }}" fill="none" stroke="#005eb8" stroke-width="2.5"/>{% endif %}
    {% for point in chart.readings %}<circle cx="{{ point.svg_x }}" cy="{{ point.svg_y }}" r="4.5" fill="#005eb8" stroke="#fff" stroke-width="1"/>{% endfor %}
    {% for point in chart.targets %}
    <path d="M {{ point.svg_x }} {{ point.svg_y }} m 0 -8 l 8 8 l -8 8 l -8 -8 z" fill="#fff" stroke="#212b32" stroke-width="2"/>
    <text x="{{ point.svg_x }}" y="{{ point.svg_y }}" dy="-12" text-anchor="middle" font-size="12" font-weight="bold" fill="#212b32">{{ point.label }}</text>
    {% endfor %}
    {% with last=chart.readings|last %}{% if last %}<text x="{{ last.svg_x }}" y="{{ last.svg_y }}" dy="20" text-anchor="middle" font-size="12" fill="#212b32">{{ last.label }}</text>{% endif %}{% endwith %}
  </svg>
  <figcaption class="lep-chart__key">
    <span><svg width="28" height="12" aria-hidden="true" focusable="false"><line x1="0" x2="28" y1="6" y2="6" stroke="#005eb8" stroke-width="2.5"/><circle cx="14" cy="6" r="4" fill="#005eb8"/></svg> Readings</span>
    <span><svg width="18" height="18" aria-hidden="true" focusable="false"><path d="M 9 1 l 8 8 l -8 8 l -8 -8 z" fill="#fff" stroke="#212b32" stroke-width="2"/></svg> Targets</span>
    <span><svg width="28" height="12" aria-hidden="true" focusable="false"><line x1="0" x2="28" y1="6" y2="6" stroke="#4c6272" stroke-width="2" stroke-dasharray="6 4"/></svg> Trajectory to the targets</span>
  </figcaption>
</figure>{% endlocalize %}
"""  # noqa: E501
MEASURES_TEMPLATE = """{% for measure in measures %}
  <section class="lep-measure" aria-labelledby="{{ measure.chart_id }}-heading">
    <h3 class="w-h3" id="{{ measure.chart_id }}-heading">{{ measure.measure.name }}</h3>
    <p>{% include status_template with status=measure.status %}{% if measure.out_of_date %} <strong class="lep-rag lep-rag--stale">Out of date</strong>{% endif %} {{ measure.status.reason }}</p>
    <p class="help">{{ measure.definition }} {{ measure.measure.get_better_display }}. {{ measure.starting_point }} {% if measure.measure.is_computed %}Computed {{ measure.measure.get_frequency_display|lower }}.{% else %}<a href="{% url 'charter_reading_enter' measure.measure.pk %}">Enter a reading</a>.{% endif %}</p>
    {% if measure.chart.empty %}
    <p>No readings or targets yet. <a href="{% url 'charter_targets:add' %}">Add a target</a>.</p>
    {% else %}
    <div class="lep-chart-pair">
      {% include chart_template with chart=measure.chart chart_id=measure.chart_id title=measure.measure.name %}
      <div>
        <table class="listing">
          <caption class="w-sr-only">Readings and targets of {{ measure.measure.name }}</caption>
          <thead><tr><th scope="col">Period or target date</th><th scope="col">Reading</th><th scope="col">Expected</th><th scope="col">Target</th></tr></thead>
          <tbody>
            {% for row in measure.table %}
            {% if row.is_target %}
            <tr><th scope="row">Target for {{ row.due_on|date:"j F Y" }}</th><td></td><td></td><td><strong>{{ row.value }}</strong>{% if row.note %} ({{ row.note }}){% endif %}<br>{{ row.verdict }}</td></tr>
            {% else %}
            <tr><th scope="row">{{ row.period }}</th><td>{{ row.value }}{{ row.counts }}<span class="lep-source">{{ row.source }}{% if row.evidence %}, <a href="{% url 'charter_evidence_download' row.evidence.pk %}">evidence</a>{% endif %}</span></td><td>{{ row.expected }}</td><td></td></tr>
            {% endif %}
            {% endfor %}
          </tbody>
        </table>
        {% if not measure.targets %}<p>No targets yet. <a href="{% url 'charter_targets:add' %}">Add a target</a>.</p>{% endif %}
      </div>
    </div>
    {% endif %}
  </section>
  {% endfor %}"""  # noqa: E501


@pytest.mark.django_db
def test_the_charts_and_tables_are_the_markup_the_templates_made(charter, measure, hr):
    """Every kind of measure: with no readings or targets, targets only, readings only,
    computed and out of date, with evidence, a target's note and user text to escape."""
    commitment = measure.commitment
    MeasureFactory(commitment=commitment, name="Nothing yet")
    TargetFactory(
        measure=MeasureFactory(commitment=commitment, name="Targets only"),
        value=Decimal("12"),
        note="Agreed at the board",
    )
    only_readings = MeasureFactory(
        commitment=commitment, name=NASTY, unit=Measure.Unit.COUNT, baseline=None
    )
    for month in (1, 4, 7):
        ReadingFactory(
            measure=only_readings,
            period_start=date(2025, month, 1),
            period_end=date(2025, month + 2, 28),
            value=Decimal(month * 3),
            numerator=month,
            denominator=40,
            entered_by=hr,
            evidence=EvidenceFactory(charter=charter),
        )
    stale = MeasureFactory(commitment=commitment, name="Days to pay", unit="days", computed=True)
    TargetFactory(measure=stale, due_on=date(2024, 9, 30), value=Decimal("10"))
    TargetFactory(measure=stale, due_on=date(2026, 9, 30), value=Decimal("5"))
    ReadingFactory(measure=stale, computed=True, value=Decimal("14.5"))
    ReadingFactory(
        measure=stale,
        computed=True,
        period_start=date(2024, 4, 1),
        period_end=date(2024, 6, 30),
        value=Decimal("1234.25"),
    )

    progress = charter_progress(charter.pk, today=timezone.localdate())
    (item,) = progress.commitments
    assert len(item.measures) == 5
    context = {
        "measures": item.measures,
        "status_template": Template(STATUS_TEMPLATE),
        "chart_template": Template(CHART_TEMPLATE),
    }
    made_by_templates = Template(MEASURES_TEMPLATE).render(Context(context))
    assert "No readings or targets yet." in made_by_templates
    assert "No targets yet." in made_by_templates
    assert "Out of date" in made_by_templates and "evidence</a>" in made_by_templates
    assert dashboard_measures_html(item.measures) == made_by_templates
    for measure_progress in item.measures:
        chart = Template(CHART_TEMPLATE).render(
            Context(
                {
                    "chart": measure_progress.chart,
                    "chart_id": measure_progress.chart_id,
                    "title": measure_progress.measure.name,
                }
            )
        )
        assert (
            "\n"
            + chart_html(
                measure_progress.chart,
                chart_id=measure_progress.chart_id,
                title=measure_progress.measure.name,
            )
            + "\n"
            == chart
        )
