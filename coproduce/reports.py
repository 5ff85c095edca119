"""PDF documents of co-production, made with reportlab: functions from records to bytes,
tested without HTTP; views only stream them.

The remittance advice is the member's proof of a payment: who paid them, for which meeting,
how it adds up, when and how it was paid. People on benefits may need to show it, so it
says plainly what the payment was for.

The panel impact report shows what a panel, or all of an organisation's panels, did in a
period (meetings, people, payments, the changes made and the feedback behind them), for
boards, funders and the panels themselves; it is made in the background (see
``services.impact``).
"""

from html import escape
from io import BytesIO

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from cms.dates import day_in_words
from cms.pdf import NHS_BLUE, NHS_GREY, NHS_SECONDARY_TEXT, NHS_TEXT, fonts

from .calendar import when_text
from .choices import PaymentChoice
from .models import InvolvementClaim, ServiceChangePage
from .selectors.claims import hours_in_words, name_to_show
from .selectors.panels import coproduction_meaning

PAYMENT_METHODS = {
    PaymentChoice.PAID: "Bank transfer",
    PaymentChoice.VOUCHER: "Shopping vouchers",
    PaymentChoice.NOT_PAID: "Bank transfer (expenses only: you chose not to be paid for your time)",
}


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = fonts()
    base = ParagraphStyle("body", fontName=regular, fontSize=11, leading=15, textColor=NHS_TEXT)
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=9.5, leading=13),
        "title": ParagraphStyle(
            "title", parent=base, fontName=bold, fontSize=22, leading=27, spaceAfter=4
        ),
        "organisation": ParagraphStyle(
            "organisation", parent=base, fontName=bold, fontSize=13, textColor=NHS_BLUE
        ),
        "heading": ParagraphStyle(
            "heading", parent=base, fontName=bold, fontSize=13, leading=17, spaceBefore=10
        ),
        "key": ParagraphStyle("key", parent=base, fontName=bold),
        "money": ParagraphStyle("money", parent=base, alignment=TA_RIGHT),
        "money_bold": ParagraphStyle("money_bold", parent=base, fontName=bold, alignment=TA_RIGHT),
    }


def pounds(amount) -> str:
    return f"£{amount:,.2f}"


