"""The charter's board report, made with reportlab: a function from the charter's progress
(``selectors.charter_progress``) to PDF bytes, tested without HTTP.

Cover; a summary table of each commitment's status (marks and words, not colour alone);
then a section per commitment with each measure's chart (readings as filled circles on a
solid line, targets as hollow diamonds, the trajectory dashed), its targets, the actions
and the evidence kept.
"""

from dataclasses import dataclass

from reportlab.graphics.shapes import Circle, Drawing, Line, Polygon, PolyLine, Shape, String
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, PageBreak, Spacer, Table

from cms.dates import day_in_words
from cms.pdf import (
    NHS_BLUE,
    NHS_GREY,
    NHS_SECONDARY_TEXT,
    NHS_TEXT,
    PageFooter,
    PdfDocument,
    escape,
    fonts,
    house_styles,
    variant,
)

from . import rag
from .reports_outcomes import partnership_outcomes_section

RAG_COLOURS = {
    rag.GREEN: colors.HexColor("#006435"),
    rag.AMBER: colors.HexColor("#8a4b00"),
    rag.RED: colors.HexColor("#b0180e"),
    rag.GREY: NHS_SECONDARY_TEXT,
}
# Marks a printer in black and white still tells apart.
PDF_MARKS = {rag.GREEN: "On track", rag.AMBER: "Slightly behind", rag.RED: "Off track"}

CHART_KEY = (
    "Key: readings are filled circles joined by a solid line; targets are hollow "
    "diamonds with their value; the dashed line is the trajectory to the targets."
)


def _styles() -> dict[str, ParagraphStyle]:
    _regular, bold = fonts()
    styles = house_styles(size=10.5, leading=14)
    body = styles["body"]
    return styles | {
        "small": variant(body, "small", fontSize=9, leading=12),
        "cover_title": variant(
            body, "cover_title", fontName=bold, fontSize=28, leading=34, spaceAfter=8
        ),
        "organisation": variant(styles["organisation"], fontSize=15),
        "h1": variant(body, "h1", fontName=bold, fontSize=17, leading=22, spaceAfter=6),
        "h2": variant(
            body, "h2", fontName=bold, fontSize=12.5, leading=16, spaceBefore=10, spaceAfter=2
        ),
    }


def _table(doc: PdfDocument, rows, widths_mm, *, repeat_header=True) -> Table:
    return doc.table(
        rows,
        [width * mm for width in widths_mm],
        padding=3,
        side_padding=3,
        flush=False,
        repeat_header=repeat_header,
    )


def _header(doc: PdfDocument, *headings: str) -> list:
    return [doc.para(heading, "key") for heading in headings]


def _status_text(status: rag.Status) -> str:
    colour = RAG_COLOURS[status.colour].hexval()[2:]
    return f'<font color="#{colour}"><b>[{status.mark}] {escape(status.label)}</b></font>'


# --- The measure's chart -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Scale:
    """The chart's geometry (from ``charts.chart``) on the page. The chart's y axis runs
    downwards like SVG; reportlab's runs upwards, so y is flipped."""

    factor: float
    height: float

    def x(self, value):
        return value * self.factor

    def y(self, value):
        return (self.height - value) * self.factor


def _label(x, y, text, *, anchor="middle", bold=False) -> String:
    regular, bold_font = fonts()
    return String(
        x,
        y,
        text,
        fontName=bold_font if bold else regular,
        fontSize=7,
        textAnchor=anchor,
        fillColor=NHS_TEXT,
    )


def chart_drawing(chart, *, width: float = 160 * mm) -> Drawing:
    """The measure's chart (geometry from ``charts.chart``) as a reportlab drawing."""
    scale = _Scale(width / chart.width, chart.height)
    drawing = Drawing(width, chart.height * scale.factor)
    for shape in (
        *_chart_axes(chart, scale),
        *_chart_lines(chart, scale),
        *_chart_points(chart, scale),
    ):
        drawing.add(shape)
    return drawing


