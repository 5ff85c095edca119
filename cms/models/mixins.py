"""Small behaviours shared by the shell's models."""

from django.db import models

from ..slugs import unique_slug


class SlugFromNameMixin(models.Model):
    """Fill an empty ``slug`` from ``name`` when saving (editors may still set their own)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(
                type(self)._default_manager.exclude(pk=self.pk),
                self.name,
                max_length=self._meta.get_field("slug").max_length,
                fallback=self._meta.model_name,
            )
        super().save(*args, **kwargs)
