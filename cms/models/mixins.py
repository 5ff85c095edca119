"""Small behaviours shared by the shell's models."""

from django.db import models
from django.utils.text import slugify


class SlugFromNameMixin(models.Model):
    """Fill an empty ``slug`` from ``name`` when saving (editors may still set their own)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)[: self._meta.get_field("slug").max_length]
        super().save(*args, **kwargs)
