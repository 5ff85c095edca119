"""Outbound text messages in the Wagtail admin (Reports → Outbound texts): every stored
text, with who it was to (their number masked), its status, attempts, next try and last
error, and "Send again" for one that has not got through. For admins only (the same rule as
outbound mail).

Never the words: a text is about someone's claim or meeting, and an admin has no need to
read it to see why it did not get through. Sending again goes through
``cms.texts.text_send_again``, which writes the audit log. The pages themselves, shared
with outbound mail, are ``cms.outbound_admin``'s.
"""

from django.urls import reverse
from wagtail.admin.ui.tables import TitleColumn

from . import texts
from .models import OutboundText
from .outbound_admin import DELIVERY_FIELDS, WHEN_FIELDS, OutboundViewSet, delivery_columns

Status = OutboundText.Status


def masked(number: str) -> str:
    """+447700900123 as "+44 7••• •••123": enough to tell two people apart."""
    if not number:
        return "(cleared)"
    return f"{number[:3]} {number[3]}\u2022\u2022\u2022 \u2022\u2022\u2022{number[-3:]}"


def to_whom(row) -> str:
    person = row.recipient
    name = (person.get_full_name() or person.email) if person else "Account closed"
    return f"{name} ({masked(row.phone_number)})"


def _inspect_url(row) -> str:
    return reverse("outbound_texts:inspect", args=[row.pk])


class OutboundTextViewSet(OutboundViewSet):
    """Reports → Outbound texts, for admins."""

    model = OutboundText
    queue = texts.QUEUE
    name = "outbound_texts"
    url_prefix = "outbound-texts"
    menu_label = "Outbound texts"
    menu_name = "outbound-texts"
    menu_order = 801
    inspect_template_name = "cms/texts/inspect.html"
    send_again_template_name = "cms/texts/send_again.html"
    list_display = [
        TitleColumn("to", label="To", accessor=to_whom, get_url=_inspect_url),
        *delivery_columns(),
    ]
    inspect_fields = {
        "to": ("To", to_whom),
        **DELIVERY_FIELDS,
        "provider_reference": ("Provider's reference", lambda row: row.provider_reference),
        **WHEN_FIELDS,
    }

    def rows(self):
        return OutboundText.objects.defer("body").select_related("recipient")

    def title_of(self, row) -> str:
        return to_whom(row)

    def send_again(self, row, *, user):
        return texts.text_send_again(outbound=row, user=user)

    def sent_again(self, row) -> str:
        return (
            f"The text to {to_whom(row)} is being sent again. Its status below shows "
            "whether it got through."
        )

    def nothing_to_send_again(self, row) -> str:
        if row.status == Status.SENT:
            return "This text was delivered, so there is nothing to send again."
        if not row.phone_number:
            return (
                "This text's number has been cleared (we keep it only 14 days), so it cannot "
                "be sent again."
            )
        return "This text is being sent now. Check its status again in a minute."

    def send_again_context(self, row) -> dict:
        return {"to": to_whom(row)}
