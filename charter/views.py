"""The public progress pages: every published charter, and each one's commitments and
measures with charts and tables, numbers under 5 held back."""

from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from cms.middleware import public_page
from cms.permissions import require

from .selectors import charter_for_public_page, charter_progress, charters_published


@public_page
@require_GET
def charter_index(request):
    return render(
        request, "charter/public/index.html", {"charters": charters_published(request.user)}
    )


@public_page
@require_GET
def charter_progress_page(request, organisation_slug):
    charter = charter_for_public_page(request.user, organisation_slug)
    require(request.user, "charter.view_progress", charter)
    return render(
        request,
        "charter/public/progress.html",
        {"progress": charter_progress(charter.pk, today=timezone.localdate(), public=True)},
    )


app_name = "charter"

urlpatterns = [
    path("charter/", charter_index, name="index"),
    path("charter/<slug:organisation_slug>/", charter_progress_page, name="progress"),
]
