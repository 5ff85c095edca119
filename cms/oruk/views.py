"""The Open Referral UK (version 3) feed: our live offers as a read-only public JSON API.

Council directories and service finders read it from their own sites, so every answer is
open to any origin (CORS ``*``) and nothing here needs, reads or sets a session. Views
stay thin: read the query (``cms.oruk.query``, through ``cms.params``, so a bad value or
a name the standard does not give is a plain 400, never a 500 or silently ignored), ask
``cms.oruk.selectors`` for the records, page them, serialise them with ``cms.oruk.export``.
"""

import math
from functools import wraps

from django.db.models import prefetch_related_objects
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from .. import params
from ..models import Need
from . import export, ids, query, selectors

ALLOWED_METHODS = "GET, HEAD, OPTIONS"


def _json(data, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def _error(status: int, message: str) -> JsonResponse:
    return _json({"status": status, "error": message}, status=status)


def oruk_endpoint(view):
    """Answer GET and HEAD through ``view``, OPTIONS as a CORS preflight, and refuse every
    other method; every answer may be read from any origin."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = ALLOWED_METHODS
            response["Access-Control-Allow-Headers"] = "Accept, Content-Type"
            response["Access-Control-Max-Age"] = "86400"
        elif request.method not in ("GET", "HEAD"):
            response = _error(405, "This API is read-only: use GET.")
        else:
            try:
                response = view(request, *args, **kwargs)
            except params.BadParameter as bad:
                response = _error(400, str(bad))
        if response.status_code in (204, 405):
            response["Allow"] = ALLOWED_METHODS
        response["Access-Control-Allow-Origin"] = "*"
        return response

    # Nothing here changes anything, so a stray POST gets the 405 above, not a CSRF page.
    return csrf_exempt(wrapper)


def _page(request, items, serialise, *, minimal: bool = False, prepare=None) -> dict:
    """ORUK's page envelope around one page of ``items`` (a queryset or a list);
    ``prepare`` readies that page's items (prefetching) before they are serialised."""
    page_number, per_page = query.page_numbers(request, minimal=minimal)
    total_items = len(items) if isinstance(items, list) else items.count()
    total_pages = math.ceil(total_items / per_page)
    start = (page_number - 1) * per_page
    chosen = list(items[start : start + per_page])
    if prepare is not None:
        prepare(chosen)
    contents = [serialise(item) for item in chosen]
    return {
        "total_items": total_items,
        "total_pages": total_pages,
        "page_number": page_number,
        "size": len(contents),
        "first_page": page_number == 1,
        "last_page": page_number >= total_pages,
        "empty": not contents,
        "contents": contents,
    }


def _paging_only(request):
    query.refuse_unknown(request, query.PAGING_PARAMETERS)


def _nested(offers: list) -> None:
    prefetch_related_objects(offers, *selectors.NESTED)


@oruk_endpoint
def api_root(request):
    query.refuse_unknown(request, ())
    return _json(
        {
            "version": ids.ORUK_VERSION,
            "profile": ids.ORUK_PROFILE_URL,
            "openapi_url": ids.ORUK_OPENAPI_URL,
        }
    )


@oruk_endpoint
def services(request):
    asked = query.list_query(request, query.SERVICE_PARAMETERS)
    offers = selectors.oruk_offers_matching(asked)
    prepare = None
    if asked.minimal:
        serialise = export.service_minimal_to_oruk
    elif asked.full:
        prepare = _nested

        def serialise(offer):
            return export.service_to_oruk(offer, url=offer.get_full_url(request))
    else:

        def serialise(offer):
            return export.service_summary_to_oruk(offer, url=offer.get_full_url(request))

    return _json(_page(request, offers, serialise, minimal=asked.minimal, prepare=prepare))


@oruk_endpoint
def service_detail(request, service_id):
    query.refuse_unknown(request, ())
    offer = selectors.oruk_offer_by_id(service_id)
    if offer is None:
        return _error(404, "There is no published service with this id.")
    return _json(export.service_to_oruk(offer, url=offer.get_full_url(request)))


@oruk_endpoint
def service_at_locations(request):
    asked = query.list_query(request, query.SERVICE_AT_LOCATION_PARAMETERS)
    pairs = selectors.oruk_services_at_locations(asked)
    prepare = None
    if asked.minimal:

        def serialise(pair):
            offer, place = pair
            return export.service_at_location_minimal(offer, place)
    else:
        if asked.full:

            def prepare(chosen):
                _nested([offer for offer, _ in chosen])

        def serialise(pair):
            offer, place = pair
            return export.service_at_location_with_service(
                offer, place, url=offer.get_full_url(request), full=asked.full
            )

    return _json(_page(request, pairs, serialise, minimal=asked.minimal, prepare=prepare))


@oruk_endpoint
def service_at_location_detail(request, service_at_location_id):
    query.refuse_unknown(request, ())
    found = selectors.oruk_service_at_location_by_id(service_at_location_id)
    if found is None:
        return _error(404, "There is no published service at a location with this id.")
    offer, place = found
    return _json(
        export.service_at_location_with_service(
            offer, place, url=offer.get_full_url(request), full=True
        )
    )


@oruk_endpoint
def taxonomies(request):
    _paging_only(request)
    return _json(_page(request, [export.taxonomy_to_oruk()], lambda taxonomy: taxonomy))


@oruk_endpoint
def taxonomy_detail(request, taxonomy_id):
    query.refuse_unknown(request, ())
    if str(taxonomy_id) != ids.taxonomy_id():
        return _error(404, "There is no taxonomy with this id.")
    return _json(export.taxonomy_to_oruk(needs=list(Need.objects.all())))


@oruk_endpoint
def taxonomy_terms(request):
    _paging_only(request)
    return _json(_page(request, Need.objects.all(), export.taxonomy_term_to_oruk))


@oruk_endpoint
def taxonomy_term_detail(request, term_id):
    query.refuse_unknown(request, ())
    need = selectors.need_by_oruk_id(term_id)
    if need is None:
        return _error(404, "There is no taxonomy term with this id.")
    return _json(export.taxonomy_term_to_oruk(need))
