"""Organisations of the partnership: staff roles are scoped to one of these."""

from django.db import models
from wagtail.search import index

from .mixins import SlugFromNameMixin


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

    search_fields = [index.SearchField("name"), index.FilterField("kind")]

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name
