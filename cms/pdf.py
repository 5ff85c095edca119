"""The PDF kit every report the platform makes is built on: the NHS.UK colours, one font
pair that prints names as written, the A4 page with its footer, the house paragraph and
table styles, headed sections, and escaping so what people typed prints as written. Each
app's ``reports.py`` builds its documents from small section functions on these."""

import html
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from io import BytesIO
from pathlib import Path

import reportlab
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

NHS_BLUE = colors.HexColor("#005eb8")
NHS_TEXT = colors.HexColor("#212b32")
NHS_SECONDARY_TEXT = colors.HexColor("#4c6272")
NHS_GREY = colors.HexColor("#d8dde0")

# DejaVu (where the system has it) covers far more alphabets than reportlab's own Vera, so
# names such as Łukasz or Zoë print as written; Vera ships with reportlab, so there is
# always a font that has the pound sign.
_FONT_CANDIDATES = [
    (
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ),
    (
        Path(reportlab.__file__).parent / "fonts" / "Vera.ttf",
        Path(reportlab.__file__).parent / "fonts" / "VeraBd.ttf",
    ),
]

# SimpleDocTemplate's frame pads 6pt on each side; tables fill what is left, so they line
# up with the paragraphs.
FRAME_PADDING = 6
FOOTER_BASELINE = 10 * mm
# What the footer's words leave free on the right, for the page number.
PAGE_NUMBER_ROOM = 50


@cache
def fonts() -> tuple[str, str]:
    """Register the first available font pair once; returns (regular, bold) names."""
    for regular, bold in _FONT_CANDIDATES:
        if regular.exists() and bold.exists():
            pdfmetrics.registerFont(TTFont("LEP-Regular", str(regular)))
            pdfmetrics.registerFont(TTFont("LEP-Bold", str(bold)))
            return "LEP-Regular", "LEP-Bold"
    return "Helvetica", "Helvetica-Bold"  # pragma: no cover - reportlab always has Vera


def escape(text) -> str:
    """Text made safe for a paragraph: reportlab reads a little HTML in paragraphs, so
    ``<``, ``>`` and ``&`` in what people typed must print as written, never as markup."""
    return html.escape(str(text))


def variant(style: ParagraphStyle, name: str | None = None, **changes) -> ParagraphStyle:
    """A style like ``style`` with some things changed (a report's own size or spacing)."""
    return ParagraphStyle(name or style.name, parent=style, **changes)


def house_styles(*, size: float, leading: float) -> dict[str, ParagraphStyle]:
    """The paragraph styles the reports share, around a body text of ``size``/``leading``;
    a report adds its own (or adjusts these with ``variant``)."""
    regular, bold = fonts()
    body = ParagraphStyle(
        "body", fontName=regular, fontSize=size, leading=leading, textColor=NHS_TEXT
    )
    return {
        "body": body,
        "key": variant(body, "key", fontName=bold),
        "title": variant(body, "title", fontName=bold, fontSize=22, leading=27, spaceAfter=2),
        "organisation": variant(
            body, "organisation", fontName=bold, fontSize=13, textColor=NHS_BLUE
        ),
        "heading": variant(
            body,
            "heading",
            fontName=bold,
            fontSize=13,
            leading=17,
            spaceBefore=10,
            keepWithNext=True,
        ),
        "cell": variant(body, "cell", fontSize=9.5, leading=12),
        "cell_bold": variant(body, "cell_bold", fontName=bold, fontSize=9.5),
        "cell_number": variant(body, "cell_number", fontSize=9.5, leading=12, alignment=TA_RIGHT),
        "cell_number_bold": variant(
            body, "cell_number_bold", fontName=bold, fontSize=9.5, leading=12, alignment=TA_RIGHT
        ),
    }


def house_table(
    rows: list,
    widths: Sequence[float],
    *,
    header: bool = True,
    total: bool = False,
    padding: float = 4,
    side_padding: float | None = None,
    flush: bool = True,
    rule_below_last: bool = True,
    repeat_header: bool = True,
) -> Table:
    """A table in the house style: a dark rule under the header row, pale rules between
    rows, a heavy rule above a total row. ``flush`` lines the first and last columns up
    with the text around the table; ``side_padding`` is reportlab's 6pt when not given."""
    commands = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), padding),
        ("BOTTOMPADDING", (0, 0), (-1, -1), padding),
    ]
    if side_padding is not None:
        commands += [
            ("LEFTPADDING", (0, 0), (-1, -1), side_padding),
            ("RIGHTPADDING", (0, 0), (-1, -1), side_padding),
        ]
    if flush:
        commands += [("LEFTPADDING", (0, 0), (0, -1), 0), ("RIGHTPADDING", (-1, 0), (-1, -1), 0)]
    commands.append(
        ("LINEBELOW", (0, 1 if header else 0), (-1, -1 if rule_below_last else -2), 0.5, NHS_GREY)
    )
    if header:
        commands.append(("LINEBELOW", (0, 0), (-1, 0), 1, NHS_TEXT))
    if total:
        commands.append(("LINEABOVE", (0, -1), (-1, -1), 1.5, NHS_TEXT))
    table = Table(rows, colWidths=list(widths), repeatRows=1 if header and repeat_header else 0)
    table.setStyle(TableStyle(commands))
    return table


