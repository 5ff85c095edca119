"""The offers directory: every kind of support a partner provides, as Wagtail pages.

"No wrong door": an offer is an NHS team, a council service, a crisis café, a befriending
scheme, debt advice or a peer group. Editors publish offers like any other page; members
give feedback on them and peer workers signpost people to them (later features link here).
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.http import Http404
from django.utils import timezone
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.forms import BaseChildFormSet
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.models import Orderable, Page
from wagtail.search import index

from ..admin_dates import page_settings_panels
from ..dates import clock, day_in_words
from ..working_days import BANK_HOLIDAYS
from .mixins import SlugFromNameMixin, ViewRestrictionsFromMemory

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
    synonyms = models.TextField(
        blank=True,
        help_text=(
            "Other words people use when they look for this, separated by commas or one to a "
            'line: for money and debt, "money worries, bills, skint".'
        ),
    )
    sort_order = models.PositiveIntegerField(default=0)

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("synonyms"),
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


class OffersIndexPage(ViewRestrictionsFromMemory, RoutablePageMixin, Page):
    """The directory: find support by need, area and how to get in."""

    intro = models.TextField(blank=True)

    settings_panels = page_settings_panels()
    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.OfferPage"]
    max_count = 1

    class Meta:
        verbose_name = "offers directory"

    def route(self, request, path_components):
        """Wagtail's routing, except that an offer is found in one query, with its
        provider, instead of two (its page, then its offer fields) and a third later."""
        if path_components and self.live:
            try:
                self.resolve_subpage("/" + "/".join(path_components) + "/")
            except Http404:
                offer = (
                    OfferPage.objects.child_of(self)
                    .filter(slug=path_components[0])
                    .select_related("provider")
                    .first()
                )
                if offer is not None:
                    offer._cached_parent_obj = self
                    return offer.route(request, path_components[1:])
        return super().route(request, path_components)

    @path("")
    def directory(self, request):
        from ..directory import directory_view

        return directory_view(request, index_page=self)

    @path("help-me-choose/", name="help_me_choose")
    def help_me_choose(self, request):
        from ..directory import help_me_choose_view

        return help_me_choose_view(request, index_page=self)


POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$", re.IGNORECASE)


def _kept(formset) -> list:
    """The forms of a valid inline formset that will be saved (not empty, not deleted)."""
    if formset is None or not formset.is_valid():
        return []
    return [
        form for form in formset.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


class OpeningTimeFormSet(BaseChildFormSet):
    """An offer's opening times: each may be for one of this offer's saved places (a place
    added in the same edit has no id yet, so it can be chosen after saving)."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "location" in form.fields:
            offer_id = self.instance.pk
            form.fields["location"].queryset = (
                Location.objects.filter(offer_id=offer_id) if offer_id else Location.objects.none()
            )


class OpeningTimesPanel(InlinePanel):
    """The opening times, with their place chosen from this offer's places only."""

    def get_form_options(self):
        options = super().get_form_options()
        options["formsets"][self.relation_name]["formset"] = OpeningTimeFormSet
        return options


