"""The home page and plain content pages of the public site."""

from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from ..admin_dates import page_settings_panels
from ..blocks import ContentPageStreamBlock, ContentStreamBlock
from ..page_cache import public_only
from .mixins import ViewRestrictionsFromMemory


class HomePage(ViewRestrictionsFromMemory, Page):
    """The front door: what the partnership is and where to go next."""

    intro = models.TextField(
        blank=True, help_text="One or two plain sentences under the page title."
    )
    body = StreamField(ContentStreamBlock(), blank=True, use_json_field=True)

    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    settings_panels = page_settings_panels()
    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]

    max_count = 1
    parent_page_types = ["wagtailcore.Page"]
    # The "You said, we did" index is co-production's page type, named here by its label only.
    subpage_types = ["cms.ContentPage", "cms.OffersIndexPage", "coproduce.ServiceChangeIndexPage"]

    class Meta:
        verbose_name = "home page"


class ContentPage(ViewRestrictionsFromMemory, Page):
    """An ordinary page of information, built from NHS.UK components."""

    intro = models.TextField(blank=True, help_text="A short summary shown under the title.")
    body = StreamField(ContentPageStreamBlock(), blank=True, use_json_field=True)

    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    settings_panels = page_settings_panels()
    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]

    parent_page_types = ["cms.HomePage", "cms.ContentPage"]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["breadcrumbs"] = list(public_only(self.get_ancestors().live().filter(depth__gt=1)))
        return context

    class Meta:
        verbose_name = "content page"
