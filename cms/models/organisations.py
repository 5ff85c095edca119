"""Organisations of the partnership: staff roles are scoped to one of these."""

import re

from django.core.exceptions import ValidationError
from django.db import models
from wagtail.search import index

from ..personal_details import is_uk_phone_number
from .mixins import SlugFromNameMixin

PHONE_EXAMPLE = "0113 496 0000 or 07700 900 123"


def validate_uk_phone_number(value: str) -> None:
    """A phone field holds one UK phone number, the way a person would write it."""
    if not is_uk_phone_number(value):
        raise ValidationError(
            f"Enter a UK phone number, like {PHONE_EXAMPLE}", code="invalid_phone"
        )


def tel_link(number: str) -> str:
    """The ``tel:`` address of a UK number as typed: ``0113 496 0000`` is
    ``tel:01134960000`` and ``+44 (0)113 496 0000`` is ``tel:+441134960000``."""
    digits = re.sub(r"\D", "", number)
    if number.strip().startswith("+"):
        if digits.startswith("440"):
            digits = "44" + digits[3:]
        return f"tel:+{digits}"
    return f"tel:{digits}"


class Organisation(SlugFromNameMixin, index.Indexed, models.Model):
    """An NHS trust, local authority or voluntary organisation in the partnership."""

    class Kind(models.TextChoices):
        NHS_TRUST = "nhs_trust", "NHS trust"
        LOCAL_AUTHORITY = "local_authority", "Local authority"
        VCSE = "vcse", "Voluntary, community or social enterprise (VCSE)"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True, blank=True)
    kind = models.CharField(max_length=32, choices=Kind.choices, default=Kind.OTHER)
    area = models.CharField(
        max_length=200, blank=True, help_text="The place it serves, for example 'Kirklees'."
    )
    website = models.URLField(blank=True)
    # Who a peer worker rings when a safeguarding concern cannot wait and their supervisors
    # are not there: shown on the concern's page and in the safeguarding emails.
    on_call_phone = models.CharField(
        "On-call phone number",
        max_length=30,
        blank=True,
        validators=[validate_uk_phone_number],
        help_text=(
            "The on-call or duty number peer workers can ring about a safeguarding concern "
            f"when their supervisors do not answer, like {PHONE_EXAMPLE}. "
            "Leave it empty if you do not have one."
        ),
    )
    on_call_when = models.CharField(
        "When to use it",
        max_length=200,
        blank=True,
        help_text=(
            "A few words, for example ‘Evenings, weekends and bank holidays: ask for the "
            "duty manager’."
        ),
    )

    search_fields = [index.SearchField("name"), index.FilterField("kind")]

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.on_call_when.strip() and not self.on_call_phone.strip():
            raise ValidationError(
                {"on_call_phone": "Enter the on-call phone number, or leave ‘When to use it’ empty"}
            )

    @property
    def on_call_tel(self) -> str:
        """The on-call number's ``tel:`` link, or "" when there is none."""
        return tel_link(self.on_call_phone) if self.on_call_phone else ""
