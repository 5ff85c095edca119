"""The board report's "Partnership outcomes" section: every published programme's outcome
measures before and after (the change worked out, the method in words, small numbers held
back as on the public page) and its dated partnership targets with their status and rule.

``outcomes_section`` draws from selector output (``selectors_outcomes``), tested without
HTTP; ``partnership_outcomes_section`` is the one call ``reports.board_report_pdf`` makes.
"""

from datetime import date

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, PageBreak, Spacer

from cms.dates import day_in_words
from cms.pdf import PdfDocument, escape

from .selectors_outcomes import ProgrammeOutcomes, partnership_outcomes

INTRO = (
    "Programmes the partnership runs together, with figures before and after each one. "
    "These belong to the whole partnership, not to one organisation's charter."
)


def partnership_outcomes_section(doc: PdfDocument, *, today: date) -> list[Flowable]:
    """The section, for every published programme as of ``today``."""
    return outcomes_section(doc, partnership_outcomes(today=today))


def outcomes_section(doc: PdfDocument, programmes: list[ProgrammeOutcomes]) -> list[Flowable]:
    story = [PageBreak(), doc.para("Partnership outcomes", "h1"), doc.para(INTRO, "small")]
    if not programmes:
        return story + [
            Spacer(1, 3 * mm),
            doc.para("No programme has published its outcomes yet.", "body"),
        ]
    story += [Spacer(1, 2 * mm), doc.para(programmes[0].change_method, "small")]
    if any(p.has_targets for p in programmes):
        story.append(doc.para(f"How targets are judged. {programmes[0].targets_rule}", "small"))
    for outcomes in programmes:
        story += _programme(doc, outcomes)
    return story


def _header(doc: PdfDocument, *headings: str) -> list:
    return [doc.para(heading, "key") for heading in headings]


def _table(doc: PdfDocument, rows, widths_mm):
    return doc.table(
        rows,
        [width * mm for width in widths_mm],
        padding=3,
        side_padding=3,
        flush=False,
        repeat_header=False,
    )


def _programme(doc: PdfDocument, outcomes: ProgrammeOutcomes) -> list[Flowable]:
    programme = outcomes.programme
    led = f"Led by {', '.join(outcomes.led_by)}." if outcomes.led_by else "Run by the partnership."
    story = [
        Spacer(1, 4 * mm),
        doc.para(programme.name, "h2"),
        doc.para(f"{programme.summary} {led}", "small"),
    ]
    delivered = []
    if outcomes.offers:
        delivered.append("Offers: " + "; ".join(o.title for o in outcomes.offers) + ".")
    if outcomes.teams:
        delivered.append("Peer-worker teams: " + "; ".join(outcomes.teams) + ".")
    if delivered:
        story.append(doc.para(" ".join(delivered), "small"))
    if not outcomes.measures:
        story.append(doc.para("No outcome measures yet.", "small"))
    for item in outcomes.measures:
        story += _measure(doc, item)
    return story


def _measure(doc: PdfDocument, item) -> list[Flowable]:
    measure = item.measure
    parts = [
        Spacer(1, 2 * mm),
        doc.para(measure.name, "key"),
        doc.para(
            f"What is counted: {measure.counted} {measure.get_better_display()}. "
            f"Method: {item.method}",
            "small",
        ),
    ]
    if item.comparisons:
        rows = [_header(doc, "Before", "After", "Change", "% change")]
        for line in item.comparisons:
            rows.append(
                [
                    doc.para(f"{line.figures.before} ({line.before_period})", "small"),
                    doc.para(f"{line.figures.after} ({line.after_period})", "small"),
                    doc.para(line.figures.change, "small"),
                    doc.para(line.figures.percent, "small"),
                ]
            )
        parts += [Spacer(1, 1 * mm), _table(doc, rows, (48, 48, 40, 36))]
        for line in item.comparisons:
            note = f" {line.note}" if line.note else ""
            parts.append(doc.para(f"{line.figures.sentence} {line.source}.{note}", "small"))
    else:
        parts.append(doc.para("No figures entered yet.", "small"))
    story: list[Flowable] = [KeepTogether(parts)]
    if item.targets:
        status = item.status
        rows = [_header(doc, "Target date", "Target", "Met?")] + [
            [
                doc.para(day_in_words(t.due_on), "small"),
                doc.para(t.value + (f" ({t.note})" if t.note else ""), "small"),
                doc.para(t.met, "small"),
            ]
            for t in item.targets
        ]
        story += [
            Spacer(1, 1 * mm),
            doc.markup(
                f"<b>Partnership targets: [{escape(status.mark)}] {escape(status.label)}</b>. "
                f"{escape(status.reason)}",
                "small",
            ),
            _table(doc, rows, (45, 90, 37)),
        ]
    return story
