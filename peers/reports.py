"""PDF documents of peer work, made with reportlab: functions from selector output to
bytes, tested without HTTP; views only stream them.

The portfolio is the peer worker's own record of their work, to take to an appraisal, a
new job or a course: who they are and where they worked, their level, hours of practice by
setting, competences signed off, training and progression history. It never holds anything
about the people they supported: no references, notes, topics or evidence text, only
hours summed by setting. It is made inline: a handful of aggregate queries and a few pages,
however many sessions there are.
"""

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table

from cms.dates import day_in_words
from cms.pdf import NHS_SECONDARY_TEXT, PageFooter, PdfDocument, fonts, house_styles, variant

from .models import EmploymentType
from .selectors.progression import Portfolio, sign_offs_by_domain


def _styles() -> dict[str, ParagraphStyle]:
    _regular, bold = fonts()
    styles = house_styles(size=10.5, leading=14)
    body = styles["body"]
    return styles | {
        "small": variant(body, "small", fontSize=9, leading=12, textColor=NHS_SECONDARY_TEXT),
        "name": variant(body, "name", fontName=bold, fontSize=15, leading=19),
        "organisation": variant(styles["organisation"], fontSize=12),
        "heading": variant(styles["heading"], spaceBefore=12, spaceAfter=4),
        "cell_small": variant(
            body, "cell_small", fontSize=8.5, leading=11, textColor=NHS_SECONDARY_TEXT
        ),
    }


def _hours(value) -> str:
    return f"{value:,.1f}"


def _valid_until(record, today) -> str:
    if record.expires_on is None:
        return "No expiry"
    if record.expires_on < today:
        return f"{day_in_words(record.expires_on)} (ran out)"
    return day_in_words(record.expires_on)


def portfolio_pdf(portfolio: Portfolio) -> bytes:
    """The portfolio as PDF bytes, from ``selectors.progression.portfolio_of``."""
    worker = portfolio.worker
    name = str(worker)
    organisation = worker.organisation.name
    doc = PdfDocument(
        styles=_styles(),
        title=f"Peer work portfolio: {name}",
        author=organisation,
        subject="Peer work portfolio",
    )
    story = [
        *_cover(doc, portfolio),
        *_hours_section(doc, portfolio),
        *_competences_section(doc, portfolio.pathway),
        *_training_section(doc, portfolio),
        *_progression_section(doc, portfolio.pathway),
        Spacer(1, 8 * mm),
        doc.para(
            f"Made on {day_in_words(portfolio.generated_on)} from the records {organisation} "
            "keeps. If anything looks wrong, ask your supervisor or HR team to correct it.",
            "small",
        ),
    ]
    footer = PageFooter(page_label=f"{name}: peer work portfolio, page", size=8.5)
    return doc.build(story, footer=footer)


def _cover(doc: PdfDocument, portfolio: Portfolio) -> list[Flowable]:
    worker = portfolio.worker
    return [
        doc.para(worker.organisation.name, "organisation"),
        Spacer(1, 2 * mm),
        doc.para("Peer work portfolio", "title"),
        doc.para(str(worker), "name"),
        Spacer(1, 4 * mm),
        _details(doc, portfolio),
    ]


def _details(doc: PdfDocument, portfolio: Portfolio) -> Table:
    worker = portfolio.worker
    pathway = portfolio.pathway
    employment = f"{day_in_words(worker.start_date)} to " + (
        day_in_words(worker.left_on) if worker.left_on else "now"
    )
    practice = f"{_hours(portfolio.total_hours)} hours in {portfolio.total_sessions} sessions"
    if portfolio.first_session:
        practice += (
            f", {day_in_words(portfolio.first_session)} to {day_in_words(portfolio.last_session)}"
        )
    details = [
        ("Name", str(worker)),
        ("Organisation", worker.organisation.name),
        ("Role", worker.job_title),
        ("Level", f"{pathway.level} (since {day_in_words(pathway.level_since)})"),
        ("Employment", f"{EmploymentType(worker.employment_type).label}, {employment}"),
        ("Practice", practice),
    ]
    return doc.details(details, doc.columns(0.25, 0.75), padding=4)


