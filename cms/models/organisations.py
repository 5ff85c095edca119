"""Organisations of the partnership: staff roles are scoped to one of these."""

from django.db import models
from django.utils.text import slugify
from wagtail.search import index


class Organisation(index.Indexed, models.Model):
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

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)[:200]
        super().save(*args, **kwargs)
