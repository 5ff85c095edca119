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

from django.urls import reverse
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from cms.dates import day_in_words
from cms.pdf import (
    NHS_BLUE,
    NHS_SECONDARY_TEXT,
    PageFooter,
    PdfDocument,
    escape,
    fonts,
    house_styles,
    variant,
)
from cms.site_address import absolute_url

from .calendar import when_text
from .choices import PAYMENT_METHODS, PaymentChoice
from .models import InvolvementClaim, ServiceChangePage
from .selectors.claims import hours_in_words, name_to_show
from .selectors.panels import coproduction_meaning
from .services.claims import expense_lines
from .services.messages import contacts_for


def _styles() -> dict[str, ParagraphStyle]:
    styles = house_styles(size=11, leading=15)
    return styles | {
        "small": variant(styles["body"], "small", fontSize=9.5, leading=13),
        "title": variant(styles["title"], spaceAfter=4),
        "money": variant(styles["body"], "money", alignment=TA_RIGHT),
        "money_bold": variant(styles["key"], "money_bold", alignment=TA_RIGHT),
    }


def pounds(amount) -> str:
    return f"£{amount:,.2f}"


# --- Remittance advice -------------------------------------------------------------------------


def remittance_pdf(claim: InvolvementClaim) -> bytes:
    """The remittance advice for a paid claim, as PDF bytes.

    Reads the claim's panel, organisation, meeting, member and expenses (fetch them with
    ``claims_visible_to``); the total is the amount approved, which is what was paid.
    """
    if claim.status != InvolvementClaim.Status.PAID:
        raise ValueError("A remittance advice is only made for a paid claim.")
    organisation = claim.panel.organisation.name
    styles = _styles()
    doc = PdfDocument(
        styles=styles | {"heading": variant(styles["heading"], keepWithNext=False)},
        title=f"Remittance advice {claim.reference}",
        author=organisation,
        subject="Involvement payment",
    )
    return doc.build(
        [
            *_remittance_heading(doc, organisation),
            _payment_details(doc, claim),
            *_amounts_section(doc, claim),
            *_benefits_note(doc, claim, organisation),
            *_who_to_contact(doc, claim),
        ]
    )


def _remittance_heading(doc: PdfDocument, organisation: str) -> list[Flowable]:
    return [
        doc.para(organisation, "organisation"),
        Spacer(1, 3 * mm),
        doc.para("Remittance advice", "title"),
        doc.para("This is a record of a payment for your involvement. Keep it with your papers."),
        Spacer(1, 5 * mm),
    ]


def _payment_details(doc: PdfDocument, claim: InvolvementClaim) -> Table:
    meeting = claim.attendance.meeting
    details = [
        ("Paid to", name_to_show(claim.member)),
        ("Claim reference", claim.reference),
        ("Panel", claim.panel.title),
        ("Meeting", f"{meeting.title}, {when_text(meeting.starts_at)}"),
        ("Paid on", day_in_words(claim.paid_at, weekday=True)),
        ("Payment reference", claim.payment_reference),
        ("Payment method", PAYMENT_METHODS.get(claim.payment_choice, "")),
    ]
    return doc.details(details, doc.columns(0.32, 0.68), padding=5)


def _amounts_section(doc: PdfDocument, claim: InvolvementClaim) -> list[Flowable]:
    if claim.payment_choice == PaymentChoice.NOT_PAID:
        time_words = "Your time (you chose not to be paid for it)"
    else:
        time_words = (
            f"Your time: {hours_in_words(claim.hours)} at {pounds(claim.hourly_rate)} an hour"
        )
    expenses = expense_lines(claim.expenses.all())
    # Claimed and paid side by side only when the lead did not allow something in full.
    reduced = any(line.reduced for line in expenses)
    blank = [doc.para("")] if reduced else []
    lines = [
        [doc.para("What for", "key")]
        + ([doc.para("Claimed", "money_bold")] if reduced else [])
        + [doc.para("Paid", "money_bold") if reduced else doc.para("Amount", "money_bold")],
        [doc.para(time_words), *blank, doc.para(pounds(claim.fee), "money")],
    ]
    for line in expenses:
        expense = line.expense
        what = [doc.para(f"{expense.get_kind_display()}: {expense.description}")]
        if line.mileage:
            what.append(doc.para(line.mileage, "small"))
        if line.reduced:
            what.append(doc.para(f"Not paid in full. Why: {line.reason}", "small"))
        paid = line.allowed if line.decided else line.claimed
        lines.append(
            [what]
            + ([doc.para(pounds(line.claimed), "money")] if reduced else [])
            + [doc.para(pounds(paid), "money")]
        )
    lines.append(
        [doc.para("Total paid", "key"), *blank]
        + [doc.para(pounds(claim.amount_approved), "money_bold")]
    )
    widths = doc.columns(0.6, 0.2, 0.2) if reduced else doc.columns(0.75, 0.25)
    amounts = doc.table(lines, widths, total=True, padding=5, rule_below_last=False)
    return [doc.para("How the payment adds up", "heading"), Spacer(1, 2 * mm), amounts]


