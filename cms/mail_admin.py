"""Outbound mail in the Wagtail admin (Reports → Outbound mail): every email the site has
stored, with its subject, recipients, status, attempts, next try and last error, and "Send
again" for one that has not got through. For admins only.

Never the body. Bodies hold one-time sign-in and password-reset links, which an admin must
not be able to use. Every query here leaves the stored message in the database and reads
out only its subject and recipients (``outbound_mail_rows``), so no column, page or
template can show a body by mistake, and a page of fifty emails does not load fifty
attachments. Nothing is added, edited or deleted here: sending again goes through
``cms.mail.email_send_again``, which writes the audit log. The pages themselves, shared
with outbound texts, are ``cms.outbound_admin``'s.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.urls import reverse
from wagtail.admin.ui.tables import ButtonsColumnMixin, Column, TitleColumn
from wagtail.admin.widgets.button import ListingButton

from . import mail
from .models import OutboundEmail
from .outbound_admin import DELIVERY_FIELDS, WHEN_FIELDS, OutboundViewSet, delivery_columns

Status = OutboundEmail.Status


def outbound_mail_rows() -> QuerySet:
    """Stored emails with their subject and recipients read out of the message; the message
    itself (body, links, attachments) stays in the database."""
    return OutboundEmail.objects.defer("message").annotate(
        subject_text=KeyTextTransform("subject", "message"),
        to_addresses=KeyTransform("to", "message"),
        cc_addresses=KeyTransform("cc", "message"),
        bcc_addresses=KeyTransform("bcc", "message"),
    )


def subject_of(row) -> str:
    return row.subject_text or "(no subject)"


def recipients_of(row) -> list[str]:
    return [*(row.to_addresses or []), *(row.cc_addresses or []), *(row.bcc_addresses or [])]


def _recipients_text(row) -> str:
    return ", ".join(recipients_of(row))


def _about(row) -> str:
    if not row.about_type_id:
        return ""
    kind = ContentType.objects.get_for_id(row.about_type_id)
    return f"{kind.name.capitalize()} {row.about_id}"


def _inspect_url(row) -> str:
    return reverse("outbound_mail:inspect", args=[row.pk])


class SubjectColumn(ButtonsColumnMixin, TitleColumn):
    """The subject, linking to the email's page, with "Send again" beside it when it may be.

    The button stands on its own: Wagtail's "more" menu names each row by ``str(row)``,
    which would read the stored message once per row."""

    def get_buttons(self, instance, parent_context):
        if not mail.may_send_again(instance):
            return []
        return [
            ListingButton(
                "Send again",
                url=reverse("outbound_mail:send_again", args=[instance.pk]),
                icon_name="mail",
                attrs={"aria-label": f"Send again: {subject_of(instance)}"},
            )
        ]


class OutboundMailViewSet(OutboundViewSet):
    """Reports → Outbound mail, for admins."""

    model = OutboundEmail
    queue = mail.QUEUE
    name = "outbound_mail"
    url_prefix = "outbound-mail"
    menu_label = "Outbound mail"
    menu_name = "outbound-mail"
    menu_order = 800
    inspect_template_name = "cms/admin/outbound_mail/inspect.html"
    send_again_template_name = "cms/admin/outbound_mail/send_again.html"
    # Addresses and subjects only: the body is never searched, nor read.
    search_fields = ["message__to", "message__cc", "message__bcc", "message__subject"]
    search_backend_name = None
    list_display = [
        SubjectColumn("subject", label="Subject", accessor=subject_of, get_url=_inspect_url),
        Column("recipients", label="Recipients", accessor=_recipients_text),
        *delivery_columns(),
    ]
    inspect_fields = {
        "subject": ("Subject", subject_of),
        "recipients": ("Recipients", _recipients_text),
        **DELIVERY_FIELDS,
        "about": ("About", _about),
        **WHEN_FIELDS,
    }

    def rows(self):
        return outbound_mail_rows()

    def title_of(self, row) -> str:
        return subject_of(row)

    def send_again(self, row, *, user):
        return mail.email_send_again(outbound=row, user=user)

    def sent_again(self, row) -> str:
        return (
            f"“{subject_of(row)}” is being sent again to {_recipients_text(row)}. "
            "Its status below shows whether it got through."
        )

    def nothing_to_send_again(self, row) -> str:
        if row.status == Status.SENT:
            return f"“{subject_of(row)}” was delivered, so there is nothing to send again."
        return f"“{subject_of(row)}” is being sent now. Check its status again in a minute."

    def send_again_context(self, row) -> dict:
        return {"subject": subject_of(row), "recipients": recipients_of(row)}
