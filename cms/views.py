"""Front-end views of the site shell: My space, search, robots.txt and error pages."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.http import urlencode
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from . import offer_search, params, permissions, site_search
from .middleware import public_page
from .myspace import name_to_greet, panels_for
from .page_cache import LONG
from .roles import Role

SEARCH_PAGE_SIZE = 10
SEARCH_QUERY_MAX_LENGTH = 200


@login_required
def my_space(request):
    permissions.require(request.user, "cms.view_my_space")
    roles = permissions.roles_of(request.user)
    return render(
        request,
        "cms/my_space.html",
        {
            "name": name_to_greet(request.user),
            "panels": [panel.render(request) for panel in panels_for(request)],
            "role_labels": [role.label for role in Role if role in roles],
        },
    )


@public_page(cache_for=LONG)
@require_GET
def search(request):
    """Everything public the words find (cms/site_search.py), every kind labelled, and
    "show only" links for each kind found."""
    query = params.text_param(request, "q", max_length=SEARCH_QUERY_MAX_LENGTH)
    kind = params.choice_param(request, "kind", site_search.search_kind_keys())
    # The search is given only the words: a query of just quotes or symbols finds nothing.
    words = params.search_words(query)
    found = site_search.site_search(words, kind=kind, request=request)
    results = params.paginate(request, found.results, SEARCH_PAGE_SIZE)
    return render(
        request,
        "cms/search.html",
        {
            "query": query,
            "crisis": offer_search.touches_crisis(words),
            "kind": kind,
            "kinds": found.kinds,
            "total": sum(each.count for each in found.kinds),
            "results": results if query else None,
            "query_string": urlencode({"q": query, **({"kind": kind} if kind else {})}),
            "all_kinds_query": urlencode({"q": query}),
        },
    )


@public_page(cache_for=LONG)
@require_GET
@cache_control(max_age=3600, public=True)
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /accounts/",
        "Disallow: /my-space/",
        "Disallow: /search/",
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


@public_page(cache_for=LONG)
@require_GET
def crisis_help(request):
    return render(request, "cms/crisis_help.html")


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No request context: its processors query the database, which may be what failed.
    return HttpResponseServerError(loader.get_template("500.html").render())
