"""Views of the offers directory: find support, read an offer, "help me choose"."""

import json

from django import forms
from django.contrib import messages
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.http import urlencode
from wagtail import hooks

from . import offer_search, params, selectors
from .forms import ClearRequiredMessages
from .models import Area, Need, OfferPage, OpeningTime, Organisation
from .models.offers import opening_status
from .selectors import OfferFilters

PAGE_SIZE = 20
QUERY_MAX_LENGTH = 200

DELIVERY_CHOICES = [("in_person", "In person"), ("online", "Online"), ("phone", "By phone")]
SORT_CHOICES = [("", "Best match"), ("name", "Name (A to Z)"), ("reviewed", "Recently checked")]


class DirectoryFilterForm(ClearRequiredMessages, forms.Form):
    """The directory's filters, read from the URL so any search can be shared."""

    q = forms.CharField(label="Search offers", required=False, max_length=QUERY_MAX_LENGTH)
    # Set by the "search for what I typed instead" link: no spelling put right.
    exact = forms.BooleanField(required=False)
    need = forms.MultipleChoiceField(
        label="What would you like help with?", required=False, widget=forms.CheckboxSelectMultiple
    )
    area = forms.ChoiceField(label="Area", required=False)
    self_referral = forms.BooleanField(label="I can refer myself", required=False)
    open_now = forms.BooleanField(label="Open now", required=False)
    delivery = forms.MultipleChoiceField(
        label="How", required=False, choices=DELIVERY_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    kind = forms.ChoiceField(
        label="Kind of help", required=False, choices=[("", "Any kind"), *OfferPage.Kind.choices]
    )
    provider = forms.ChoiceField(label="Who runs it", required=False)
    sort = forms.ChoiceField(label="Sort by", required=False, choices=SORT_CHOICES)

    def __init__(self, *args, needs, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["need"].choices = [(need.slug, need.name) for need in needs]
        self.fields["area"].choices = [("", "Any area")] + [(a.slug, a.name) for a in areas]
        self.fields["provider"].choices = [("", "Anyone")] + list(Organisation.Kind.choices)


def _read_filters(request, *, needs, areas) -> tuple[DirectoryFilterForm, OfferFilters, bool]:
    """Bind the URL's filters, keeping the valid ones; say whether any were ignored."""
    form, ignored = params.query_form(request, DirectoryFilterForm, needs=needs, areas=areas)
    values = form.cleaned_data
    filters = OfferFilters(
        query=values.get("q", "").strip(),
        exact=bool(values.get("exact")),
        needs=tuple(values.get("need") or ()),
        area=values.get("area") or "",
        self_referral=bool(values.get("self_referral")),
        open_now=bool(values.get("open_now")),
        delivery=tuple(values.get("delivery") or ()),
        provider_kind=values.get("provider") or "",
        kind=values.get("kind") or "",
        sort=values.get("sort") or "",
    )
    return form, filters, ignored


def _add_opening_status(offers, moment) -> None:
    """Give each card its "open now" and "opens at" words (from prefetched relations)."""
    for offer in offers:
        offer.opening = offer.opening_status_at(moment)
        offer.open_now = offer.opening.is_open


def directory_view(request, *, index_page):
    needs = list(Need.objects.all())
    areas = list(Area.objects.all())
    form, filters, ignored = _read_filters(request, needs=needs, areas=areas)
    if ignored:
        messages.info(
            request,
            "Some of the filters in the web address were not recognised, so we left them out.",
        )
    search = selectors.offers_found(filters, needs=needs)
    results = params.paginate(request, search.offers, PAGE_SIZE)
    now = timezone.now()
    _add_opening_status(results, now)
    chosen = [(k, v) for k, values in form.data.lists() for v in values if v]
    query_string = urlencode(chosen, doseq=True)
    other_filters = [(k, v) for k, v in chosen if k not in ("q", "exact", "sort")]
    return TemplateResponse(
        request,
        "cms/offers_index_page.html",
        {
            "page": index_page,
            "self": index_page,
            "form": form,
            "filters": filters,
            "results": results,
            "search": search,
            "query_string": query_string,
            "exact_query_string": urlencode(
                [(k, v) for k, v in chosen if k != "exact"] + [("exact", "on")]
            ),
            "query_only_string": urlencode([("q", filters.query)]),
            "other_filters": other_filters,
            "filters_chosen": len(other_filters),
            "crisis": offer_search.touches_crisis(
                filters.query, needs=filters.needs, kind=filters.kind
            ),
            "suggested_needs": (
                offer_search.closest_needs(filters.query, needs)
                if filters.query and not results.paginator.count
                else []
            ),
            "needs": needs,
            "areas": areas,
            "filtering": any(
                [
                    filters.query,
                    filters.needs,
                    filters.area,
                    filters.self_referral,
                    filters.open_now,
                    filters.delivery,
                    filters.provider_kind,
                    filters.kind,
                ]
            ),
        },
    )


def help_me_choose_view(request, *, index_page):
    """Two or three plain questions for someone who does not know what they need."""
    return TemplateResponse(
        request,
        "cms/offers_help_me_choose.html",
        {
            "page": index_page,
            "self": index_page,
            "needs": Need.objects.all(),
            "areas": Area.objects.all(),
        },
    )


WEEK = [day.label for day in OpeningTime.Weekday]


def _hours(spans) -> list[dict]:
    return [
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": f"https://schema.org/{span.get_weekday_display()}",
            "opens": span.opens.strftime("%H:%M"),
            "closes": span.closes.strftime("%H:%M"),
        }
        for span in spans
    ]


def _place_data(place, spans) -> dict:
    data = {
        "@type": "Place",
        "name": place.name,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": ", ".join(place.street_lines),
            "postalCode": place.postcode,
            "addressCountry": "GB",
        },
    }
    if place.town:
        data["address"]["addressLocality"] = place.town
    if place.latitude is not None and place.longitude is not None:
        data["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": float(place.latitude),
            "longitude": float(place.longitude),
        }
    if spans:
        data["openingHoursSpecification"] = _hours(spans)
    return data


