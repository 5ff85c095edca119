"""My space → Your data: anyone signed in asks for a copy of everything the platform holds
about them. The copy is made in the background (``cms.your_data``) and waits on the report
page, which shows its progress and offers the download."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import permissions
from .dates import date_in_words
from .forms import OnceOnlyForm
from .refusals import Refused
from .submissions import submit_once
from .your_data import copies_of, copy_request

RECENT_COPIES = 5


class YourDataForm(OnceOnlyForm, forms.Form):
    """The "Get a copy of my data" button: sent twice, it asks for one copy."""


def _copies(person) -> list[dict]:
    return [
        {
            "job": job,
            "asked_on": date_in_words(job.created_at),
            "ready": job.status == job.Status.DONE and bool(job.file),
        }
        for job in copies_of(person)[:RECENT_COPIES]
    ]


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def your_data(request):
    permissions.require(request.user, "cms.view_my_space")
    form = YourDataForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            submitted = submit_once(
                form=form,
                user=request.user,
                create=lambda: copy_request(person=request.user, by=request.user),
            )
        except Refused as refusal:
            messages.error(request, str(refusal))
            return redirect("your_data")
        if submitted.record is None:
            return redirect("your_data")
        return redirect("report_status", submitted.record.pk)
    return render(
        request,
        "cms/your_data/your_data.html",
        {"form": form, "copies": _copies(request.user)},
    )