def remittance_pdf(claim: InvolvementClaim) -> bytes:
    """The remittance advice for a paid claim, as PDF bytes.

    Reads the claim's panel, organisation, meeting, member and expenses (fetch them with
    ``claims_visible_to``); the total is the amount approved, which is what was paid.
    """
    if claim.status != InvolvementClaim.Status.PAID:
        raise ValueError("A remittance advice is only made for a paid claim.")
    styles = _styles()
    meeting = claim.attendance.meeting
    organisation = claim.panel.organisation.name
    member = name_to_show(claim.member)

    def para(text, style="body"):
        return Paragraph(escape(str(text)), styles[style])

    details = [
        [para("Paid to", "key"), para(member)],
        [para("Claim reference", "key"), para(claim.reference)],
        [para("Panel", "key"), para(claim.panel.title)],
        [para("Meeting", "key"), para(f"{meeting.title}, {when_text(meeting.starts_at)}")],
        [para("Paid on", "key"), para(day_in_words(claim.paid_at, weekday=True))],
        [para("Payment reference", "key"), para(claim.payment_reference)],
        [para("Payment method", "key"), para(PAYMENT_METHODS.get(claim.payment_choice, ""))],
    ]
    if claim.payment_choice == PaymentChoice.NOT_PAID:
        time_line = para("Your time (you chose not to be paid for it)")
    else:
        time_line = para(
            f"Your time: {hours_in_words(claim.hours)} at {pounds(claim.hourly_rate)} an hour"
        )
    lines = [[para("What for", "key"), para("Amount", "money_bold")]]
    lines.append([time_line, para(pounds(claim.fee), "money")])
    for expense in claim.expenses.all():
        lines.append(
            [
                para(f"{expense.get_kind_display()}: {expense.description}"),
                para(pounds(expense.amount), "money"),
            ]
        )
    lines.append([para("Total paid", "key"), para(pounds(claim.amount_approved), "money_bold")])

    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"Remittance advice {claim.reference}",
        author=organisation,
        subject="Involvement payment",
        lang="en-GB",
    )
    # SimpleDocTemplate's frame pads 6pt on each side; tables fill what is left, so they
    # line up with the paragraphs.
    width = document.width - 12
    details_table = Table(details, colWidths=[width * 0.32, width * 0.68])
    details_table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.5, NHS_GREY),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ("LEFTPADDING", (0, 0), (0, -1), 0),
            ]
        )
    )
    amounts_table = Table(lines, colWidths=[width * 0.75, width * 0.25], repeatRows=1)
    amounts_table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 1, NHS_TEXT),
                ("LINEBELOW", (0, 1), (-1, -2), 0.5, NHS_GREY),
                ("LINEABOVE", (0, -1), (-1, -1), 1.5, NHS_TEXT),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ("LEFTPADDING", (0, 0), (0, -1), 0),
                ("RIGHTPADDING", (-1, 0), (-1, -1), 0),
            ]
        )
    )
    story = [
        para(organisation, "organisation"),
        Spacer(1, 3 * mm),
        para("Remittance advice", "title"),
        para(
            "This is a record of a payment for your involvement. Keep it with your papers.",
            "body",
        ),
        Spacer(1, 5 * mm),
        details_table,
        para("How the payment adds up", "heading"),
        Spacer(1, 2 * mm),
        amounts_table,
        Spacer(1, 8 * mm),
        para(
            "If you get benefits, you may need to tell the office that pays them about this "
            "payment. Citizens Advice can help you check. If anything here looks wrong, "
            f"contact {organisation} and give the claim reference {claim.reference}.",
            "small",
        ),
    ]
    document.build(story)
    return buffer.getvalue()


# --- Panel impact report -----------------------------------------------------------------------
#
# What a panel, or all of an organisation's panels, did in a period: for boards, funders and
# the panel members themselves. Built from ``selectors.impact.panel_impact``; every number
# is explained on the last page, so a reader can check how it was counted.

NHS_PALE_BLUE = colors.HexColor("#e8f1f8")


def _impact_styles() -> dict[str, ParagraphStyle]:
    styles = _styles()
    regular, bold = fonts()
    base = styles["body"]
    styles.update(
        {
            "heading": ParagraphStyle(
                "impact_heading", parent=styles["heading"], keepWithNext=True
            ),
            "lead": ParagraphStyle("lead", parent=base, keepWithNext=True, spaceAfter=2 * mm),
            "about": ParagraphStyle(
                "about", parent=base, fontName=bold, fontSize=15, leading=19, spaceAfter=2
            ),
            "figure": ParagraphStyle(
                "figure", parent=base, fontName=bold, fontSize=20, leading=24, textColor=NHS_BLUE
            ),
            "figure_words": ParagraphStyle(
                "figure_words",
                parent=base,
                fontName=bold,
                fontSize=13,
                leading=17,
                spaceBefore=3,
                spaceAfter=4,
                textColor=NHS_BLUE,
            ),
            "figure_label": ParagraphStyle("figure_label", parent=base, fontSize=9.5, leading=12),
            "cell": ParagraphStyle("cell", parent=base, fontSize=9.5, leading=12),
            "cell_bold": ParagraphStyle("cell_bold", parent=base, fontName=bold, fontSize=9.5),
            "cell_number": ParagraphStyle(
                "cell_number", parent=base, fontSize=9.5, leading=12, alignment=TA_RIGHT
            ),
            "cell_number_bold": ParagraphStyle(
                "cell_number_bold",
                parent=base,
                fontName=bold,
                fontSize=9.5,
                leading=12,
                alignment=TA_RIGHT,
            ),
            "note": ParagraphStyle(
                "note", parent=base, fontSize=9.5, leading=13, textColor=NHS_SECONDARY_TEXT
            ),
            "bullet": ParagraphStyle(
                "bullet", parent=base, fontSize=9.5, leading=13, leftIndent=10, bulletIndent=0
            ),
        }
    )
    return styles