class OfferPageForm(WagtailAdminPageForm):
    """Editors' form: an offer that takes self-referrals must say how, an offer people
    drop in to must say where, places have real postcodes, and opening times must not
    overlap (an overnight opening runs into the next day)."""

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
        self._clean_places(cleaned)
        times = _kept(self.formsets.get("opening_times"))
        if cleaned.get("open_24_hours") and times:
            self.add_error(
                "open_24_hours",
                "An offer open 24 hours needs no opening times: remove them, or untick "
                '"open 24 hours".',
            )
        by_place: dict = {}
        for form in times:
            if None not in (form.cleaned_data.get(k) for k in ("weekday", "opens", "closes")):
                span = OpeningTime(**{k: form.cleaned_data.get(k) for k in OPENING_FIELDS})
                by_place.setdefault(form.cleaned_data.get("location"), []).append((form, span))
        # A place's own times replace the offer's for that place, so only times for the
        # same place can overlap.
        for forms_and_spans in by_place.values():
            for form, clash in opening_time_clashes(forms_and_spans):
                form.add_error("opens", f"These opening times overlap {clash}.")
        return cleaned

    def _clean_places(self, cleaned):
        places = _kept(self.formsets.get("locations"))
        for form in places:
            postcode = form.cleaned_data.get("postcode") or ""
            if postcode and not POSTCODE.match(postcode.strip()):
                form.add_error("postcode", "Enter a full UK postcode, like ND1 4AB.")
            has_latitude = form.cleaned_data.get("latitude") is not None
            if has_latitude != (form.cleaned_data.get("longitude") is not None):
                form.add_error("longitude", "Give both the latitude and the longitude, or neither.")
        drop_in = cleaned.get("self_referral_drop_in") or cleaned.get("kind") in (
            OfferPage.Kind.DROP_IN,
            OfferPage.Kind.CRISIS_CAFE,
        )
        locations = self.formsets.get("locations")
        says_where = places or (cleaned.get("address") or "").strip()
        if drop_in and locations is not None and locations.is_valid() and not says_where:
            self.add_error(
                "self_referral_drop_in" if cleaned.get("self_referral_drop_in") else "kind",
                'Add the place people can drop in to, under "Places": an offer people '
                "drop in to must say where.",
            )


class OfferPage(ViewRestrictionsFromMemory, RoutablePageMixin, Page):
    """One offer of support, with everything a person needs to decide and get in."""

    class Delivery(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        ONLINE = "online", "Online"
        PHONE = "phone", "By phone"

    class Kind(models.TextChoices):
        """What sort of help it is, in the words people use to look for it."""

        CRISIS_CAFE = "crisis_cafe", "Crisis café or safe haven"
        HELPLINE = "helpline", "Helpline"
        DROP_IN = "drop_in", "Drop-in"
        GROUP = "group", "Group"
        ONE_TO_ONE = "one_to_one", "One-to-one support"
        ADVICE = "advice", "Advice service"
        TEAM = "team", "NHS or council team"
        ONLINE = "online", "Online support"
        OTHER = "other", "Other support"

    provider = models.ForeignKey(
        "cms.Organisation", on_delete=models.PROTECT, related_name="offers"
    )
    kind = models.CharField("kind of help", max_length=20, choices=Kind.choices, default=Kind.OTHER)
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
    open_24_hours = models.BooleanField(
        "open 24 hours",
        default=False,
        help_text="Open day and night, every day, apart from any closures below.",
    )
    closed_on_bank_holidays = models.BooleanField(
        default=False, help_text="Closed on bank holidays in England and Wales."
    )
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
        FieldPanel("kind"),
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
        InlinePanel(
            "locations",
            heading="Places",
            label="Place",
            help_text="Where people go to get this help. An offer people drop in to needs one.",
        ),
        MultiFieldPanel(
            [FieldPanel("open_24_hours"), FieldPanel("closed_on_bank_holidays")],
            heading="When it is open",
        ),
        OpeningTimesPanel("opening_times", heading="Opening times", label="Opening time"),
        InlinePanel(
            "closures",
            heading="Closures",
            label="Closure",
            help_text="Days it is closed although its opening times say open.",
        ),
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

    def copy_all_child_relations(self, target, exclude=None, commit=False, append=False):
        """A copy is a new service at new places as far as Open Referral knows: its places
        keep none of the original's imported ids (they are unique, so the copy could not
        even be saved with them)."""
        copied = super().copy_all_child_relations(
            target, exclude=exclude, commit=commit, append=append
        )
        for place in target.locations.all():
            place.oruk_id = None
        return copied

    def _opening_rules(self) -> dict:
        return {
            "closures": list(self.closures.all()),
            "open_24_hours": self.open_24_hours,
            "closed_on_bank_holidays": self.closed_on_bank_holidays,
        }

    def is_open_at(self, moment: datetime) -> bool:
        return spans_open_at(self.opening_times.all(), moment, **self._opening_rules())

    def opening_status_at(self, moment: datetime) -> "OpeningStatus":
        """Open or not at ``moment``, in words: "Open until 11pm", "Opens today at 6pm"."""
        return opening_status(self.opening_times.all(), moment, **self._opening_rules())

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
# How far ahead "Opens …" looks: past a long closure (a summer refurbishment) a card still
# says when it opens again.
LOOKAHEAD_DAYS = 120


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


def _valid_on_q(day: date) -> Q:
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=day)) & (
        Q(valid_to__isnull=True) | Q(valid_to__gte=day)
    )


