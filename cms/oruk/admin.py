"""Editors' import of offers from an Open Referral UK file, in the Wagtail admin.

The form only reads the upload (``cms.oruk.import_file``: the same size limit and
messages as the command line); ``cms.oruk.importer`` decides what is imported.
The page shows what happened: how many offers were new, updated or unchanged, per offer
what changed and what in the file was not kept, and whether the changes wait as drafts or
were published; or, when any record is bad, each bad record and that nothing was saved.
"""

from django import forms
from django.template.response import TemplateResponse
from django.urls import reverse, reverse_lazy
from wagtail.admin.auth import permission_denied
from wagtail.admin.menu import MenuItem

from .. import permissions
from ..forms import ClearRequiredMessages
from . import import_file, importer


class OrukImportForm(ClearRequiredMessages, forms.Form):
    """One ORUK JSON file, checked for size and that it is JSON at all, and whether to
    publish what it changes at once (drafts for review otherwise)."""

    file = forms.FileField(
        label="Open Referral UK file (.json)",
        help_text="A service, a list of services or a page of services, at most 5 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
        error_messages={"required": "Upload an Open Referral UK file (.json)"},
    )

    publish = forms.BooleanField(
        label="Publish now",
        required=False,
        help_text=(
            "Leave this unticked to save new and changed offers as drafts, so you can check "
            "each one and publish it."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > import_file.MAX_IMPORT_BYTES:
            raise forms.ValidationError(import_file.TOO_BIG)
        if not upload.name.lower().endswith(".json"):
            raise forms.ValidationError("Choose a .json file exported from an ORUK directory.")
        try:
            self.cleaned_data["data"] = import_file.load_import_file(upload)
        except import_file.OrukImportError as error:
            raise forms.ValidationError(str(error)) from None
        return upload


def oruk_import_view(request):
    if not permissions.can(request.user, "cms.import_offers"):
        return permission_denied(request)
    result = None
    if request.method == "POST":
        form = OrukImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                result = importer.offers_import_oruk(
                    data=form.cleaned_data["data"],
                    user=request.user,
                    publish=form.cleaned_data["publish"],
                )
            except import_file.OrukImportError as error:
                form.add_error("file", str(error))
    else:
        form = OrukImportForm()
    return TemplateResponse(
        request,
        "cms/admin/oruk_import.html",
        {
            "form": form,
            "result": result,
            "header_title": "Import offers",
            "page_title": "Import offers",
            "page_subtitle": "from an Open Referral UK file",
            "header_icon": "upload",
            "action_url": reverse("offers_import_oruk"),
            "feed_url": reverse("oruk_services"),
        },
        status=400 if request.method == "POST" and not form.is_valid() else 200,
    )


class OrukImportMenuItem(MenuItem):
    """Shown only to people who may import offers."""

    def is_shown(self, request):
        return permissions.can(request.user, "cms.import_offers")


def oruk_import_menu_item() -> MenuItem:
    return OrukImportMenuItem(
        "Import offers", reverse_lazy("offers_import_oruk"), icon_name="upload", order=9000
    )
