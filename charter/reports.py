"""The charter's board report, made with reportlab: a function from the charter's progress
(``selectors.charter_progress``) to PDF bytes, tested without HTTP.

Cover; a summary table of each commitment's status (marks and words, not colour alone);
then a section per commitment with each measure's chart (readings as filled circles on a
solid line, targets as hollow diamonds, the trajectory dashed), its targets, the actions
and the evidence kept.
"""

from html import escape
from io import BytesIO

from reportlab.graphics.shapes import Circle, Drawing, Line, Polygon, PolyLine, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from cms.dates import day_in_words
from cms.pdf import NHS_BLUE, NHS_GREY, NHS_SECONDARY_TEXT, NHS_TEXT, fonts

from . import rag

RAG_COLOURS = {
    rag.GREEN: colors.HexColor("#006435"),
    rag.AMBER: colors.HexColor("#8a4b00"),
    rag.RED: colors.HexColor("#b0180e"),
    rag.GREY: NHS_SECONDARY_TEXT,
}
# Marks a printer in black and white still tells apart.
PDF_MARKS = {rag.GREEN: "On track", rag.AMBER: "Slightly behind", rag.RED: "Off track"}


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = fonts()
    base = ParagraphStyle("body", fontName=regular, fontSize=10.5, leading=14, textColor=NHS_TEXT)
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=9, leading=12),
        "cover_title": ParagraphStyle(
            "cover_title", parent=base, fontName=bold, fontSize=28, leading=34, spaceAfter=8
        ),
        "organisation": ParagraphStyle(
            "organisation", parent=base, fontName=bold, fontSize=15, textColor=NHS_BLUE
        ),
        "h1": ParagraphStyle(
            "h1", parent=base, fontName=bold, fontSize=17, leading=22, spaceAfter=6
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName=bold,
            fontSize=12.5,
            leading=16,
            spaceBefore=10,
            spaceAfter=2,
        ),
        "key": ParagraphStyle("key", parent=base, fontName=bold),
    }


def _table_style() -> TableStyle:
    _, bold = fonts()
    return TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, 0), bold),
            ("LINEBELOW", (0, 0), (-1, 0), 1, NHS_TEXT),
            ("LINEBELOW", (0, 1), (-1, -1), 0.5, NHS_GREY),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ]
    )


def _status_text(status: rag.Status) -> str:
    colour = RAG_COLOURS[status.colour].hexval()[2:]
    return f'<font color="#{colour}"><b>[{status.mark}] {escape(status.label)}</b></font>'