def closed_all_day(day: date, *, closures=(), closed_on_bank_holidays=False) -> str | None:
    """Why an offer is closed all of ``day``, for "Closed today (…)": a closure's reason
    ("" when it gives none), or "bank holiday". None when nothing closes it."""
    for closure in closures:
        if closure.first_day <= day <= closure.until:
            return closure.reason
    if closed_on_bank_holidays and day in BANK_HOLIDAYS:
        return "bank holiday"
    return None


def _opened_today(span, today: date, now: time) -> bool:
    return (
        span.weekday == today.weekday()
        and _valid_on(span, today)
        and span.opens <= now
        and (runs_past_midnight(span) or now < span.closes)
    )


def _still_open_from(span, yesterday: date, now: time) -> bool:
    return (
        span.weekday == yesterday.weekday()
        and _valid_on(span, yesterday)
        and runs_past_midnight(span)
        and now < _closing(span)
    )


def spans_open_at(
    spans, moment: datetime, *, closures=(), open_24_hours=False, closed_on_bank_holidays=False
) -> bool:
    """Whether an offer with these opening times (OpeningTimes), closures and flags is open
    at ``moment``, in UK time: the one "open now" rule, for the cards and the offer page.
    ``offers_open_at_q`` is the same rule for the database, for the directory's filter.

    - A span belongs to the day it opens: Friday 18:00 to 02:00 covers Saturday 01:00, and
      its dates (valid_from, valid_to) are Friday's.
    - So does a closed day (a dated closure, or a bank holiday for an offer closed on them):
      it cancels the spans that open on it, including the part that runs past midnight,
      and a span that opened the evening before runs on into it (the café open on
      Christmas Eve stays open until 2am on Christmas morning).
    - An offer open 24 hours is open at every moment of a day that is not closed, whatever
      its opening times say."""
    local = timezone.localtime(moment)
    today, now = local.date(), local.time()
    yesterday = today - timedelta(days=1)
    rules = {"closures": closures, "closed_on_bank_holidays": closed_on_bank_holidays}
    if open_24_hours:
        return closed_all_day(today, **rules) is None
    for span in spans:
        if _opened_today(span, today, now) and closed_all_day(today, **rules) is None:
            return True
        if _still_open_from(span, yesterday, now) and closed_all_day(yesterday, **rules) is None:
            return True
    return False


@dataclass(frozen=True)
class OpeningStatus:
    """What a card or an offer page says about an offer's hours at a moment: open or not,
    and the words ("Open now until 11pm", "Closed today (Christmas Day). Opens Saturday at
    10am"). ``words`` is empty when there is nothing to say (no opening times given)."""

    is_open: bool
    words: str


def _next_opening(spans, local: datetime, rules: dict, *, open_24_hours: bool):
    """The first moment after ``local`` that a span opens on a day that is not closed (the
    next midnight that is not closed, for a 24-hour offer), within ``LOOKAHEAD_DAYS``."""
    today, now = local.date(), local.time()
    for offset in range(LOOKAHEAD_DAYS):
        day = today + timedelta(days=offset)
        if closed_all_day(day, **rules) is not None:
            continue
        if open_24_hours:
            return datetime.combine(day, MIDNIGHT)
        starts = [
            span.opens
            for span in spans
            if span.weekday == day.weekday()
            and _valid_on(span, day)
            and (offset or span.opens > now)
        ]
        if starts:
            return datetime.combine(day, min(starts))
    return None


