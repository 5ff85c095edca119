"""The Open Referral UK (version 3) feed: our live offers as a read-only public JSON API.

Council directories and service finders read it from their own sites, so every answer is
open to any origin (CORS ``*``) and nothing here needs, reads or sets a session. Views
stay thin: read the query (through ``cms.params``, so a bad value is a plain 400, never a
500), ask ``cms.oruk.selectors`` for the records, page them, serialise them with
``cms.oruk.export``.
"""

import math
from functools import wraps

from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from .. import params
from ..models import Need
from . import export, ids, selectors

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100
SEARCH_MAX_LENGTH = 200
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


def _page(request, items, serialise) -> dict:
    """ORUK's page envelope around one page of ``items`` (a queryset or a list)."""
    page_number = params.int_param(request, "page", 1, strict=True)
    per_page = params.int_param(
        request, "per_page", DEFAULT_PER_PAGE, max_value=MAX_PER_PAGE, cap=True, strict=True
    )
    total_items = len(items) if isinstance(items, list) else items.count()
    total_pages = math.ceil(total_items / per_page)
    start = (page_number - 1) * per_page
    contents = [serialise(item) for item in items[start : start + per_page]]
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


@oruk_endpoint
def api_root(request):
    return _json(
        {
            "version": ids.ORUK_VERSION,
            "profile": ids.ORUK_PROFILE_URL,
            "openapi_url": ids.ORUK_OPENAPI_URL,
        }
    )


@oruk_endpoint
def services(request):
    # ``text`` is the name earlier versions of the standard gave ``search``.
    search = params.text_param(
        request, "search", max_length=SEARCH_MAX_LENGTH, strict=True
    ) or params.text_param(request, "text", max_length=SEARCH_MAX_LENGTH, strict=True)
    need, any_need = None, False
    term_id = params.uuid_param(request, "taxonomy_term_id", strict=True)
    taxonomy = params.uuid_param(request, "taxonomy_id", strict=True)
    if term_id is not None:
        need = selectors.need_by_oruk_id(term_id)
        if need is None:
            return _json(_page(request, [], None))
    elif taxonomy is not None:
        if str(taxonomy) != ids.taxonomy_id():
            return _json(_page(request, [], None))
        any_need = True
    offers = selectors.oruk_offers_matching(search=search, need=need, any_need=any_need)
    return _json(
        _page(
            request,
            offers,
            lambda offer: export.service_summary_to_oruk(offer, url=offer.get_full_url(request)),
        )
    )


@oruk_endpoint
def service_detail(request, service_id):
    offer = selectors.oruk_offer_by_id(service_id)
    if offer is None:
        return _error(404, "There is no published service with this id.")
    return _json(export.service_to_oruk(offer, url=offer.get_full_url(request)))


@oruk_endpoint
def taxonomies(request):
    return _json(_page(request, [export.taxonomy_to_oruk()], lambda taxonomy: taxonomy))


@oruk_endpoint
def taxonomy_detail(request, taxonomy_id):
    if str(taxonomy_id) != ids.taxonomy_id():
        return _error(404, "There is no taxonomy with this id.")
    return _json(export.taxonomy_to_oruk(needs=list(Need.objects.all())))


@oruk_endpoint
def taxonomy_terms(request):
    return _json(_page(request, Need.objects.all(), export.taxonomy_term_to_oruk))


@oruk_endpoint
def taxonomy_term_detail(request, term_id):
    need = selectors.need_by_oruk_id(term_id)
    if need is None:
        return _error(404, "There is no taxonomy term with this id.")
    return _json(export.taxonomy_term_to_oruk(need))
