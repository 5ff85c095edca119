"""The charter's most repeated markup, written as HTML in Python: a RAG status, a measure's
trend chart (SVG) and, on the dashboard, each measure's section with its table of readings.

A dashboard of 30 measures draws 30 charts and about 800 table rows; through template
loops, tags and filters that took most of the request. Every value from the database or
from a person (names, notes, labels) goes through ``conditional_escape``, as a template
variable would, so the page is the same, byte for byte.
"""

from collections.abc import Callable, Iterable

from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from . import rag
from .charts import Chart

# The SVG's fixed parts. Shapes, lines and labels carry the meaning, not colour: filled
# circles joined by a solid line are readings, hollow diamonds are targets, the dashed line
# is the trajectory; the same numbers are in the table beside it. Coordinates are never
# localised: an SVG reads them as plain numbers.
_CHART_KEY = (
    '  <figcaption class="lep-chart__key">\n'
    '    <span><svg width="28" height="12" aria-hidden="true" focusable="false"><line x1="0" '
    'x2="28" y1="6" y2="6" stroke="#005eb8" stroke-width="2.5"/><circle cx="14" cy="6" r="4" '
    'fill="#005eb8"/></svg> Readings</span>\n'
    '    <span><svg width="18" height="18" aria-hidden="true" focusable="false"><path '
    'd="M 9 1 l 8 8 l -8 8 l -8 -8 z" fill="#fff" stroke="#212b32" stroke-width="2"/></svg> '
    "Targets</span>\n"
    '    <span><svg width="28" height="12" aria-hidden="true" focusable="false"><line x1="0" '
    'x2="28" y1="6" y2="6" stroke="#4c6272" stroke-width="2" stroke-dasharray="6 4"/></svg> '
    "Trajectory to the targets</span>\n"
    "  </figcaption>\n"
    "</figure>"
)


def status_html(status: rag.Status) -> SafeString:
    """A RAG status as a mark and words, never colour alone."""
    return mark_safe(  # noqa: S308 - every part is escaped
        f'<strong class="lep-rag lep-rag--{conditional_escape(status.colour)}">'
        f'<span aria-hidden="true">{conditional_escape(status.mark)}</span> '
        f"{conditional_escape(status.label)}</strong>"
    )


def chart_html(chart: Chart, *, chart_id: str, title: str) -> SafeString:
    """A measure's readings against its targets as an SVG figure with its key."""
    chart_id = conditional_escape(chart_id)
    left, right, top, bottom = chart.left, chart.right_edge, chart.top, chart.bottom_edge
    parts = [
        '<figure class="lep-chart">\n'
        f'  <svg viewBox="0 0 {chart.width} {chart.height}" role="img" '
        f'aria-labelledby="{chart_id}-title" focusable="false" '
        'style="width: 100%; height: auto; max-width: 40rem;">\n'
        f'    <title id="{chart_id}-title">{conditional_escape(title)}: readings against '
        "targets over time. The same numbers are in the table that follows.</title>\n"
        '    <g fill="none" stroke="#768692" stroke-width="1">\n      '
    ]
    parts.extend(
        f'<line x1="{left}" x2="{right}" y1="{tick.svg_y}" y2="{tick.svg_y}" '
        'stroke-dasharray="1 3"/>'
        for tick in chart.y_ticks
    )
    parts.append(
        f'\n      <line x1="{left}" x2="{left}" y1="{top}" y2="{bottom}"/>\n'
        f'      <line x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}"/>\n'
        "    </g>\n"
        '    <g font-size="12" fill="#212b32" font-family="inherit">\n      '
    )
    parts.extend(
        f'<text x="{left - 6}" y="{tick.svg_y}" text-anchor="end" dominant-baseline="middle">'
        f"{conditional_escape(tick.label)}</text>"
        for tick in chart.y_ticks
    )
    parts.append("\n      ")
    parts.extend(
        f'<text x="{tick.svg_x}" y="{bottom + 18}" text-anchor="middle">'
        f"{conditional_escape(tick.label)}</text>"
        for tick in chart.x_ticks
    )
    parts.append("\n    </g>\n    ")
    if chart.trajectory:
        parts.append(
            f'<polyline points="{chart.trajectory_line}" fill="none" stroke="#4c6272" '
            'stroke-width="2" stroke-dasharray="6 4"/>'
        )
    parts.append("\n    ")
    if chart.readings:
        parts.append(
            f'<polyline points="{chart.reading_line}" fill="none" stroke="#005eb8" '
            'stroke-width="2.5"/>'
        )
    parts.append("\n    ")
    parts.extend(
        f'<circle cx="{point.svg_x}" cy="{point.svg_y}" r="4.5" fill="#005eb8" stroke="#fff" '
        'stroke-width="1"/>'
        for point in chart.readings
    )
    parts.append("\n    ")
    for point in chart.targets:
        parts.append(
            f'\n    <path d="M {point.svg_x} {point.svg_y} m 0 -8 l 8 8 l -8 8 l -8 -8 z" '
            'fill="#fff" stroke="#212b32" stroke-width="2"/>\n'
            f'    <text x="{point.svg_x}" y="{point.svg_y}" dy="-12" text-anchor="middle" '
            'font-size="12" font-weight="bold" fill="#212b32">'
            f"{conditional_escape(point.label)}</text>\n    "
        )
    parts.append("\n    ")
    if chart.readings:
        last = chart.readings[-1]
        parts.append(
            f'<text x="{last.svg_x}" y="{last.svg_y}" dy="20" text-anchor="middle" '
            f'font-size="12" fill="#212b32">{conditional_escape(last.label)}</text>'
        )
    parts.append("\n  </svg>\n")
    parts.append(_CHART_KEY)
    return mark_safe("".join(parts))  # noqa: S308 - every part is escaped