def _day_words(day: date, today: date) -> str:
    if day == today:
        return "today"
    if day == today + timedelta(days=1):
        return "tomorrow"
    if day < today + timedelta(days=7):
        return OpeningTime.Weekday(day.weekday()).label
    return f"on {day_in_words(day, weekday=True)}"


def opening_status(
    spans, moment: datetime, *, closures=(), open_24_hours=False, closed_on_bank_holidays=False
) -> OpeningStatus:
    """``spans_open_at`` in words, with when it closes or next opens."""
    spans = list(spans)
    rules = {"closures": closures, "closed_on_bank_holidays": closed_on_bank_holidays}
    if spans_open_at(spans, moment, open_24_hours=open_24_hours, **rules):
        if open_24_hours:
            return OpeningStatus(True, "Open now (24 hours)")
        local = timezone.localtime(moment)
        today, now = local.date(), local.time()
        yesterday = today - timedelta(days=1)
        for span in spans:
            if (_opened_today(span, today, now) and closed_all_day(today, **rules) is None) or (
                _still_open_from(span, yesterday, now)
                and closed_all_day(yesterday, **rules) is None
            ):
                return OpeningStatus(True, f"Open now until {clock(span.closes)}")
    if not spans and not open_24_hours:
        return OpeningStatus(False, "")
    local = timezone.localtime(moment)
    today = local.date()
    why = closed_all_day(today, **rules)
    closed_today = ""
    if why is not None:
        closed_today = f"Closed today ({why})." if why else "Closed today."
    opens = _next_opening(spans, local, rules, open_24_hours=open_24_hours)
    if opens is None:
        next_words = "" if why is not None else "Closed for now."
    elif open_24_hours:
        next_words = f"Open again from {_day_words(opens.date(), today)}."
    else:
        next_words = f"Opens {_day_words(opens.date(), today)} at {clock(opens.time())}."
    return OpeningStatus(False, " ".join(part for part in (closed_today, next_words) if part))


def _covers_q(day: date) -> Q:
    """Closures covering ``day``: the one day, or the days from first to last."""
    return Q(first_day=day, last_day__isnull=True) | Q(first_day__lte=day, last_day__gte=day)


def _not_closed_on_q(day: date, *, offer_ref: str, flag: str) -> Q:
    """Rows whose offer (``offer_ref``: its id in the row) is not closed all of ``day``:
    ``closed_all_day`` for the database."""
    closure = Closure.objects.filter(_covers_q(day), offer_id=OuterRef(offer_ref))
    not_closed = Q(~Exists(closure))
    if day in BANK_HOLIDAYS:
        not_closed &= Q(**{flag: False})
    return not_closed


def opening_times_open_at(moment: datetime) -> Q:
    """The OpeningTime rows that make their offer open at ``moment``: ``spans_open_at`` for
    the database, but for offers open 24 hours (``offers_open_at_q`` adds those). Keep the
    two in step: tests/cms/test_open_now_rules.py compares them over random moments."""
    local = timezone.localtime(moment)
    today, now = local.date(), local.time()
    yesterday = today - timedelta(days=1)
    past_midnight = Q(closes__gte=LAST_MINUTE) | Q(closes__lte=F("opens"))
    rules = {"offer_ref": "offer_id", "flag": "offer__closed_on_bank_holidays"}
    opened_today = (
        Q(weekday=today.weekday(), opens__lte=now)
        & (past_midnight | Q(closes__gt=now))
        & _valid_on_q(today)
        & _not_closed_on_q(today, **rules)
    )
    still_open_from_yesterday = (
        Q(weekday=yesterday.weekday(), closes__lt=LAST_MINUTE, closes__lte=F("opens"))
        & Q(closes__gt=now)
        & _valid_on_q(yesterday)
        & _not_closed_on_q(yesterday, **rules)
    )
    return Q(offer__open_24_hours=False) & (opened_today | still_open_from_yesterday)