def chart_drawing(chart, *, width: float = 160 * mm) -> Drawing:
    """The measure's chart (geometry from ``charts.chart``) as a reportlab drawing. The
    chart's y axis runs downwards like SVG; reportlab's runs upwards, so y is flipped."""
    regular, bold = fonts()
    scale = width / chart.width
    drawing = Drawing(width, chart.height * scale)

    def x(value):
        return value * scale

    def y(value):
        return (chart.height - value) * scale

    for tick in chart.y_ticks:
        drawing.add(
            Line(
                x(chart.left),
                y(tick.y),
                x(chart.right_edge),
                y(tick.y),
                strokeColor=NHS_GREY,
                strokeWidth=0.5,
                strokeDashArray=[1, 2],
            )
        )
        drawing.add(
            String(
                x(chart.left) - 4,
                y(tick.y) - 3,
                tick.label,
                fontName=regular,
                fontSize=7,
                textAnchor="end",
                fillColor=NHS_TEXT,
            )
        )
    drawing.add(
        Line(
            x(chart.left),
            y(chart.top),
            x(chart.left),
            y(chart.bottom_edge),
            strokeColor=NHS_SECONDARY_TEXT,
            strokeWidth=0.8,
        )
    )
    drawing.add(
        Line(
            x(chart.left),
            y(chart.bottom_edge),
            x(chart.right_edge),
            y(chart.bottom_edge),
            strokeColor=NHS_SECONDARY_TEXT,
            strokeWidth=0.8,
        )
    )
    for tick in chart.x_ticks:
        drawing.add(
            String(
                x(tick.x),
                y(chart.bottom_edge) - 11,
                tick.label,
                fontName=regular,
                fontSize=7,
                textAnchor="middle",
                fillColor=NHS_TEXT,
            )
        )
    if len(chart.trajectory) > 1:
        drawing.add(
            PolyLine(
                [c for p in chart.trajectory for c in (x(p.x), y(p.y))],
                strokeColor=NHS_SECONDARY_TEXT,
                strokeWidth=1.2,
                strokeDashArray=[4, 3],
            )
        )
    if len(chart.readings) > 1:
        drawing.add(
            PolyLine(
                [c for p in chart.readings for c in (x(p.x), y(p.y))],
                strokeColor=NHS_BLUE,
                strokeWidth=1.6,
            )
        )
    for point in chart.readings:
        drawing.add(
            Circle(
                x(point.x),
                y(point.y),
                2.6,
                fillColor=NHS_BLUE,
                strokeColor=colors.white,
                strokeWidth=0.5,
            )
        )
    for point in chart.targets:
        cx, cy, r = x(point.x), y(point.y), 5
        drawing.add(
            Polygon(
                [cx, cy + r, cx + r, cy, cx, cy - r, cx - r, cy],
                fillColor=colors.white,
                strokeColor=NHS_TEXT,
                strokeWidth=1.2,
            )
        )
        drawing.add(
            String(
                cx,
                cy + r + 3,
                point.label,
                fontName=bold,
                fontSize=7,
                textAnchor="middle",
                fillColor=NHS_TEXT,
            )
        )
    if chart.readings:
        last = chart.readings[-1]
        drawing.add(
            String(
                x(last.x),
                y(last.y) - 12,
                last.label,
                fontName=regular,
                fontSize=7,
                textAnchor="middle",
                fillColor=NHS_TEXT,
            )
        )
    return drawing


def _key(styles) -> Paragraph:
    return Paragraph(
        "Key: readings are filled circles joined by a solid line; targets are hollow "
        "diamonds with their value; the dashed line is the trajectory to the targets.",
        styles["small"],
    )


