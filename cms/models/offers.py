"""The offers directory: every kind of support a partner provides, as Wagtail pages.

"No wrong door": an offer is an NHS team, a council service, a crisis café, a befriending
scheme, debt advice or a peer group. Editors publish offers like any other page; members
give feedback on them and peer workers signpost people to them (later features link here).
"""

from datetime import date, datetime, time, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.models import Orderable, Page
from wagtail.search import index

from ..admin_dates import page_settings_panels
from .mixins import SlugFromNameMixin

REVIEW_DUE_AFTER_DAYS = 365

# A link a person follows from an offer must open a web page: no ftp:, no javascript:.
web_address = URLValidator(
    schemes=["http", "https"],
    message="Enter a web address starting with https:// (or http://).",
    # Its own code: a field's "invalid" message would replace this one.
    code="not_a_web_address",
)


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

    settings_panels = page_settings_panels()
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
    must not overlap (an overnight opening runs into the next day)."""

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
            forms_and_spans = [
                (form, OpeningTime(**{k: form.cleaned_data.get(k) for k in OPENING_FIELDS}))
                for form in formset.forms
                if form.cleaned_data
                and not form.cleaned_data.get("DELETE")
                and None not in (form.cleaned_data.get(k) for k in ("weekday", "opens", "closes"))
            ]
            for form, clash in opening_time_clashes(forms_and_spans):
                form.add_error("opens", f"These opening times overlap {clash}.")
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
    self_referral_url = models.URLField(
        "online referral form", blank=True, validators=[web_address]
    )
    self_referral_drop_in = models.BooleanField("drop in, no appointment", default=False)
    via_gp = models.BooleanField("through a GP", default=False)
    via_service = models.CharField(
        "through another service", max_length=255, blank=True, help_text="Which services refer."
    )
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True, validators=[web_address])
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

    settings_panels = page_settings_panels()
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


MIDNIGHT = time(0)
# Many directories (and our editors, before overnight times existed) write 23:59 for
# "until midnight": a span closing then runs to the end of the day.
LAST_MINUTE = time(23, 59)
MINUTES_A_DAY = 24 * 60
MINUTES_A_WEEK = 7 * MINUTES_A_DAY
OPENING_FIELDS = ("weekday", "opens", "closes", "valid_from", "valid_to")


def _closing(span) -> time:
    return MIDNIGHT if span.closes >= LAST_MINUTE else span.closes


def runs_past_midnight(span) -> bool:
    """A span whose closing time is not after its opening time closes the next day:
    18:00 to 02:00 is overnight, 18:00 to 00:00 ends at midnight, and 00:00 to 00:00 (or
    09:00 to 09:00) is open 24 hours."""
    return _closing(span) <= span.opens


def opens_24_hours(span) -> bool:
    return _closing(span) == span.opens


def _valid_on(span, day: date) -> bool:
    return (span.valid_from is None or span.valid_from <= day) and (
        span.valid_to is None or day <= span.valid_to
    )


def spans_open_at(spans, moment: datetime) -> bool:
    """Whether any of ``spans`` (OpeningTimes) covers ``moment``, in UK time: the one "open
    now" rule, for the cards and the offer page. ``opening_times_open_at`` is the same rule
    for the database, for the directory's "open now" filter.

    A span belongs to the day it opens: Friday 18:00 to 02:00 covers Saturday 01:00, and
    its dates (valid_from, valid_to) are Friday's."""
    local = timezone.localtime(moment)
    today, now = local.date(), local.time()
    yesterday = today - timedelta(days=1)
    for span in spans:
        if (
            span.weekday == today.weekday()
            and _valid_on(span, today)
            and span.opens <= now
            and (runs_past_midnight(span) or now < span.closes)
        ):
            return True
        if (
            span.weekday == yesterday.weekday()
            and _valid_on(span, yesterday)
            and runs_past_midnight(span)
            and now < _closing(span)
        ):
            return True
    return False


def _valid_on_q(day: date) -> Q:
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=day)) & (
        Q(valid_to__isnull=True) | Q(valid_to__gte=day)
    )


def opening_times_open_at(moment: datetime) -> Q:
    """``spans_open_at`` as a filter on OpeningTime rows (keep the two in step: the
    directory tests check both at the same boundary moments)."""
    local = timezone.localtime(moment)
    today, now = local.date(), local.time()
    yesterday = today - timedelta(days=1)
    past_midnight = Q(closes__gte=LAST_MINUTE) | Q(closes__lte=F("opens"))
    opened_today = (
        Q(weekday=today.weekday(), opens__lte=now)
        & (past_midnight | Q(closes__gt=now))
        & _valid_on_q(today)
    )
    still_open_from_yesterday = (
        Q(weekday=yesterday.weekday(), closes__lt=LAST_MINUTE, closes__lte=F("opens"))
        & Q(closes__gt=now)
        & _valid_on_q(yesterday)
    )
    return opened_today | still_open_from_yesterday


def _minutes_of_week(span) -> tuple[int, int]:
    """Where ``span`` starts in the week, in minutes from Monday 00:00, and how long it is."""
    start = span.weekday * MINUTES_A_DAY + span.opens.hour * 60 + span.opens.minute
    closing = _closing(span)
    length = (closing.hour * 60 + closing.minute - span.opens.hour * 60 - span.opens.minute) % (
        MINUTES_A_DAY
    )
    return start, length or MINUTES_A_DAY


def _dates_meet(a, b) -> bool:
    return (a.valid_from is None or b.valid_to is None or a.valid_from <= b.valid_to) and (
        b.valid_from is None or a.valid_to is None or b.valid_from <= a.valid_to
    )


def opening_time_clashes(items):
    """``(key, span)`` pairs in ``items`` whose span overlaps an earlier one (around the
    week: Sunday night runs into Monday), as ``(key, earlier span)``. Spans whose dates
    never meet (winter and summer hours) do not clash."""
    seen = []
    for key, span in items:
        start, length = _minutes_of_week(span)
        for other in seen:
            other_start, other_length = _minutes_of_week(other)
            if _dates_meet(span, other) and (
                (start - other_start) % MINUTES_A_WEEK < other_length
                or (other_start - start) % MINUTES_A_WEEK < length
            ):
                yield key, other
                break
        seen.append(span)


class OpeningTime(Orderable):
    """One span of opening on one day of the week (several spans a day are allowed). It
    may run overnight into the next day, or for 24 hours, and may hold only between two
    dates (a winter shelter, summer hours)."""

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
    closes = models.TimeField(
        default=time(17, 0),
        help_text=(
            "A closing time earlier than the opening time means the next day: 18:00 to "
            "02:00 is overnight. For open 24 hours, give 00:00 for both."
        ),
    )
    valid_from = models.DateField(
        "from", null=True, blank=True, help_text="Leave empty if these times have no start date."
    )
    valid_to = models.DateField(
        "until", null=True, blank=True, help_text="Leave empty if these times have no end date."
    )

    panels = [
        FieldRowPanel([FieldPanel("weekday"), FieldPanel("opens"), FieldPanel("closes")]),
        FieldRowPanel([FieldPanel("valid_from"), FieldPanel("valid_to")]),
    ]

    class Meta(Orderable.Meta):
        ordering = ["weekday", "opens"]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def clean(self):
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": "The last date must be on or after the first date."})