def _benefits_note(doc: PdfDocument, claim: InvolvementClaim, organisation: str) -> list[Flowable]:
    return [
        Spacer(1, 8 * mm),
        doc.para(
            "If you get benefits, you may need to tell the office that pays them about this "
            "payment. Citizens Advice can help you check. If anything here looks wrong, "
            f"contact {organisation} and give the claim reference {claim.reference}.",
            "small",
        ),
    ]


def _who_to_contact(doc: PdfDocument, claim: InvolvementClaim) -> list[Flowable]:
    """The panel's lead(s) and finance, by name, and where on the site to write to them
    (a printed page cannot follow a link, so it gives the address to type)."""
    rows = [
        (contact.who, f"{contact.role}. {contact.what_for}")
        for contact in contacts_for(user=None, claim=claim)
    ]
    claim_address = absolute_url(reverse("coproduce:claim_detail", args=[claim.pk]))
    return [
        Spacer(1, 6 * mm),
        doc.para("Who to contact", "heading"),
        Spacer(1, 2 * mm),
        doc.details(rows, doc.columns(0.4, 0.6), padding=4),
        Spacer(1, 2 * mm),
        doc.para(
            f"To send either of them a message, sign in and open this claim at {claim_address}, "
            "then choose \u201cSend a message\u201d. Give the claim reference "
            f"{claim.reference}.",
            "small",
        ),
    ]


# --- Panel impact report -----------------------------------------------------------------------
#
# What a panel, or all of an organisation's panels, did in a period: for boards, funders and
# the panel members themselves. Built from ``selectors.impact.panel_impact``; every number
# is explained on the last page, so a reader can check how it was counted.

NHS_PALE_BLUE = colors.HexColor("#e8f1f8")

