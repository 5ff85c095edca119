"""PDF documents of peer work, made with reportlab: functions from selector output to
bytes, tested without HTTP; views only stream them.

The portfolio is the peer worker's own record of their work, to take to an appraisal, a
new job or a course: who they are and where they worked, their level, hours of practice by
setting, competences signed off, training and progression history. It never holds anything
about the people they supported: no references, notes, topics or evidence text, only
hours summed by setting. It is made inline: a handful of aggregate queries and a few pages,
however many sessions there are.
"""

from html import escape
from io import BytesIO

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from cms.dates import day_in_words
from cms.pdf import NHS_BLUE, NHS_GREY, NHS_SECONDARY_TEXT, NHS_TEXT, fonts

from .models import EmploymentType
from .selectors.progression import Portfolio, sign_offs_by_domain


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = fonts()
    base = ParagraphStyle("body", fontName=regular, fontSize=10.5, leading=14, textColor=NHS_TEXT)
    return {
        "body": base,
        "small": ParagraphStyle(
            "small", parent=base, fontSize=9, leading=12, textColor=NHS_SECONDARY_TEXT
        ),
        "title": ParagraphStyle(
            "title", parent=base, fontName=bold, fontSize=22, leading=27, spaceAfter=2
        ),
        "name": ParagraphStyle("name", parent=base, fontName=bold, fontSize=15, leading=19),
        "organisation": ParagraphStyle(
            "organisation", parent=base, fontName=bold, fontSize=12, textColor=NHS_BLUE
        ),
        "heading": ParagraphStyle(
            "heading",
            parent=base,
            fontName=bold,
            fontSize=13,
            leading=17,
            spaceBefore=12,
            spaceAfter=4,
            keepWithNext=True,
        ),
        "key": ParagraphStyle("key", parent=base, fontName=bold),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9.5, leading=12),
        "cell_bold": ParagraphStyle("cell_bold", parent=base, fontName=bold, fontSize=9.5),
        "cell_number": ParagraphStyle(
            "cell_number", parent=base, fontSize=9.5, leading=12, alignment=TA_RIGHT
        ),
        "cell_number_bold": ParagraphStyle(
            "cell_number_bold", parent=base, fontName=bold, fontSize=9.5, alignment=TA_RIGHT
        ),
        "cell_small": ParagraphStyle(
            "cell_small", parent=base, fontSize=8.5, leading=11, textColor=NHS_SECONDARY_TEXT
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


def _table(rows, widths, *, total: bool = False) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    style = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, 0), 1, NHS_TEXT),
        ("LINEBELOW", (0, 1), (-1, -1), 0.5, NHS_GREY),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("LEFTPADDING", (0, 0), (0, -1), 0),
        ("RIGHTPADDING", (-1, 0), (-1, -1), 0),
    ]
    if total:
        style.append(("LINEABOVE", (0, -1), (-1, -1), 1.5, NHS_TEXT))
    table.setStyle(TableStyle(style))
    return table


