"""The public side of "You said, we did": the list of changes with its filters and its
Atom feed (routes of the index page), and what one change's page shows.

These are Wagtail pages, served by ``wagtail_serve`` and public like any page (editors may
still make one private in Wagtail, and then it is left out of every list). What they list
comes from ``visible_to()`` through the selectors; nothing here needs a role.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.http import urlencode

from cms import params
from cms.page_cache import public_only

from ..forms.changes import ChangeFilterForm
from ..models import ServiceChangeIndexPage, ServiceChangePage
from ..selectors import changes as selectors
from ..services import sign_off

PAGE_SIZE = 10
FEED_SIZE = 50
STATUS_TAGS = {
    ServiceChangePage.Status.PLANNED: "nhsuk-tag--grey",
    ServiceChangePage.Status.IN_PROGRESS: "nhsuk-tag--blue",
    ServiceChangePage.Status.DONE: "nhsuk-tag--green",
}


def _read_filters(request, *, index_page) -> tuple[ChangeFilterForm, bool]:
    """Bind the address's filters, keeping the valid ones; say whether any were dropped."""
    choices = selectors.filter_choices(request.user, index=index_page)
    return params.query_form(request, ChangeFilterForm, choices=choices)


def _query(form: ChangeFilterForm, *, without: str = "") -> str:
    return urlencode(
        [
            (name, value)
            for name, value in form.data.items()
            if value and name in form.fields and name != without
        ]
    )


def _with_query(url: str, query: str) -> str:
    return f"{url}?{query}" if query else url


def index_view(request, *, index_page: ServiceChangeIndexPage):
    form, ignored = _read_filters(request, index_page=index_page)
    if ignored:
        messages.info(
            request,
            "Some of the filters in the web address were not recognised, so we left them out.",
        )
    filters = form.filters()
    changes = params.paginate(
        request,
        selectors.changes_listed(request.user, index=index_page, filters=filters),
        PAGE_SIZE,
    )
    signed_off = sign_off.signed_off_counts(changes)
    for change in changes:
        change.status_tag = STATUS_TAGS.get(change.status, "")
        change.signed_off_by = signed_off.get(change.pk, 0)
    index_url = index_page.get_url(request)
    query = _query(form)
    feed_url = index_url + index_page.reverse_subpage("feed")
    return TemplateResponse(
        request,
        "coproduce/service_change_index_page.html",
        {
            "page": index_page,
            "self": index_page,
            "form": form,
            "filters": filters,
            "changes": changes,
            "query_string": query,
            "chosen": [
                {
                    "label": label,
                    "value": value,
                    "remove_url": _with_query(index_url, _query(form, without=name)),
                }
                for name, label, value in form.chosen()
            ],
            "feed_url": _with_query(feed_url, query),
            "breadcrumbs": list(index_page.get_ancestors().filter(depth__gt=1)),
        },
    )


def _tag_uri(page, request, specific: str) -> str:
    """A permanent id (RFC 4151 tag URI) that survives a change of title or address: it is
    made from the site's configured name, not the address this request came in on."""
    host = urlsplit(page.get_full_url(request) or "").hostname or "localhost"
    since = (page.first_published_at or timezone.now()).date().isoformat()
    return f"tag:{host},{since}:{specific}"


def feed_view(request, *, index_page: ServiceChangeIndexPage):
    """An Atom 1.0 feed of the latest changes, honouring the same filters as the list."""
    form, _ignored = _read_filters(request, index_page=index_page)
    query = _query(form)
    changes = list(
        selectors.changes_listed(request.user, index=index_page, filters=form.filters())[:FEED_SIZE]
    )
    feed = Atom1Feed(
        title=index_page.title,
        link=_with_query(request.build_absolute_uri(index_page.get_url(request)), query),
        description=index_page.intro,
        subtitle=index_page.intro or None,
        language="en-GB",
        author_name=settings.WAGTAIL_SITE_NAME,
        feed_url=request.build_absolute_uri(),
        feed_guid=_tag_uri(index_page, request, "you-said-we-did" + (f"?{query}" if query else "")),
    )
    for change in changes:
        feed.add_item(
            title=change.title,
            link=request.build_absolute_uri(change.get_url(request)),
            # The summary is plain text, sent as escaped HTML so readers show it as typed.
            description=escape(f"{change.get_status_display()}. {change.summary}"),
            unique_id=_tag_uri(change, request, f"service-change-{change.pk}"),
            pubdate=change.first_published_at,
            updateddate=change.last_published_at or change.first_published_at,
            categories=[theme.name for theme in change.themes.all()],
        )
    response = HttpResponse(content_type=feed.content_type)
    feed.write(response, "utf-8")
    return response


def service_change_context(page: ServiceChangePage, request) -> dict:
    """Everything a change's page shows beyond its own fields."""
    parts = selectors.change_page_parts(request.user, page)
    return {
        "parts": parts,
        "status_tag": STATUS_TAGS.get(page.status, ""),
        "panel_sign_off": sign_off.public_sign_off(page),
        "breadcrumbs": list(public_only(page.get_ancestors().live().filter(depth__gt=1))),
    }
