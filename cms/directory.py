"""Views of the offers directory: find support, read an offer, "help me choose"."""

import json

from django import forms
from django.contrib import messages
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.http import urlencode
from wagtail import hooks

from . import params, selectors
from .forms import ClearRequiredMessages
from .models import Area, Need, Organisation
from .models.offers import spans_open_at
from .selectors import OfferFilters

PAGE_SIZE = 20
QUERY_MAX_LENGTH = 200

DELIVERY_CHOICES = [("in_person", "In person"), ("online", "Online"), ("phone", "By phone")]
SORT_CHOICES = [("", "Best match"), ("name", "Name (A to Z)"), ("reviewed", "Recently checked")]


class DirectoryFilterForm(ClearRequiredMessages, forms.Form):
    """The directory's filters, read from the URL so any search can be shared."""

    q = forms.CharField(label="Search offers", required=False, max_length=QUERY_MAX_LENGTH)
    need = forms.MultipleChoiceField(
        label="What would you like help with?", required=False, widget=forms.CheckboxSelectMultiple
    )
    area = forms.ChoiceField(label="Area", required=False)
    self_referral = forms.BooleanField(label="I can refer myself", required=False)
    open_now = forms.BooleanField(label="Open now", required=False)
    delivery = forms.MultipleChoiceField(
        label="How", required=False, choices=DELIVERY_CHOICES, widget=forms.CheckboxSelectMultiple
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
        needs=tuple(values.get("need") or ()),
        area=values.get("area") or "",
        self_referral=bool(values.get("self_referral")),
        open_now=bool(values.get("open_now")),
        delivery=tuple(values.get("delivery") or ()),
        provider_kind=values.get("provider") or "",
        sort=values.get("sort") or "",
    )
    return form, filters, ignored


def directory_view(request, *, index_page):
    needs = list(Need.objects.all())
    areas = list(Area.objects.all())
    form, filters, ignored = _read_filters(request, needs=needs, areas=areas)
    if ignored:
        messages.info(
            request,
            "Some of the filters in the web address were not recognised, so we left them out.",
        )
    results = params.paginate(request, selectors.offers_search(filters), PAGE_SIZE)
    now = timezone.now()
    for offer in results:
        offer.open_now = offer.is_open_at(now)
    query_string = urlencode(
        [(k, v) for k, values in form.data.lists() for v in values if v], doseq=True
    )
    return TemplateResponse(
        request,
        "cms/offers_index_page.html",
        {
            "page": index_page,
            "self": index_page,
            "form": form,
            "filters": filters,
            "results": results,
            "query_string": query_string,
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


def _structured_data(offer, request, *, needs, areas, spans) -> str:
    """schema.org description of the offer, for search engines and service finders."""
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
        "hoursAvailable": [
            {
                "@type": "OpeningHoursSpecification",
                "dayOfWeek": f"https://schema.org/{span.get_weekday_display()}",
                "opens": span.opens.strftime("%H:%M"),
                "closes": span.closes.strftime("%H:%M"),
            }
            for span in spans
        ],
    }
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


def offer_page_context(offer, request) -> dict:
    """Everything an offer page shows beyond its own fields, each relation read once."""
    needs = list(offer.needs.all())
    areas = list(offer.areas.all())
    spans = list(offer.opening_times.all())
    days = {}
    for span in spans:
        days.setdefault(span.get_weekday_display(), []).append(span)
    ancestors = list(offer.get_ancestors().filter(depth__gt=1))
    return {
        "offer_needs": needs,
        "offer_areas": areas,
        "open_now": spans_open_at(spans, timezone.now()),
        "opening_days": days,
        "alternatives": selectors.offer_alternatives(offer, needs=needs, areas=areas),
        "structured_data": _structured_data(offer, request, needs=needs, areas=areas, spans=spans),
        "breadcrumbs": ancestors,
        "directory_url": ancestors[-1].get_url(request),
        "need_filter_query": urlencode([("need", need.slug) for need in needs]),
        "offer_sections": offer_page_sections(request, offer),
    }