COUNTING_NOTES = [
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


def _impact_styles() -> dict[str, ParagraphStyle]:
    styles = _styles()
    _regular, bold = fonts()
    base = styles["body"]
    return styles | {
        "lead": variant(base, "lead", keepWithNext=True, spaceAfter=2 * mm),
        "about": variant(base, "about", fontName=bold, fontSize=15, leading=19, spaceAfter=2),
        "figure": variant(
            base, "figure", fontName=bold, fontSize=20, leading=24, textColor=NHS_BLUE
        ),
        "figure_words": variant(
            base,
            "figure_words",
            fontName=bold,
            fontSize=13,
            leading=17,
            spaceBefore=3,
            spaceAfter=4,
            textColor=NHS_BLUE,
        ),
        "figure_label": variant(base, "figure_label", fontSize=9.5, leading=12),
        "note": variant(base, "note", fontSize=9.5, leading=13, textColor=NHS_SECONDARY_TEXT),
        "bullet": variant(base, "bullet", fontSize=9.5, leading=13, leftIndent=10, bulletIndent=0),
    }


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


def _one_or_many(count, noun: str, rest: str) -> str:
    """A figure's label agreeing with it: "1 meeting held", "2 meetings held"."""
    return f"{noun if count == 1 else noun + 's'} {rest}"


def impact_report_pdf(impact) -> bytes:
    """The panel impact report as PDF bytes, from ``selectors.impact.panel_impact``."""
    period = impact.period
    period_words = f"{day_in_words(period.start)} to {day_in_words(period.end)}"
    doc = PdfDocument(
        styles=_impact_styles(),
        title=f"Panel impact report: {impact.about}, {period_words}",
        author=impact.organisation.name,
        subject="What co-production panels did, and what changed because of them",
        side_margin=18 * mm,
        top_margin=16 * mm,
    )
    story = _impact_cover(doc, impact, period_words)
    if impact.panel:
        story += _about_the_panel(doc, impact.panel)
    story += _meetings_and_people(doc, impact)
    story += _payments_section(doc, impact.payments)
    if impact.panel is None:
        story += _panels_section(doc, impact)
    story += _changes_section(doc, impact)
    story += _meetings_section(doc, impact)
    story += _how_counted(doc)
    footer = PageFooter(
        left=f"Panel impact report \u00b7 {impact.about} \u00b7 {period_words} \u00b7 made on "
        f"{day_in_words(impact.made_at)}",
    )
    return doc.build(story, footer=footer)


def _impact_cover(doc: PdfDocument, impact, period_words: str) -> list[Flowable]:
    return [
        doc.para(impact.organisation.name, "organisation"),
        Spacer(1, 3 * mm),
        doc.para("Panel impact report", "title"),
        doc.para(impact.about, "about"),
        doc.para(period_words),
        Spacer(1, 5 * mm),
        _figures_grid(doc, impact),
    ]


def _figures_grid(doc: PdfDocument, impact) -> Table:
    """The figures a reader looks for first, as large numbers in a grid."""
    payments = impact.payments
    level = (
        impact.panel.get_coproduction_level_display()
        if impact.panel
        else _plural(len(impact.panels), "panel")
    )
    changes = len(impact.changes)
    figures = [
        (f"{impact.meetings_held:,}", _one_or_many(impact.meetings_held, "meeting", "held")),
        (
            f"{impact.people_involved:,}",
            "person involved" if impact.people_involved == 1 else "people involved",
        ),
        (hours_figure(payments.hours_paid), _one_or_many(payments.hours_paid, "hour", "paid")),
        (pounds(payments.money_paid), "paid to members, with expenses"),
        (f"{changes:,}", _one_or_many(changes, "service change", "co-produced")),
        (
            f"{impact.feedback_linked:,}",
            f"{'piece' if impact.feedback_linked == 1 else 'pieces'} of feedback behind "
            f"{'it' if changes == 1 else 'them'}",
        ),
        (f"{impact.feedback_responded:,}", "of them answered in public"),
        (level, "co-production level" if impact.panel else "in this report"),
    ]
    box = doc.width / 4
    cells = [
        [
            Paragraph(escape(value), _figure_style(doc.styles, value, box - 14)),
            doc.para(label, "figure_label"),
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
    return grid


def _about_the_panel(doc: PdfDocument, panel) -> list[Flowable]:
    meaning = coproduction_meaning(panel)
    return [
        doc.para("About the panel", "heading"),
        doc.para(panel.purpose),
        Spacer(1, 2 * mm),
        doc.para(
            f"Co-production level: {panel.get_coproduction_level_display()}. {meaning}".strip()
        ),
        doc.para(f"Status today: {panel.get_status_display()}."),
    ]


def _meetings_and_people(doc: PdfDocument, impact) -> list[Flowable]:
    """Meetings and people in sentences first: the table follows for those who want it."""
    held = impact.meetings_held
    words = [
        f"{'The panels' if impact.panel is None else 'The panel'} held "
        f"{_plural(held, 'meeting')} in this period."
    ]
    if impact.meetings_cancelled:
        words.append(
            f"{_plural(impact.meetings_cancelled, 'meeting')} "
            f"{'was' if impact.meetings_cancelled == 1 else 'were'} cancelled."
        )
    if impact.meetings_to_come:
        words.append(
            f"{_plural(impact.meetings_to_come, 'more meeting')} "
            f"{'is' if impact.meetings_to_come == 1 else 'are'} planned before the period ends."
        )
    if held:
        words.append(
            f"{_plural(impact.people_involved, 'person', 'different people')} took part, "
            f"giving {hours_figure(impact.hours_given)} "
            f"hour{'' if impact.hours_given == 1 else 's'} of their time."
        )
    return [doc.para("Meetings and people", "heading"), doc.para(" ".join(words))]


def _payments_section(doc: PdfDocument, payments) -> list[Flowable]:
    content = []
    if payments.claims_paid or payments.claims_not_yet_paid:
        figures = [
            ("Claims paid", f"{payments.claims_paid:,}"),
            ("Hours paid", hours_figure(payments.hours_paid)),
            ("Paid for people's time", pounds(payments.paid_for_time)),
            ("Expenses paid", pounds(payments.expenses_paid)),
        ]
        rows = [
            doc.header_row("What", figures=["Amount"]),
            *(
                [doc.para(what, "cell"), doc.para(amount, "cell_number")]
                for what, amount in figures
            ),
            [
                doc.para("Total paid", "cell_bold"),
                doc.para(pounds(payments.money_paid), "cell_number_bold"),
            ],
        ]
        content.append(_impact_table(doc, rows, (0.7, 0.3), total=True, repeat_header=False))
    if payments.claims_not_yet_paid:
        content += [
            Spacer(1, 2 * mm),
            doc.para(
                f"{_plural(payments.claims_not_yet_paid, 'claim')} for these meetings "
                f"{'is' if payments.claims_not_yet_paid == 1 else 'are'} not paid yet: "
                "waiting for the member to check, for approval or for payment.",
                "note",
            ),
        ]
    return doc.section(
        "Payments", content, empty="No involvement claims for meetings in this period."
    )


def _impact_table(doc: PdfDocument, rows, shares, **options) -> Table:
    return doc.table(rows, doc.columns(*shares), side_padding=4, **options)


def _panels_section(doc: PdfDocument, impact) -> list[Flowable]:
    content = []
    if impact.panels:
        rows = [
            doc.header_row("Panel", figures=["Meetings", "People", "Hours paid", "Paid", "Changes"])
        ]
        for row in impact.panels:
            panel = row.panel
            about_panel = (
                f"{panel.get_status_display()} \u00b7 {panel.get_coproduction_level_display()}"
            )
            figures = [
                f"{row.meetings_held:,}",
                f"{row.people_involved:,}",
                hours_figure(row.payments.hours_paid),
                pounds(row.payments.money_paid),
                f"{row.changes:,}",
            ]
            rows.append(
                [[doc.para(panel.title, "cell"), doc.para(about_panel, "note")]]
                + [doc.para(figure, "cell_number") for figure in figures]
            )
        content.append(_impact_table(doc, rows, (0.4, 0.12, 0.12, 0.12, 0.12, 0.12)))
    return doc.section("Panels", content, empty=f"{impact.organisation.name} has no panels yet.")


def _changes_section(doc: PdfDocument, impact) -> list[Flowable]:
    content = []
    if impact.changes:
        by_status = impact.changes_by_status
        at_the_end = ", ".join(
            f"{label.lower()} {by_status[status]}"
            for status, label in ServiceChangePage.Status.choices
        )
        rows = [
            doc.header_row(
                "Change", "Status", "Co-production level", figures=["Feedback (answered)"]
            )
        ]
        for change in impact.changes:
            detail = change.title
            if impact.panel is None:
                detail += f" — {change.panel_title}"
            cell = [doc.para(detail, "cell")]
            if change.offers:
                cell.append(doc.para("Offers: " + ", ".join(change.offers), "note"))
            feedback = f"{change.feedback:,} ({change.feedback_responded:,})"
            rows.append(
                [
                    cell,
                    doc.para(change.status_label, "cell"),
                    doc.para(change.coproduction_level, "cell"),
                    doc.para(feedback, "cell_number"),
                ]
            )
        content = [
            doc.para(f"At the end of the period: {at_the_end}.", "lead"),
            _impact_table(doc, rows, (0.44, 0.15, 0.22, 0.19)),
        ]
    return doc.section(
        "Changes made",
        content,
        empty="No published service change from this period names the panel yet.",
    )


def _meetings_section(doc: PdfDocument, impact) -> list[Flowable]:
    many_panels = impact.panel is None
    content = []
    if impact.meetings:
        headings = ["Date", "Panel", "Meeting"] if many_panels else ["Date", "Meeting"]
        rows = [doc.header_row(*headings, figures=["People attended"])]
        for meeting in impact.meetings:
            row = [doc.para(day_in_words(meeting.starts_at), "cell")]
            if many_panels:
                row.append(doc.para(meeting.panel_title, "cell"))
            row += [
                doc.para(meeting.title, "cell"),
                doc.para(f"{meeting.attended:,}", "cell_number"),
            ]
            rows.append(row)
        shares = (0.2, 0.28, 0.37, 0.15) if many_panels else (0.22, 0.58, 0.2)
        content.append(_impact_table(doc, rows, shares))
    return doc.section("Meetings held", content, empty="No meetings were held in this period.")


def _how_counted(doc: PdfDocument) -> list[Flowable]:
    return [
        doc.para("How these numbers are counted", "heading"),
        *(doc.para(note, "bullet", bullet="\u2022") for note in COUNTING_NOTES),
    ]