def _chart_axes(chart, s: _Scale) -> list[Shape]:
    """Dotted gridlines with their values, the two axes, and the dates along the bottom."""
    shapes = []
    for tick in chart.y_ticks:
        shapes += [
            Line(
                s.x(chart.left),
                s.y(tick.y),
                s.x(chart.right_edge),
                s.y(tick.y),
                strokeColor=NHS_GREY,
                strokeWidth=0.5,
                strokeDashArray=[1, 2],
            ),
            _label(s.x(chart.left) - 4, s.y(tick.y) - 3, tick.label, anchor="end"),
        ]
    corner = (s.x(chart.left), s.y(chart.bottom_edge))
    shapes += [
        Line(
            s.x(chart.left),
            s.y(chart.top),
            *corner,
            strokeColor=NHS_SECONDARY_TEXT,
            strokeWidth=0.8,
        ),
        Line(
            *corner,
            s.x(chart.right_edge),
            corner[1],
            strokeColor=NHS_SECONDARY_TEXT,
            strokeWidth=0.8,
        ),
    ]
    shapes += [_label(s.x(tick.x), corner[1] - 11, tick.label) for tick in chart.x_ticks]
    return shapes


def _chart_lines(chart, s: _Scale) -> list[Shape]:
    """The trajectory dashed, then the readings joined by a solid line."""
    shapes = []
    if len(chart.trajectory) > 1:
        points = [c for p in chart.trajectory for c in (s.x(p.x), s.y(p.y))]
        shapes.append(
            PolyLine(
                points, strokeColor=NHS_SECONDARY_TEXT, strokeWidth=1.2, strokeDashArray=[4, 3]
            )
        )
    if len(chart.readings) > 1:
        points = [c for p in chart.readings for c in (s.x(p.x), s.y(p.y))]
        shapes.append(PolyLine(points, strokeColor=NHS_BLUE, strokeWidth=1.6))
    return shapes


def _chart_points(chart, s: _Scale) -> list[Shape]:
    """Readings as filled circles, targets as hollow diamonds with their value, and the
    latest reading's value under it."""
    shapes = [
        Circle(
            s.x(p.x), s.y(p.y), 2.6, fillColor=NHS_BLUE, strokeColor=colors.white, strokeWidth=0.5
        )
        for p in chart.readings
    ]
    for point in chart.targets:
        cx, cy, r = s.x(point.x), s.y(point.y), 5
        diamond = [cx, cy + r, cx + r, cy, cx, cy - r, cx - r, cy]
        shapes += [
            Polygon(diamond, fillColor=colors.white, strokeColor=NHS_TEXT, strokeWidth=1.2),
            _label(cx, cy + r + 3, point.label, bold=True),
        ]
    if chart.readings:
        last = chart.readings[-1]
        shapes.append(_label(s.x(last.x), s.y(last.y) - 12, last.label))
    return shapes


# --- The report --------------------------------------------------------------------------------


def board_report_pdf(progress, *, on_progress=None) -> bytes:
    """The board report of a charter's progress, as PDF bytes; ``on_progress(percent,
    message)`` hears as each commitment is drawn."""
    report_progress = on_progress or (lambda *_: None)
    charter = progress.charter
    organisation = charter.organisation.name
    doc = PdfDocument(
        styles=_styles(),
        title=f"Board report: {charter.title}, {organisation}",
        author=organisation,
        side_margin=18 * mm,
    )
    story = _cover(doc, progress) + _summary(doc, progress)
    total = max(len(progress.commitments), 1)
    for index, item in enumerate(progress.commitments, start=1):
        report_progress(30 + int(60 * index / total), f"Drawing commitment {index} of {total}")
        story += _commitment_section(doc, item, today=progress.today)
    story += partnership_outcomes_section(doc, today=progress.today)
    data = doc.build(story, footer=PageFooter(left=f"{organisation}: {charter.title}"))
    report_progress(95, "Finishing")
    return data


def _cover(doc: PdfDocument, progress) -> list[Flowable]:
    charter = progress.charter
    story = [
        Spacer(1, 40 * mm),
        doc.para(charter.organisation.name, "organisation"),
        Spacer(1, 4 * mm),
        doc.para(charter.title, "cover_title"),
        doc.para("Board report"),
        Spacer(1, 8 * mm),
        doc.para(f"Version {charter.version}, adopted on {day_in_words(charter.adopted_on)}."),
        doc.para(f"Position on {day_in_words(progress.today)}."),
        Spacer(1, 6 * mm),
        doc.para(
            f"{len(progress.commitments)} commitments, {progress.measure_count} measures, "
            f"{len(progress.actions)} actions ({len(progress.overdue_actions)} overdue), "
            f"{len(progress.evidence)} pieces of evidence."
        ),
    ]
    if progress.next_review:
        due_on = day_in_words(progress.next_review.due_on)
        story.append(doc.para(f"Next quarterly review due on {due_on}."))
    return story