def _hours_section(doc: PdfDocument, portfolio: Portfolio) -> list[Flowable]:
    content = []
    if portfolio.hours_by_setting:
        rows = [doc.header_row("Setting", figures=["Sessions", "Hours"])]
        for row in portfolio.hours_by_setting:
            rows.append(
                [
                    doc.para(row.label, "cell"),
                    doc.para(row.sessions, "cell_number"),
                    doc.para(_hours(row.hours), "cell_number"),
                ]
            )
        rows.append(
            [
                doc.para("Total", "cell_bold"),
                doc.para(portfolio.total_sessions, "cell_number_bold"),
                doc.para(_hours(portfolio.total_hours), "cell_number_bold"),
            ]
        )
        content = [
            doc.table(rows, doc.columns(0.6, 0.2, 0.2), total=True),
            Spacer(1, 1.5 * mm),
            doc.para(
                "Counted from the sessions logged. Nothing about the people supported is "
                "included in this portfolio.",
                "small",
            ),
        ]
    return doc.section("Hours of practice by setting", content, empty="No sessions logged yet.")


def _competences_section(doc: PdfDocument, pathway) -> list[Flowable]:
    content = []
    if pathway.sign_offs:
        rows = [doc.header_row("Competence", "Signed off", "By")]
        for sign_off in sign_offs_by_domain(pathway.sign_offs):
            competence = sign_off.competence
            by = sign_off.signed_off_by
            rows.append(
                [
                    [
                        doc.para(competence.title, "cell"),
                        doc.para(competence.get_domain_display(), "cell_small"),
                    ],
                    doc.para(day_in_words(sign_off.signed_off_at), "cell"),
                    doc.para((by.get_full_name() or by.email) if by else "", "cell"),
                ]
            )
        content = [
            doc.table(rows, doc.columns(0.52, 0.22, 0.26)),
            Spacer(1, 1.5 * mm),
            doc.para(
                "Competences from The Competence Framework for Mental Health Peer Support "
                "Workers (Health Education England, 2020), signed off by a supervisor after "
                "seeing evidence.",
                "small",
            ),
        ]
    return doc.section("Competences signed off", content, empty="No competences signed off yet.")


def _training_section(doc: PdfDocument, portfolio: Portfolio) -> list[Flowable]:
    records = portfolio.pathway.training_records
    content = []
    if records:
        rows = [doc.header_row("Course", "Completed", "Valid until", figures=["Hours"])]
        for record in records:
            course = [doc.para(record.training.title, "cell")]
            if record.provider:
                course.append(doc.para(record.provider, "cell_small"))
            rows.append(
                [
                    course,
                    doc.para(day_in_words(record.completed_on), "cell"),
                    doc.para(_valid_until(record, portfolio.generated_on), "cell"),
                    doc.para(_hours(record.hours), "cell_number"),
                ]
            )
        content = [doc.table(rows, doc.columns(0.44, 0.22, 0.22, 0.12))]
    return doc.section("Training", content, empty="No training recorded yet.")


def _progression_section(doc: PdfDocument, pathway) -> list[Flowable]:
    reviews = sorted(pathway.reviews, key=lambda r: (r.date, r.created_at))
    content = []
    if reviews:
        rows = [doc.header_row("Date", "Review", "Decision")]
        for review in reviews:
            rows.append(
                [
                    doc.para(day_in_words(review.date), "cell"),
                    doc.para(f"{review.from_level} to {review.to_level}", "cell"),
                    doc.para(review.get_decision_display(), "cell"),
                ]
            )
        content = [doc.table(rows, doc.columns(0.22, 0.5, 0.28))]
    return doc.section("Progression history", content, empty="No progression reviews yet.")
