"""The offers directory: every kind of support a partner provides, as Wagtail pages.

"No wrong door": an offer is an NHS team, a council service, a crisis café, a befriending
scheme, debt advice or a peer group. Editors publish offers like any other page; members
give feedback on them and peer workers signpost people to them (later features link here).
"""

from datetime import datetime, time

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.models import Orderable, Page
from wagtail.search import index

from .mixins import SlugFromNameMixin

REVIEW_DUE_AFTER_DAYS = 365


class Need(SlugFromNameMixin, models.Model):
    """A need an offer meets, from the editor-managed taxonomy (including the wider
    determinants of mental health: money, housing, work, loneliness...)."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True, blank=True)
    description = models.CharField(
        max_length=255, blank=True, help_text="A short plain-English explanation."
    )
    wider_determinant = models.BooleanField(
        default=False,
        help_text="Money, housing, work, loneliness and other things that shape mental health.",
    )
    sort_order = models.PositiveIntegerField(default=0)

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("wider_determinant"),
        FieldPanel("sort_order"),
    ]

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class Area(SlugFromNameMixin, models.Model):
    """A place offers serve (a town, borough or neighbourhood), managed by editors."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True, blank=True)

    panels = [FieldPanel("name"), FieldPanel("slug")]

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class OffersIndexPage(RoutablePageMixin, Page):
    """The directory: find support by need, area and how to get in."""

    intro = models.TextField(blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.OfferPage"]
    max_count = 1

    class Meta:
        verbose_name = "offers directory"

    @path("")
    def directory(self, request):
        from ..directory import directory_view

        return directory_view(request, index_page=self)

    @path("help-me-choose/", name="help_me_choose")
    def help_me_choose(self, request):
        from ..directory import help_me_choose_view

        return help_me_choose_view(request, index_page=self)


class OfferPageForm(WagtailAdminPageForm):
    """Editors' form: an offer that takes self-referrals must say how, and opening times
    must be real (closing after opening) and must not overlap on the same day."""

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("self_referral") and not (
            cleaned.get("self_referral_phone")
            or cleaned.get("self_referral_url")
            or cleaned.get("self_referral_drop_in")
        ):
            self.add_error(
                "self_referral",
                "Say how people refer themselves: a phone number, an online form or drop in.",
            )
        formset = self.formsets.get("opening_times")
        if formset is not None and formset.is_valid():
            spans = []
            for form in formset.forms:
                data = form.cleaned_data
                if not data or data.get("DELETE"):
                    continue
                opens, closes = data.get("opens"), data.get("closes")
                if opens and closes and closes <= opens:
                    form.add_error("closes", "The closing time must be after the opening time.")
                    continue
                spans.append((data.get("weekday"), opens, closes, form))
            for i, (day, opens, closes, form) in enumerate(spans):
                for other_day, other_opens, other_closes, _ in spans[:i]:
                    if day == other_day and opens < other_closes and other_opens < closes:
                        form.add_error(
                            "opens", "These opening times overlap others on the same day."
                        )
                        break
        return cleaned


class OfferPage(RoutablePageMixin, Page):
    """One offer of support, with everything a person needs to decide and get in."""

    class Delivery(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        ONLINE = "online", "Online"
        PHONE = "phone", "By phone"

    provider = models.ForeignKey(
        "cms.Organisation", on_delete=models.PROTECT, related_name="offers"
    )
    summary = models.TextField(help_text="What the offer is, in two or three plain sentences.")
    easy_read_summary = models.TextField(
        blank=True, help_text="The same in easy read: short sentences, everyday words."
    )
    needs = ParentalManyToManyField("cms.Need", related_name="offers", blank=True)
    areas = ParentalManyToManyField("cms.Area", related_name="offers", blank=True)
    open_to_all = models.BooleanField(
        "no criteria", default=True, help_text="Anyone can use it: no criteria to meet."
    )
    who_for = models.TextField("who it is for", blank=True)
    age_from = models.PositiveSmallIntegerField(null=True, blank=True)
    age_to = models.PositiveSmallIntegerField(null=True, blank=True)
    for_carers = models.BooleanField(default=False)
    communities = models.CharField(
        max_length=255, blank=True, help_text="For example: Deaf people, South Asian women."
    )
    self_referral = models.BooleanField("you can refer yourself", default=False)
    self_referral_phone = models.CharField(max_length=40, blank=True)
    self_referral_url = models.URLField("online referral form", blank=True)
    self_referral_drop_in = models.BooleanField("drop in, no appointment", default=False)
    via_gp = models.BooleanField("through a GP", default=False)
    via_service = models.CharField(
        "through another service", max_length=255, blank=True, help_text="Which services refer."
    )
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    in_person = models.BooleanField(default=True)
    online = models.BooleanField(default=False)
    by_phone = models.BooleanField(default=False)
    languages = models.CharField(
        max_length=255, blank=True, help_text="Languages other than English, comma separated."
    )
    bsl = models.BooleanField("British Sign Language", default=False)
    venue_accessibility = models.TextField(blank=True)
    cost = models.CharField(max_length=120, default="Free")
    last_reviewed = models.DateField(default=timezone.localdate)
    oruk_id = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    base_form_class = OfferPageForm
    # A copy is a new service: it must not claim the original's Open Referral id.
    exclude_fields_in_copy = ["oruk_id"]
    parent_page_types = ["cms.OffersIndexPage"]
    subpage_types: list[str] = []

    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("easy_read_summary"),
        index.SearchField("who_for"),
        index.SearchField("communities"),
        index.RelatedFields("provider", [index.SearchField("name")]),
        index.RelatedFields("needs", [index.SearchField("name")]),
        index.FilterField("self_referral"),
        index.FilterField("in_person"),
        index.FilterField("online"),
    ]

    content_panels = [
        *Page.content_panels,
        FieldPanel("provider"),
        FieldPanel("summary"),
        FieldPanel("easy_read_summary"),
        FieldPanel("needs", widget=forms.CheckboxSelectMultiple),
        FieldPanel("areas"),
        MultiFieldPanel(
            [
                FieldPanel("open_to_all"),
                FieldPanel("who_for"),
                FieldRowPanel([FieldPanel("age_from"), FieldPanel("age_to")]),
                FieldPanel("for_carers"),
                FieldPanel("communities"),
            ],
            heading="Who it is for",
        ),
        MultiFieldPanel(
            [
                FieldPanel("self_referral"),
                FieldPanel("self_referral_phone"),
                FieldPanel("self_referral_url"),
                FieldPanel("self_referral_drop_in"),
                FieldPanel("via_gp"),
                FieldPanel("via_service"),
            ],
            heading="How to get in",
        ),
        MultiFieldPanel(
            [
                FieldPanel("phone"),
                FieldPanel("email"),
                FieldPanel("website"),
                FieldPanel("address"),
                FieldPanel("postcode"),
            ],
            heading="Contact",
        ),
        InlinePanel("opening_times", heading="Opening times", label="Opening time"),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [FieldPanel("in_person"), FieldPanel("online"), FieldPanel("by_phone")]
                ),
                FieldPanel("languages"),
                FieldPanel("bsl"),
                FieldPanel("venue_accessibility"),
                FieldPanel("cost"),
            ],
            heading="Access",
        ),
        FieldPanel("last_reviewed"),
    ]

    class Meta:
        verbose_name = "offer"

    @property
    def review_overdue(self) -> bool:
        return (timezone.localdate() - self.last_reviewed).days > REVIEW_DUE_AFTER_DAYS

    @property
    def language_list(self) -> list[str]:
        return [item.strip() for item in self.languages.split(",") if item.strip()]

    def is_open_at(self, moment: datetime) -> bool:
        return spans_open_at(self.opening_times.all(), moment)

    def get_context(self, request, *args, **kwargs):
        from ..directory import offer_page_context

        context = super().get_context(request, *args, **kwargs)
        context.update(offer_page_context(self, request))
        return context

    @path("")
    def full(self, request):
        return self.render(request)

    @path("easy-read/", name="easy_read")
    def easy_read(self, request):
        return self.render(request, template="cms/offer_page_easy_read.html")


def spans_open_at(spans, moment: datetime) -> bool:
    """Whether any of ``spans`` (OpeningTimes) covers ``moment``, in UK time. The same rule
    as the directory's "open now" filter (cms.selectors.offers_open_at), in Python."""
    local = timezone.localtime(moment)
    return any(
        span.weekday == local.weekday() and span.opens <= local.time() < span.closes
        for span in spans
    )


class OpeningTime(Orderable):
    """One span of opening on one day of the week (several spans a day are allowed)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    offer = ParentalKey("cms.OfferPage", on_delete=models.CASCADE, related_name="opening_times")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField(default=time(9, 0))
    closes = models.TimeField(default=time(17, 0))

    panels = [FieldRowPanel([FieldPanel("weekday"), FieldPanel("opens"), FieldPanel("closes")])]

    class Meta(Orderable.Meta):
        ordering = ["weekday", "opens"]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def clean(self):
        if self.opens and self.closes and self.closes <= self.opens:
            raise ValidationError({"closes": "The closing time must be after the opening time."})
