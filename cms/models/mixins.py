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


class ViewRestrictionsFromMemory:
    """A page type whose view restrictions cost no query while no page has any.

    Wagtail checks every page it serves for restrictions on it or its ancestors (two
    queries). Whether any page is restricted is kept per process and generation
    (``cms.page_cache.any_view_restrictions``); adding or removing a restriction replaces
    the generation, so the full check comes back as soon as one exists."""

    def get_view_restrictions(self):
        from wagtail.models import PageViewRestriction

        from ..page_cache import any_view_restrictions

        if not any_view_restrictions():
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()
