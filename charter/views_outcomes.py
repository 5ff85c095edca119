"""The public outcomes pages: every published programme of the partnership, and each one's
outcomes before and after, with the change worked out, the method in words, dated targets
with their status and rule, and the offers and peer-worker teams that deliver it.

At ``/outcomes/``, not under ``/charter/``: there every address names an organisation, and
an organisation may be called anything."""

from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from cms.middleware import public_page
from cms.page_cache import LONG

from .selectors_outcomes import programme_for_public_page, programme_outcomes, programmes_published


@public_page(cache_for=LONG)
@require_GET
def outcomes_index(request):
    return render(
        request,
        "charter/public/outcomes_index.html",
        {"programmes": programmes_published(request.user)},
    )


@public_page(cache_for=LONG)
@require_GET
def programme_page(request, slug):
    programme = programme_for_public_page(request.user, slug)
    return render(
        request,
        "charter/public/programme.html",
        {
            "outcomes": programme_outcomes(
                programme.pk, today=timezone.localdate(), public=True, request=request
            )
        },
    )


app_name = "outcomes"

urlpatterns = [
    path("outcomes/", outcomes_index, name="index"),
    path("outcomes/<slug:slug>/", programme_page, name="programme"),
]
