"""The public progress pages: every published charter, and each one's commitments and
measures with charts and tables, numbers under 5 held back. An organisation's address shows
its latest-adopted published charter; each earlier published version has its own."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from cms.middleware import public_page
from cms.page_cache import LONG
from cms.permissions import require

from .selectors import charter_progress, charter_versions_published, charters_published


@public_page(cache_for=LONG)
@require_GET
def charter_index(request):
    return render(
        request, "charter/public/index.html", {"charters": charters_published(request.user)}
    )


def _progress_page(request, versions, charter):
    require(request.user, "charter.view_progress", charter)
    return render(
        request,
        "charter/public/progress.html",
        {
            "progress": charter_progress(charter, today=timezone.localdate(), public=True),
            "versions": versions,
            "latest": versions[0],
            "is_latest": charter.pk == versions[0].pk,
        },
    )


@public_page(cache_for=LONG)
@require_GET
def charter_progress_page(request, organisation_slug):
    versions = charter_versions_published(request.user, organisation_slug)
    return _progress_page(request, versions, versions[0])


@public_page(cache_for=LONG)
@require_GET
def charter_version_page(request, organisation_slug, version):
    """An earlier published version at its own address; the latest lives at the
    organisation's address, so its version address leads there."""
    versions = charter_versions_published(request.user, organisation_slug)
    charter = next((c for c in versions if c.version == version), None)
    if charter is None:
        raise Http404
    if charter.pk == versions[0].pk:
        return redirect("charter:progress", organisation_slug)
    return _progress_page(request, versions, charter)


app_name = "charter"

urlpatterns = [
    path("charter/", charter_index, name="index"),
    path("charter/<slug:organisation_slug>/", charter_progress_page, name="progress"),
    path(
        "charter/<slug:organisation_slug>/version/<str:version>/",
        charter_version_page,
        name="version",
    ),
]