def offers_open_at_q(moment: datetime) -> Q:
    """The offers open at ``moment``, as a filter on OfferPage: ``spans_open_at``."""
    today = timezone.localtime(moment).date()
    open_spans = OpeningTime.objects.filter(opening_times_open_at(moment)).values("offer_id")
    round_the_clock = Q(open_24_hours=True) & _not_closed_on_q(
        today, offer_ref="pk", flag="closed_on_bank_holidays"
    )
    return Q(pk__in=open_spans) | round_the_clock


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
    location = models.ForeignKey(
        "cms.Location",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="opening_times",
        help_text="Only if these times are for one of the offer's places and differ from the rest.",
    )

    panels = [
        FieldRowPanel([FieldPanel("weekday"), FieldPanel("opens"), FieldPanel("closes")]),
        FieldRowPanel([FieldPanel("valid_from"), FieldPanel("valid_to")]),
        FieldPanel(
            "location",
            help_text=(
                "Only if these times are for one of this offer's places and differ from the "
                "rest. A place you have just added can be chosen once you save the offer."
            ),
        ),
    ]

    class Meta(Orderable.Meta):
        ordering = ["weekday", "opens"]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def clean(self):
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": "The last date must be on or after the first date."})


class Location(Orderable):
    """A place an offer is delivered: a person can go there. An offer may have several
    (a café in two towns), and a place's own opening times when they differ from the
    offer's (an OpeningTime with this location)."""

    offer = ParentalKey("cms.OfferPage", on_delete=models.CASCADE, related_name="locations")
    name = models.CharField(
        "name of the place", max_length=150, help_text="For example: Northdale Library."
    )
    address = models.TextField(help_text="The street address, without the postcode.")
    postcode = models.CharField(max_length=10)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    step_free = models.BooleanField(
        "step-free access",
        null=True,
        blank=True,
        help_text="Can someone in a wheelchair get in and around? Leave unknown if not sure.",
    )
    how_to_get_there = models.TextField(
        blank=True,
        help_text="Buses, trains, parking and which door to use, in plain words.",
    )
    oruk_id = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    panels = [
        FieldPanel("name"),
        FieldPanel("address"),
        FieldRowPanel([FieldPanel("postcode"), FieldPanel("step_free")]),
        FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
        FieldPanel("how_to_get_there"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = "place"

    def __str__(self):
        return self.name

    @property
    def lines(self) -> list[str]:
        return [line.strip(" ,") for line in self.address.splitlines() if line.strip(" ,")]

    @property
    def town(self) -> str:
        """The address's last line when it has more than one: "12 Mill Lane / Southmoor"."""
        lines = self.lines
        return lines[-1] if len(lines) > 1 else ""

    @property
    def street_lines(self) -> list[str]:
        return self.lines[:-1] if self.town else self.lines


class Closure(Orderable):
    """Dates an offer is closed although its opening times say open: a one-off closure,
    a holiday, a refurbishment. "Open now" respects them."""

    offer = ParentalKey("cms.OfferPage", on_delete=models.CASCADE, related_name="closures")
    first_day = models.DateField()
    last_day = models.DateField(
        null=True, blank=True, help_text="Leave empty if it is closed for one day only."
    )
    reason = models.CharField(
        max_length=150, blank=True, help_text="For example: Christmas Day, staff training."
    )

    panels = [
        FieldRowPanel([FieldPanel("first_day"), FieldPanel("last_day")]),
        FieldPanel("reason"),
    ]

    class Meta(Orderable.Meta):
        ordering = ["first_day"]

    def __str__(self):
        return f"Closed {self.first_day:%d/%m/%Y}"

    @property
    def until(self) -> date:
        return self.last_day or self.first_day

    @property
    def days_in_words(self) -> str:
        """The days in words: Friday 25 December 2026, or Monday 3 August 2026 to Friday
        14 August 2026."""
        first = day_in_words(self.first_day, weekday=True)
        if self.until == self.first_day:
            return first
        return f"{first} to {day_in_words(self.until, weekday=True)}"

    def clean(self):
        if self.last_day and self.last_day < self.first_day:
            raise ValidationError({"last_day": "The last day must be on or after the first day."})