def _structured_data(offer, request, *, needs, areas, spans, places) -> str:
    """schema.org description of the offer, for search engines and service finders: where
    it is (each place's address) and when (every day round the clock for 24 hours)."""
    if offer.open_24_hours:
        hours = [
            {
                "@type": "OpeningHoursSpecification",
                "dayOfWeek": [f"https://schema.org/{day}" for day in WEEK],
                "opens": "00:00",
                "closes": "23:59",
            }
        ]
    else:
        hours = _hours([span for span in spans if span.location_id is None])
    data = {
        "@context": "https://schema.org",
        "@type": "Service",
        "name": offer.title,
        "description": offer.summary,
        "url": offer.get_full_url(request),
        "provider": {"@type": "Organization", "name": offer.provider.name},
        "areaServed": [area.name for area in areas],
        "serviceType": [need.name for need in needs],
        "availableLanguage": ["English", *offer.language_list]
        + (["British Sign Language"] if offer.bsl else []),
        "hoursAvailable": hours,
    }
    if places:
        data["availableChannel"] = [
            {"@type": "ServiceChannel", "serviceLocation": _place_data(place, place_spans)}
            for place, place_spans in places
        ]
    if offer.phone:
        data["telephone"] = offer.phone
    if offer.email:
        data["email"] = offer.email
    # Escaped for a <script> block: no "</script>" can close it early.
    return json.dumps(data).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


OFFER_PAGE_SECTIONS_HOOK = "construct_offer_page_sections"


def offer_page_sections(request, offer) -> list:
    """HTML sections other apps add to an offer page (feedback and its responses, the
    changes made to it), through ``@hooks.register("construct_offer_page_sections")``:
    ``fn(request, offer, sections)`` appends rendered HTML, bounded in queries."""
    sections: list = []
    for hook in hooks.get_hooks(OFFER_PAGE_SECTIONS_HOOK):
        hook(request, offer, sections)
    return sections


def _by_day(spans) -> dict:
    days: dict = {}
    for span in spans:
        days.setdefault(span.get_weekday_display(), []).append(span)
    return days


def _breadcrumbs(offer) -> list:
    """The offer's ancestors below the root, home first: the pages routing passed through
    to reach it (Wagtail keeps each on the next as its parent), else read from the tree."""
    ancestors, page = [], offer
    while page.depth > 2:
        parent = getattr(page, "_cached_parent_obj", None)
        if (
            parent is None
            or parent.depth != page.depth - 1
            or not page.path.startswith(parent.path)
        ):
            return list(offer.get_ancestors().filter(depth__gt=1))
        ancestors.insert(0, parent)
        page = parent
    return ancestors


def offer_page_context(offer, request) -> dict:
    """Everything an offer page shows beyond its own fields, each relation read once."""
    alternatives = selectors.offer_alternatives(offer)
    selectors.with_card_data([offer, *alternatives])
    needs = list(offer.needs.all())
    areas = list(offer.areas.all())
    spans = list(offer.opening_times.all())
    locations = list(offer.locations.all())
    closures = list(offer.closures.all())
    # Each place with the times that are its own (when they differ from the offer's).
    places = [(place, [s for s in spans if s.location_id == place.pk]) for place in locations]
    now = timezone.now()
    today = timezone.localdate()
    opening = opening_status(
        spans,
        now,
        closures=closures,
        open_24_hours=offer.open_24_hours,
        closed_on_bank_holidays=offer.closed_on_bank_holidays,
    )
    _add_opening_status(alternatives, now)
    ancestors = _breadcrumbs(offer)
    return {
        "offer_needs": needs,
        "offer_areas": areas,
        "open_now": opening.is_open,
        "opening": opening,
        "opening_days": _by_day(span for span in spans if span.location_id is None),
        "places": [
            {"place": place, "opening_days": _by_day(place_spans)} for place, place_spans in places
        ],
        "times_differ_by_place": any(place_spans for _place, place_spans in places),
        "upcoming_closures": sorted(
            (closure for closure in closures if closure.until >= today),
            key=lambda closure: closure.first_day,
        ),
        "alternatives": alternatives,
        "structured_data": _structured_data(
            offer, request, needs=needs, areas=areas, spans=spans, places=places
        ),
        "breadcrumbs": ancestors,
        "directory_url": ancestors[-1].get_url(request),
        "need_filter_query": urlencode([("need", need.slug) for need in needs]),
        "offer_sections": offer_page_sections(request, offer),
    }
