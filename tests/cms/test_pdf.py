"""The PDF kit every report is built on: a document made with its helpers opens, says what
was put in it, and prints what people typed as written, never as markup."""

import io

from pypdf import PdfReader
from reportlab.platypus import PageBreak

from cms.pdf import PageFooter, PdfDocument, escape, house_styles


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def _document(**metadata) -> PdfDocument:
    return PdfDocument(
        styles=house_styles(size=10.5, leading=14),
        title=metadata.get("title", "Kit test"),
        author=metadata.get("author", "Northdale Health NHS Trust"),
        subject=metadata.get("subject"),
    )


def test_a_document_built_with_the_kit_opens_and_holds_its_sections_and_tables():
    doc = _document(title="Panel report", subject="What the panel did")
    rows = [doc.header_row("Meeting", figures=["People"])]
    rows += [[doc.para("Spring meeting", "cell"), doc.para("12", "cell_number")]]
    rows += [[doc.para("Total", "cell_bold"), doc.para("12", "cell_number_bold")]]
    story = [
        doc.para("Northdale Health NHS Trust", "organisation"),
        doc.para("Panel report", "title"),
        doc.details([("Panel", "Crisis café panel")], doc.columns(0.3, 0.7), padding=4),
        *doc.section(
            "Meetings", [doc.table(rows, doc.columns(0.7, 0.3), total=True)], empty="No meetings."
        ),
        PageBreak(),
        *doc.section("Changes made", [], empty="No changes yet."),
    ]

    data = doc.build(story, footer=PageFooter(left="Panel report", page_label="Page"))

    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 2
    assert reader.metadata.title == "Panel report"
    assert reader.metadata.author == "Northdale Health NHS Trust"
    assert reader.metadata.subject == "What the panel did"
    text = pdf_text(data)
    for words in (
        "Panel report",
        "Panel Crisis café panel",
        "Meetings Meeting People Spring meeting 12 Total 12",
        "Page 1",
        "Changes made No changes yet.",
        "Page 2",
    ):
        assert words in text


def test_what_people_typed_prints_as_written_never_as_markup():
    typed = 'Fish & chips <b>not bold</b> <br/> "quoted" <unclosed'
    doc = _document()

    data = doc.build(
        [
            doc.para(typed, "heading"),
            doc.table([[doc.para(typed, "cell")]], doc.columns(1), header=False),
        ]
    )

    assert pdf_text(data).count(typed) == 2


def test_escape_leaves_no_markup_for_a_paragraph_to_read():
    assert escape("<b>&amp;</b>") == "&lt;b&gt;&amp;amp;&lt;/b&gt;"
    assert escape(12) == "12"


def test_the_report_writes_its_own_markup_with_typed_text_escaped_inside_it():
    doc = _document()

    data = doc.build([doc.markup(f"<b>Status:</b> {escape('On track <ish>')}")])

    assert "Status: On track <ish>" in pdf_text(data)


def test_a_long_footer_is_cut_short_before_the_page_number():
    long_name = "The Very Long Named Community and Mental Health Partnership NHS Foundation " * 3
    doc = _document()

    data = doc.build([doc.para("Body")], footer=PageFooter(left=f"Report · {long_name}"))

    text = pdf_text(data)
    assert "Report · The Very Long Named" in text
    assert long_name.strip() not in text
    assert "\u2026 Page 1" in text