def portfolio_pdf(portfolio: Portfolio) -> bytes:
    """The portfolio as PDF bytes, from ``selectors.progression.portfolio_of``."""
    styles = _styles()
    worker = portfolio.worker
    pathway = portfolio.pathway
    name = str(worker)
    organisation = worker.organisation.name

    def para(text, style="body"):
        return Paragraph(escape(str(text)), styles[style])

    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"Peer work portfolio: {name}",
        author=organisation,
        subject="Peer work portfolio",
        lang="en-GB",
    )
    width = document.width - 12

    employment = f"{day_in_words(worker.start_date)} to " + (
        day_in_words(worker.left_on) if worker.left_on else "now"
    )
    details = [
        [para("Name", "key"), para(name)],
        [para("Organisation", "key"), para(organisation)],
        [para("Role", "key"), para(worker.job_title)],
        [
            para("Level", "key"),
            para(f"{pathway.level} (since {day_in_words(pathway.level_since)})"),
        ],
        [
            para("Employment", "key"),
            para(f"{EmploymentType(worker.employment_type).label}, {employment}"),
        ],
        [
            para("Practice", "key"),
            para(
                f"{_hours(portfolio.total_hours)} hours in {portfolio.total_sessions} sessions"
                + (
                    f", {day_in_words(portfolio.first_session)} to "
                    f"{day_in_words(portfolio.last_session)}"
                    if portfolio.first_session
                    else ""
                )
            ),
        ],
    ]
    details_table = Table(details, colWidths=[width * 0.25, width * 0.75])
    details_table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.5, NHS_GREY),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ("LEFTPADDING", (0, 0), (0, -1), 0),
            ]
        )
    )

    story = [
        para(organisation, "organisation"),
        Spacer(1, 2 * mm),
        para("Peer work portfolio", "title"),
        para(name, "name"),
        Spacer(1, 4 * mm),
        details_table,
    ]

    # Hours by setting.
    story.append(para("Hours of practice by setting", "heading"))
    if portfolio.hours_by_setting:
        rows = [
            [
                para("Setting", "cell_bold"),
                para("Sessions", "cell_number_bold"),
                para("Hours", "cell_number_bold"),
            ]
        ]
        for row in portfolio.hours_by_setting:
            rows.append(
                [
                    para(row.label, "cell"),
                    para(row.sessions, "cell_number"),
                    para(_hours(row.hours), "cell_number"),
                ]
            )
        rows.append(
            [
                para("Total", "cell_bold"),
                para(portfolio.total_sessions, "cell_number_bold"),
                para(_hours(portfolio.total_hours), "cell_number_bold"),
            ]
        )
        story.append(_table(rows, [width * 0.6, width * 0.2, width * 0.2], total=True))
        story.append(Spacer(1, 1.5 * mm))
        story.append(
            para(
                "Counted from the sessions logged. Nothing about the people supported is "
                "included in this portfolio.",
                "small",
            )
        )
    else:
        story.append(para("No sessions logged yet."))

    # Competences.
    story.append(para("Competences signed off", "heading"))
    if pathway.sign_offs:
        rows = [
            [
                para("Competence", "cell_bold"),
                para("Signed off", "cell_bold"),
                para("By", "cell_bold"),
            ]
        ]
        for sign_off in sign_offs_by_domain(pathway.sign_offs):
            competence = sign_off.competence
            by = sign_off.signed_off_by
            rows.append(
                [
                    [
                        para(competence.title, "cell"),
                        para(competence.get_domain_display(), "cell_small"),
                    ],
                    para(day_in_words(sign_off.signed_off_at), "cell"),
                    para((by.get_full_name() or by.email) if by else "", "cell"),
                ]
            )
        story.append(_table(rows, [width * 0.52, width * 0.22, width * 0.26]))
        story.append(Spacer(1, 1.5 * mm))
        story.append(
            para(
                "Competences from The Competence Framework for Mental Health Peer Support "
                "Workers (Health Education England, 2020), signed off by a supervisor after "
                "seeing evidence.",
                "small",
            )
        )
    else:
        story.append(para("No competences signed off yet."))

    # Training.
    story.append(para("Training", "heading"))
    if pathway.training_records:
        rows = [
            [
                para("Course", "cell_bold"),
                para("Completed", "cell_bold"),
                para("Valid until", "cell_bold"),
                para("Hours", "cell_number_bold"),
            ]
        ]
        for record in pathway.training_records:
            course = [para(record.training.title, "cell")]
            if record.provider:
                course.append(para(record.provider, "cell_small"))
            rows.append(
                [
                    course,
                    para(day_in_words(record.completed_on), "cell"),
                    para(_valid_until(record, portfolio.generated_on), "cell"),
                    para(_hours(record.hours), "cell_number"),
                ]
            )
        story.append(_table(rows, [width * 0.44, width * 0.22, width * 0.22, width * 0.12]))
    else:
        story.append(para("No training recorded yet."))

    # Progression.
    story.append(para("Progression history", "heading"))
    rows = [[para("Date", "cell_bold"), para("Review", "cell_bold"), para("Decision", "cell_bold")]]
    for review in sorted(pathway.reviews, key=lambda r: (r.date, r.created_at)):
        rows.append(
            [
                para(day_in_words(review.date), "cell"),
                para(f"{review.from_level} to {review.to_level}", "cell"),
                para(review.get_decision_display(), "cell"),
            ]
        )
    if len(rows) > 1:
        story.append(_table(rows, [width * 0.22, width * 0.5, width * 0.28]))
    else:
        story.append(para("No progression reviews yet."))

    story.append(Spacer(1, 8 * mm))
    story.append(
        para(
            f"Made on {day_in_words(portfolio.generated_on)} from the records {organisation} "
            "keeps. If anything looks wrong, ask your supervisor or HR team to correct it.",
            "small",
        )
    )

    def page_number(canvas, doc):
        canvas.saveState()
        canvas.setFont(fonts()[0], 8.5)
        canvas.setFillColor(NHS_SECONDARY_TEXT)
        canvas.drawRightString(
            A4[0] - 20 * mm, 10 * mm, f"{name}: peer work portfolio, page {doc.page}"
        )
        canvas.restoreState()

    document.build(story, onFirstPage=page_number, onLaterPages=page_number)
    return buffer.getvalue()