def _memo(function: Callable) -> Callable:
    """``function`` of one argument, each argument worked out once (for one page)."""
    known: dict = {}

    def memoised(value):
        try:
            return known[value]
        except KeyError:
            result = known[value] = function(value)
            return result

    return memoised


def dashboard_measures_html(measures: Iterable) -> SafeString:
    """Each measure's section of the staff dashboard: its status, definition, chart and the
    table of its readings and targets (``measures`` are ``selectors.MeasureProgress``)."""
    escape = _memo(conditional_escape)
    day = _memo(lambda value: date_filter(value, "j F Y"))
    add_target_url = reverse("charter_targets:add")
    add_target = f'<a href="{add_target_url}">Add a target</a>.</p>'
    parts: list[str] = []
    for measure in measures:
        model = measure.measure
        chart_id = escape(measure.chart_id)
        name = escape(model.name)
        if model.is_computed:
            how = f"Computed {escape(model.get_frequency_display().lower())}."
        else:
            url = reverse("charter_reading_enter", args=[model.pk])
            how = f'<a href="{url}">Enter a reading</a>.'
        stale = (
            ' <strong class="lep-rag lep-rag--stale">Out of date</strong>'
            if measure.out_of_date
            else ""
        )
        parts.append(
            f'\n  <section class="lep-measure" aria-labelledby="{chart_id}-heading">\n'
            f'    <h3 class="w-h3" id="{chart_id}-heading">{name}</h3>\n'
            f"    <p>\n{status_html(measure.status)}\n{stale} "
            f"{escape(measure.status.reason)}</p>\n"
            f'    <p class="help">{escape(measure.definition)} '
            f"{escape(model.get_better_display())}. {escape(measure.starting_point)} "
            f"{how}</p>\n    "
        )
        if measure.chart.empty:
            parts.append(f"\n    <p>No readings or targets yet. {add_target}\n    ")
        else:
            parts.append(
                '\n    <div class="lep-chart-pair">\n      \n'
                f"{chart_html(measure.chart, chart_id=measure.chart_id, title=model.name)}"
                "\n\n      <div>\n"
                '        <table class="listing">\n'
                f'          <caption class="w-sr-only">Readings and targets of {name}</caption>\n'
                '          <thead><tr><th scope="col">Period or target date</th>'
                '<th scope="col">Reading</th><th scope="col">Expected</th>'
                '<th scope="col">Target</th></tr></thead>\n'
                "          <tbody>\n            "
            )
            for row in measure.table:
                if row.is_target:
                    note = f" ({escape(row.note)})" if row.note else ""
                    parts.append(
                        "\n            \n"
                        f'            <tr><th scope="row">Target for {escape(day(row.due_on))}'
                        f"</th><td></td><td></td><td><strong>{escape(row.value)}</strong>"
                        f"{note}<br>{escape(row.verdict)}</td></tr>\n"
                        "            \n            "
                    )
                else:
                    evidence = ""
                    if row.evidence:
                        url = reverse("charter_evidence_download", args=[row.evidence.pk])
                        evidence = f', <a href="{url}">evidence</a>'
                    parts.append(
                        "\n            \n"
                        f'            <tr><th scope="row">{escape(row.period)}</th>'
                        f"<td>{escape(row.value)}{escape(row.counts)}"
                        f'<span class="lep-source">{escape(row.source)}{evidence}</span></td>'
                        f"<td>{escape(row.expected)}</td><td></td></tr>\n"
                        "            \n            "
                    )
            no_targets = "" if measure.targets else f"<p>No targets yet. {add_target}"
            parts.append(
                "\n          </tbody>\n"
                "        </table>\n"
                f"        {no_targets}\n"
                "      </div>\n"
                "    </div>\n    "
            )
        parts.append("\n  </section>\n  ")
    return mark_safe("".join(parts))  # noqa: S308 - every part is escaped