def board_report_pdf(progress, *, on_progress=None) -> bytes:
    """The board report of a charter's progress, as PDF bytes; ``on_progress(percent,
    message)`` hears as each commitment is drawn."""
    report_progress = on_progress or (lambda *_: None)
    styles = _styles()
    charter = progress.charter

    def para(text, style="body"):
        return Paragraph(escape(str(text)), styles[style])

    story = [
        Spacer(1, 40 * mm),
        para(charter.organisation.name, "organisation"),
        Spacer(1, 4 * mm),
        para(charter.title, "cover_title"),
        para("Board report"),
        Spacer(1, 8 * mm),
        para(f"Version {charter.version}, adopted on {day_in_words(charter.adopted_on)}."),
        para(f"Position on {day_in_words(progress.today)}."),
        Spacer(1, 6 * mm),
        para(
            f"{len(progress.commitments)} commitments, {progress.measure_count} measures, "
            f"{len(progress.actions)} actions ({len(progress.overdue_actions)} overdue), "
            f"{len(progress.evidence)} pieces of evidence."
        ),
    ]
    if progress.next_review:
        due_on = day_in_words(progress.next_review.due_on)
        story.append(para(f"Next quarterly review due on {due_on}."))
    story += [
        PageBreak(),
        para("Summary", "h1"),
        para(f"How the status is worked out. {progress.rule}", "small"),
        Spacer(1, 3 * mm),
    ]
    rows = [[para("Commitment", "key"), para("Status", "key"), para("Measures", "key")]]
    for item in progress.commitments:
        rows.append(
            [
                para(str(item.commitment)),
                Paragraph(_status_text(item.status), styles["body"]),
                para(
                    "; ".join(f"{m.measure.name}: {m.latest}" for m in item.measures) or "None yet",
                    "small",
                ),
            ]
        )
    summary = Table(rows, colWidths=[60 * mm, 32 * mm, 78 * mm], repeatRows=1)
    summary.setStyle(_table_style())
    story.append(summary)
    if progress.overdue_actions:
        story += [para("Overdue actions", "h2")]
        overdue = [[para("Action", "key"), para("Owner", "key"), para("Due", "key")]] + [
            [para(a.title), para(a.owner), para(day_in_words(a.due_on))]
            for a in progress.overdue_actions
        ]
        table = Table(overdue, colWidths=[90 * mm, 45 * mm, 35 * mm], repeatRows=1)
        table.setStyle(_table_style())
        story.append(table)

    total = max(len(progress.commitments), 1)
    for index, item in enumerate(progress.commitments, start=1):
        report_progress(30 + int(60 * index / total), f"Drawing commitment {index} of {total}")
        story += [PageBreak(), para(str(item.commitment), "h1")]
        story.append(Paragraph(f"Status: {_status_text(item.status)}", styles["body"]))
        if item.commitment.description:
            story.append(para(item.commitment.description, "small"))
        for measure in item.measures:
            parts = [
                para(measure.measure.name, "h2"),
                Paragraph(
                    f"{_status_text(measure.status)} {escape(measure.status.reason)}",
                    styles["small"],
                ),
                para(f"Latest: {measure.latest}. {measure.definition}", "small"),
            ]
            if not measure.chart.empty:
                parts += [Spacer(1, 2 * mm), chart_drawing(measure.chart), _key(styles)]
            story.append(KeepTogether(parts))
            if measure.targets:
                targets = [
                    [para("Target date", "key"), para("Target", "key"), para("Met?", "key")]
                ] + [
                    [
                        para(day_in_words(t.due_on)),
                        para(t.value + (f" ({t.note})" if t.note else "")),
                        para(t.met),
                    ]
                    for t in measure.targets
                ]
                table = Table(targets, colWidths=[40 * mm, 95 * mm, 35 * mm])
                table.setStyle(_table_style())
                story += [Spacer(1, 2 * mm), table]
            if measure.rows:
                recent = measure.rows[:8]
                readings = [
                    [para("Period", "key"), para("Reading", "key"), para("Expected", "key")]
                ] + [[para(r.period), para(r.value), para(r.expected)] for r in recent]
                table = Table(readings, colWidths=[70 * mm, 50 * mm, 50 * mm])
                table.setStyle(_table_style())
                story += [Spacer(1, 2 * mm), para("Latest readings", "key"), table]
        story.append(para("Actions", "h2"))
        if item.actions:
            actions = [
                [
                    para("Action", "key"),
                    para("Owner", "key"),
                    para("Due", "key"),
                    para("Status", "key"),
                ]
            ] + [
                [
                    para(a.title),
                    para(a.owner),
                    para(day_in_words(a.due_on)),
                    para(
                        ("Overdue: " if a.is_overdue(progress.today) else "")
                        + a.get_status_display()
                    ),
                ]
                for a in item.actions
            ]
            table = Table(actions, colWidths=[70 * mm, 40 * mm, 30 * mm, 30 * mm], repeatRows=1)
            table.setStyle(_table_style())
            story.append(table)
        else:
            story.append(para("No actions recorded.", "small"))
        story.append(para("Evidence", "h2"))
        if item.evidence:
            for evidence in item.evidence:
                story.append(
                    para(f"• {evidence.title} (added {day_in_words(evidence.created_at)})", "small")
                )
        else:
            story.append(para("No evidence kept yet.", "small"))

    buffer = BytesIO()
    regular, _ = fonts()

    def footer(canvas, document):
        canvas.saveState()
        canvas.setFont(regular, 8)
        canvas.setFillColor(NHS_SECONDARY_TEXT)
        canvas.drawString(18 * mm, 10 * mm, f"{charter.organisation.name}: {charter.title}")
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"Page {document.page}")
        canvas.restoreState()

    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"Board report: {charter.title}, {charter.organisation.name}",
        author=charter.organisation.name,
        lang="en-GB",
    )
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    report_progress(95, "Finishing")
    return buffer.getvalue()