def hours_figure(hours) -> str:
    """Hours as a figure for a table: "54", "12.5", "0"."""
    return f"{hours:,.2f}".rstrip("0").rstrip(".")


def _figure_style(styles, value: str, room: float) -> ParagraphStyle:
    """A headline figure as large as fits its box on one line: numbers at 20pt, words (a
    co-production level) and large sums smaller, never below 11pt."""
    style = styles["figure" if value[:1].isdigit() or value[:1] == "£" else "figure_words"]
    size = style.fontSize
    while size > 11 and pdfmetrics.stringWidth(value, style.fontName, size) > room:
        size -= 1
    if size == style.fontSize:
        return style
    return ParagraphStyle(f"figure-{size}", parent=style, fontSize=size, leading=size * 1.2)


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def _table_style(*, header=True, total=False) -> TableStyle:
    commands = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("LEFTPADDING", (0, 0), (0, -1), 0),
        ("RIGHTPADDING", (-1, 0), (-1, -1), 0),
        ("LINEBELOW", (0, 0), (-1, -1), 0.5, NHS_GREY),
    ]
    if header:
        commands.append(("LINEBELOW", (0, 0), (-1, 0), 1, NHS_TEXT))
    if total:
        commands.append(("LINEABOVE", (0, -1), (-1, -1), 1.5, NHS_TEXT))
    return TableStyle(commands)