def _summary(doc: PdfDocument, progress) -> list[Flowable]:
    """Each commitment's status in one table, then the overdue actions."""
    rows = [_header(doc, "Commitment", "Status", "Measures")]
    for item in progress.commitments:
        measures = "; ".join(
            f"{m.measure.name}: {m.latest}" + (" (out of date)" if m.out_of_date else "")
            for m in item.measures
        )
        rows.append(
            [
                doc.para(str(item.commitment)),
                doc.markup(_status_text(item.status)),
                doc.para(measures or "None yet", "small"),
            ]
        )
    story = [
        PageBreak(),
        doc.para("Summary", "h1"),
        doc.para(f"How the status is worked out. {progress.rule}", "small"),
        Spacer(1, 3 * mm),
        _table(doc, rows, (60, 32, 78)),
    ]
    if progress.overdue_actions:
        overdue = [_header(doc, "Action", "Owner", "Due")] + [
            [doc.para(a.title), doc.para(a.owner), doc.para(day_in_words(a.due_on))]
            for a in progress.overdue_actions
        ]
        story += [doc.para("Overdue actions", "h2"), _table(doc, overdue, (90, 45, 35))]
    return story


def _commitment_section(doc: PdfDocument, item, *, today) -> list[Flowable]:
    story = [
        PageBreak(),
        doc.para(str(item.commitment), "h1"),
        doc.markup(f"Status: {_status_text(item.status)}"),
    ]
    if item.commitment.description:
        story.append(doc.para(item.commitment.description, "small"))
    for measure in item.measures:
        story += _measure_section(doc, measure)
    story += _actions_section(doc, item.actions, today=today)
    evidence = [
        doc.para(f"• {evidence.title} (added {day_in_words(evidence.created_at)})", "small")
        for evidence in item.evidence
    ]
    story += doc.section(
        "Evidence", evidence, empty="No evidence kept yet.", heading_style="h2", empty_style="small"
    )
    return story


def _measure_section(doc: PdfDocument, measure) -> list[Flowable]:
    """The measure's status and chart kept together, then its targets (met or missed, on
    which reading) and latest readings (who or what made each)."""
    flag = " <b>[Out of date]</b>" if measure.out_of_date else ""
    parts = [
        doc.para(measure.measure.name, "h2"),
        doc.markup(
            f"{_status_text(measure.status)}{flag} {escape(measure.status.reason)}", "small"
        ),
        doc.para(
            f"Latest: {measure.latest}. {measure.definition} {measure.starting_point}".strip(),
            "small",
        ),
    ]
    if not measure.chart.empty:
        parts += [Spacer(1, 2 * mm), chart_drawing(measure.chart), doc.para(CHART_KEY, "small")]
    story = [KeepTogether(parts)]
    if measure.targets:
        targets = [_header(doc, "Target date", "Target", "Met?")] + [
            [
                doc.para(day_in_words(t.due_on)),
                doc.para(t.value + (f" ({t.note})" if t.note else "")),
                doc.para(t.verdict),
            ]
            for t in measure.targets
        ]
        story += [Spacer(1, 2 * mm), _table(doc, targets, (35, 70, 65), repeat_header=False)]
    if measure.rows:
        readings = [_header(doc, "Period", "Reading", "Expected", "Source")] + [
            [
                doc.para(r.period),
                doc.para(r.value),
                doc.para(r.expected),
                doc.para(r.source, "small"),
            ]
            for r in measure.rows[:8]
        ]
        story += [
            Spacer(1, 2 * mm),
            doc.para("Latest readings", "key"),
            _table(doc, readings, (45, 35, 25, 65), repeat_header=False),
        ]
    return story


def _actions_section(doc: PdfDocument, actions, *, today) -> list[Flowable]:
    content = []
    if actions:
        rows = [_header(doc, "Action", "Owner", "Due", "Status")] + [
            [
                doc.para(a.title),
                doc.para(a.owner),
                doc.para(day_in_words(a.due_on)),
                doc.para(("Overdue: " if a.is_overdue(today) else "") + a.get_status_display()),
            ]
            for a in actions
        ]
        content = [_table(doc, rows, (70, 40, 30, 30))]
    return doc.section(
        "Actions", content, empty="No actions recorded.", heading_style="h2", empty_style="small"
    )