@dataclass(frozen=True)
class PageFooter:
    """The line at the foot of every page: words on the left, the page number on the right
    (``page_label`` then the number). The words are cut short with an ellipsis where they
    would run into the page number, however long the names in them."""

    left: str = ""
    page_label: str = "Page"
    size: float = 8

    def __call__(self, canvas, document) -> None:
        regular, _bold = fonts()
        canvas.saveState()
        canvas.setFont(regular, self.size)
        canvas.setFillColor(NHS_SECONDARY_TEXT)
        if self.left:
            left = self._fitted(document.width - PAGE_NUMBER_ROOM)
            canvas.drawString(document.leftMargin, FOOTER_BASELINE, left)
        canvas.drawRightString(
            document.pagesize[0] - document.rightMargin,
            FOOTER_BASELINE,
            f"{self.page_label} {canvas.getPageNumber()}",
        )
        canvas.restoreState()

    def _fitted(self, room: float) -> str:
        regular, _bold = fonts()
        text = self.left
        for _ in range(len(text)):
            if pdfmetrics.stringWidth(text, regular, self.size) <= room:
                break
            text = text[:-2].rstrip() + "\u2026"
        return text


class PdfDocument:
    """One A4 report being written: its margins and metadata (title, author and subject
    for screen readers and file lists), its paragraph styles, and the helpers its section
    functions use for paragraphs, headed sections and tables; ``build`` gives the bytes."""

    def __init__(
        self,
        *,
        styles: dict[str, ParagraphStyle],
        title: str,
        author: str,
        subject: str | None = None,
        side_margin: float = 20 * mm,
        top_margin: float = 18 * mm,
        bottom_margin: float = 18 * mm,
    ):
        self.styles = styles
        self._buffer = BytesIO()
        self._template = SimpleDocTemplate(
            self._buffer,
            pagesize=A4,
            leftMargin=side_margin,
            rightMargin=side_margin,
            topMargin=top_margin,
            bottomMargin=bottom_margin,
            title=title,
            author=author,
            subject=subject,
            lang="en-GB",
        )
        self.width = self._template.width - 2 * FRAME_PADDING

    def para(self, text, style: str = "body", *, bullet: str | None = None) -> Paragraph:
        """A paragraph of plain text, escaped so it prints as written."""
        return Paragraph(escape(text), self.styles[style], bulletText=bullet)

    def markup(self, markup: str, style: str = "body") -> Paragraph:
        """A paragraph of markup the report wrote itself (bold, colour); anything people
        typed in it must have been passed through ``escape`` first."""
        return Paragraph(markup, self.styles[style])

    def header_row(self, *headings: str, figures: Sequence[str] = ()) -> list[Paragraph]:
        """A table's header row in bold; the headings of columns of figures (which come
        last) are aligned right, like the figures under them."""
        return [self.para(heading, "cell_bold") for heading in headings] + [
            self.para(heading, "cell_number_bold") for heading in figures
        ]

    def columns(self, *shares: float) -> list[float]:
        """Column widths as shares of the width tables have."""
        return [self.width * share for share in shares]

    def section(
        self,
        heading: str,
        content: list[Flowable],
        *,
        empty: str,
        heading_style: str = "heading",
        empty_style: str = "body",
    ) -> list[Flowable]:
        """A headed section: the heading, then its content, or when there is none a
        sentence saying so (``empty``) rather than an empty table."""
        return [self.para(heading, heading_style), *(content or [self.para(empty, empty_style)])]

    def table(self, rows: list, widths: Sequence[float], **options) -> Table:
        """A table in the house style (see ``house_table``)."""
        return house_table(rows, widths, **options)

    def details(
        self, pairs: Sequence[tuple[str, str]], widths: Sequence[float], *, padding: float
    ) -> Table:
        """Facts as a two-column list, label in bold beside its value, a pale rule under each."""
        rows = [[self.para(label, "key"), self.para(value)] for label, value in pairs]
        table = Table(rows, colWidths=list(widths))
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.5, NHS_GREY),
                    ("TOPPADDING", (0, 0), (-1, -1), padding),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), padding),
                    ("LEFTPADDING", (0, 0), (0, -1), 0),
                ]
            )
        )
        return table

    def build(self, story: list[Flowable], *, footer: PageFooter | None = None) -> bytes:
        """Lay out the story on pages (with the footer on each, if any) and return the PDF."""
        if footer is None:
            self._template.build(story)
        else:
            self._template.build(story, onFirstPage=footer, onLaterPages=footer)
        return self._buffer.getvalue()