def impact_report_pdf(impact) -> bytes:
    """The panel impact report as PDF bytes, from ``selectors.impact.panel_impact``."""
    styles = _impact_styles()
    regular, _bold = fonts()
    period = impact.period
    payments = impact.payments
    many_panels = impact.panel is None
    period_words = f"{day_in_words(period.start)} to {day_in_words(period.end)}"

    def para(text, style="body"):
        return Paragraph(escape(str(text)), styles[style])

    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=f"Panel impact report: {impact.about}, {period_words}",
        author=impact.organisation.name,
        subject="What co-production panels did, and what changed because of them",
        lang="en-GB",
    )
    width = document.width - 12

    # The figures a reader looks for first, as large numbers in a grid.
    by_status = impact.changes_by_status
    level = (
        impact.panel.get_coproduction_level_display()
        if impact.panel
        else _plural(len(impact.panels), "panel")
    )
    figures = [
        (f"{impact.meetings_held:,}", "meetings held"),
        (f"{impact.people_involved:,}", "people involved"),
        (hours_figure(payments.hours_paid), "hours paid"),
        (pounds(payments.money_paid), "paid to members, with expenses"),
        (f"{len(impact.changes):,}", "service changes co-produced"),
        (f"{impact.feedback_linked:,}", "pieces of feedback behind them"),
        (f"{impact.feedback_responded:,}", "of them answered in public"),
        (level, "co-production level" if impact.panel else "in this report"),
    ]
    box = width / 4
    cells = [
        [
            Paragraph(escape(value), _figure_style(styles, value, box - 14)),
            para(label, "figure_label"),
        ]
        for value, label in figures
    ]
    grid = Table([cells[:4], cells[4:]], colWidths=[box] * 4)
    grid.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), NHS_PALE_BLUE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEAFTER", (0, 0), (-2, -1), 3, colors.white),
                ("LINEBELOW", (0, 0), (-1, -2), 3, colors.white),
                ("TOPPADDING", (0, 0), (-1, -1), 7),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )

    story = [
        para(impact.organisation.name, "organisation"),
        Spacer(1, 3 * mm),
        para("Panel impact report", "title"),
        para(impact.about, "about"),
        para(period_words),
        Spacer(1, 5 * mm),
        grid,
    ]

    if impact.panel:
        meaning = coproduction_meaning(impact.panel)
        story += [
            para("About the panel", "heading"),
            para(impact.panel.purpose),
            Spacer(1, 2 * mm),
            para(
                f"Co-production level: {impact.panel.get_coproduction_level_display()}. "
                f"{meaning}".strip()
            ),
            para(f"Status today: {impact.panel.get_status_display()}."),
        ]

    # Meetings and people, in sentences first: the table follows for those who want it.
    held = impact.meetings_held
    meeting_words = [
        f"{'The panel' if not many_panels else 'The panels'} held "
        f"{_plural(held, 'meeting')} in this period."
    ]
    if impact.meetings_cancelled:
        meeting_words.append(
            f"{_plural(impact.meetings_cancelled, 'meeting')} "
            f"{'was' if impact.meetings_cancelled == 1 else 'were'} cancelled."
        )
    if impact.meetings_to_come:
        meeting_words.append(
            f"{_plural(impact.meetings_to_come, 'more meeting')} "
            f"{'is' if impact.meetings_to_come == 1 else 'are'} planned before the period ends."
        )
    if held:
        meeting_words.append(
            f"{_plural(impact.people_involved, 'person', 'different people')} took part, "
            f"giving {hours_figure(impact.hours_given)} hours of their time."
        )
    story += [para("Meetings and people", "heading"), para(" ".join(meeting_words))]

    story += [para("Payments", "heading")]
    if payments.claims_paid or payments.claims_not_yet_paid:
        money_rows = [
            [para("What", "cell_bold"), para("Amount", "cell_number_bold")],
            [para("Claims paid", "cell"), para(f"{payments.claims_paid:,}", "cell_number")],
            [
                para("Hours paid", "cell"),
                para(hours_figure(payments.hours_paid), "cell_number"),
            ],
            [
                para("Paid for people's time", "cell"),
                para(pounds(payments.paid_for_time), "cell_number"),
            ],
            [para("Expenses paid", "cell"), para(pounds(payments.expenses_paid), "cell_number")],
            [
                para("Total paid", "cell_bold"),
                para(pounds(payments.money_paid), "cell_number_bold"),
            ],
        ]
        money_table = Table(money_rows, colWidths=[width * 0.7, width * 0.3])
        money_table.setStyle(_table_style(total=True))
        story.append(money_table)
        if payments.claims_not_yet_paid:
            story += [
                Spacer(1, 2 * mm),
                para(
                    f"{_plural(payments.claims_not_yet_paid, 'claim')} for these meetings "
                    f"{'is' if payments.claims_not_yet_paid == 1 else 'are'} not paid yet: "
                    "waiting for the member to check, for approval or for payment.",
                    "note",
                ),
            ]
    else:
        story.append(para("No involvement claims for meetings in this period."))

    if many_panels:
        story += [para("Panels", "heading")]
        if impact.panels:
            rows = [
                [
                    para("Panel", "cell_bold"),
                    para("Meetings", "cell_number_bold"),
                    para("People", "cell_number_bold"),
                    para("Hours paid", "cell_number_bold"),
                    para("Paid", "cell_number_bold"),
                    para("Changes", "cell_number_bold"),
                ]
            ]
            for row in impact.panels:
                about_panel = (
                    f"{row.panel.get_status_display()} \u00b7 "
                    f"{row.panel.get_coproduction_level_display()}"
                )
                rows.append(
                    [
                        [para(row.panel.title, "cell"), para(about_panel, "note")],
                        para(f"{row.meetings_held:,}", "cell_number"),
                        para(f"{row.people_involved:,}", "cell_number"),
                        para(hours_figure(row.payments.hours_paid), "cell_number"),
                        para(pounds(row.payments.money_paid), "cell_number"),
                        para(f"{row.changes:,}", "cell_number"),
                    ]
                )
            table = Table(
                rows,
                colWidths=[width * share for share in (0.4, 0.12, 0.12, 0.12, 0.12, 0.12)],
                repeatRows=1,
            )
            table.setStyle(_table_style())
            story.append(table)
        else:
            story.append(para(f"{impact.organisation.name} has no panels yet."))

    story += [para("Changes made", "heading")]
    if impact.changes:
        story.append(
            para(
                "At the end of the period: "
                + ", ".join(
                    f"{label.lower()} {by_status[status]}"
                    for status, label in ServiceChangePage.Status.choices
                )
                + ".",
                "lead",
            )
        )
        rows = [
            [
                para("Change", "cell_bold"),
                para("Status", "cell_bold"),
                para("Co-production level", "cell_bold"),
                para("Feedback (answered)", "cell_number_bold"),
            ]
        ]
        for change in impact.changes:
            detail = change.title
            if many_panels:
                detail += f" — {change.panel_title}"
            cell = [para(detail, "cell")]
            if change.offers:
                cell.append(para("Offers: " + ", ".join(change.offers), "note"))
            rows.append(
                [
                    cell,
                    para(change.status_label, "cell"),
                    para(change.coproduction_level, "cell"),
                    para(f"{change.feedback:,} ({change.feedback_responded:,})", "cell_number"),
                ]
            )
        table = Table(
            rows, colWidths=[width * share for share in (0.44, 0.15, 0.22, 0.19)], repeatRows=1
        )
        table.setStyle(_table_style())
        story.append(table)
    else:
        story.append(para("No published service change from this period names the panel yet."))

    story += [para("Meetings held", "heading")]
    if impact.meetings:
        header = [para("Date", "cell_bold")]
        if many_panels:
            header.append(para("Panel", "cell_bold"))
        header += [para("Meeting", "cell_bold"), para("People attended", "cell_number_bold")]
        rows = [header]
        for meeting in impact.meetings:
            row = [para(day_in_words(meeting.starts_at), "cell")]
            if many_panels:
                row.append(para(meeting.panel_title, "cell"))
            row += [para(meeting.title, "cell"), para(f"{meeting.attended:,}", "cell_number")]
            rows.append(row)
        shares = (0.2, 0.28, 0.37, 0.15) if many_panels else (0.22, 0.58, 0.2)
        table = Table(rows, colWidths=[width * share for share in shares], repeatRows=1)
        table.setStyle(_table_style())
        story.append(table)
    else:
        story.append(para("No meetings were held in this period."))

    notes = [
        "Meetings held: meetings that started in the period, before this report was made, "
        "and were not cancelled.",
        "People involved: different people recorded as attending those meetings. Someone on "
        "two panels is counted once in the total.",
        "Hours and money paid: involvement claims for those meetings that have been paid. "
        "The hours of people who chose not to be paid for their time are counted as time "
        "given, not hours paid. Money paid includes expenses.",
        "Changes made: published \u201cYou said, we did\u201d service changes the panel "
        "co-produced that were under way in the period, with their status on its last day "
        "from each change's timeline.",
        "Feedback: feedback people gave on offers that is linked to those changes, and how "
        "much of it has a public response.",
    ]
    story += [para("How these numbers are counted", "heading")]
    story += [Paragraph(escape(note), styles["bullet"], bulletText="\u2022") for note in notes]

    footer_text = (
        f"Panel impact report \u00b7 {impact.about} \u00b7 {period_words} \u00b7 made on "
        f"{day_in_words(impact.made_at)}"
    )
    # Shortened to fit beside the page number, however long the organisation's name.
    room = document.width - 50
    while pdfmetrics.stringWidth(footer_text, regular, 8) > room:
        footer_text = footer_text[:-2].rstrip() + "\u2026"

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(regular, 8)
        canvas.setFillColor(NHS_SECONDARY_TEXT)
        canvas.drawString(doc.leftMargin, 10 * mm, footer_text)
        canvas.drawRightString(
            doc.pagesize[0] - doc.rightMargin, 10 * mm, f"Page {canvas.getPageNumber()}"
        )
        canvas.restoreState()

    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
