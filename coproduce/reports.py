"""PDF documents of co-production, made with reportlab: functions from records to bytes,
tested without HTTP; views only stream them.

The remittance advice is the member's proof of a payment: who paid them, for which meeting,
how it adds up, when and how it was paid. People on benefits may need to show it, so it
says plainly what the payment was for.
"""

from functools import cache
from html import escape
from io import BytesIO
from pathlib import Path

import reportlab
from django.utils import dateformat, timezone
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from cms.templatetags.site_tags import clock

from .choices import PaymentChoice
from .models import InvolvementClaim
from .selectors.claims import hours_in_words, name_to_show

NHS_BLUE = colors.HexColor("#005eb8")
NHS_TEXT = colors.HexColor("#212b32")
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

PAYMENT_METHODS = {
    PaymentChoice.PAID: "Bank transfer",
    PaymentChoice.VOUCHER: "Shopping vouchers",
    PaymentChoice.NOT_PAID: "Bank transfer (expenses only: you chose not to be paid for your time)",
}


@cache
def _fonts() -> tuple[str, str]:
    """Register the first available font pair once; returns (regular, bold) names."""
    for regular, bold in _FONT_CANDIDATES:
        if regular.exists() and bold.exists():
            pdfmetrics.registerFont(TTFont("LEP-Regular", str(regular)))
            pdfmetrics.registerFont(TTFont("LEP-Bold", str(bold)))
            return "LEP-Regular", "LEP-Bold"
    return "Helvetica", "Helvetica-Bold"  # pragma: no cover - reportlab always has Vera


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = _fonts()
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


def long_date(moment) -> str:
    """Like "Tuesday 1 December 2026", in Europe/London."""
    return dateformat.format(timezone.localtime(moment), "l j F Y")


def long_date_time(moment) -> str:
    """Like "Tuesday 1 December 2026, 10am", in Europe/London."""
    local = timezone.localtime(moment)
    return f"{long_date(local)}, {clock(local)}"


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
        [para("Meeting", "key"), para(f"{meeting.title}, {long_date_time(meeting.starts_at)}")],
        [para("Paid on", "key"), para(long_date(claim.paid_at))],
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
