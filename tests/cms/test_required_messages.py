"""A required field left empty says what to enter, never Django's bare "This field is
required.": every project form uses ``cms.forms.ClearRequiredMessages``.

Wagtail's admin model and page forms (built by Wagtail's viewsets from panels) are left to
Wagtail's admin; every other form the project defines is walked here.
"""

import datetime

import pytest
from django import forms
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.forms import TaskStateCommentForm
from wagtail.users.forms import UserCreationForm, UserEditForm

from charter.factories import CharterFactory, MeasureFactory
from cms.forms import DJANGO_REQUIRED, ClearRequiredMessages, required_message
from cms.models import Area, Need, OfferPage, Organisation
from coproduce.factories import ExpenseFactory
from coproduce.models import ServiceChangePage, Theme
from coproduce.selectors.changes import FilterChoices
from tests.cms.test_idempotency import _project_forms
from tests.factories import UserFactory

WAGTAIL_ADMIN_FORMS = (WagtailAdminModelForm, TaskStateCommentForm, UserCreationForm, UserEditForm)


def _front_end_forms() -> dict[str, type]:
    return {
        name: form
        for name, form in _project_forms().items()
        if not issubclass(form, WAGTAIL_ADMIN_FORMS)
    }


def test_every_project_form_says_what_to_enter():
    found = _front_end_forms()
    assert len(found) > 40, "the walk found too few forms to mean anything"
    missing = sorted(
        name for name, form in found.items() if not issubclass(form, ClearRequiredMessages)
    )
    assert not missing, (
        "These forms would say 'This field is required.'; put ClearRequiredMessages first in "
        f"their bases (cms/forms.py): {missing}"
    )


# What each form needs to be built, beyond its data.
def _kwargs(name: str) -> dict:
    person = UserFactory()
    builders = {
        "DirectoryFilterForm": lambda: {"needs": Need.objects.all(), "areas": Area.objects.all()},
        "CloseAccountForm": lambda: {"person": person},
        "ChangeFilterForm": lambda: {"choices": FilterChoices(offers=[], themes=[], years=[])},
        "coproduce.forms.feedback.FeedbackForm": lambda: {
            "themes": Theme.objects.all(),
            "on_behalf_allowed": True,
            "signed_in": True,
        },
        "TrendsFilterForm": lambda: {
            "offers": OfferPage.objects.all(),
            "themes": Theme.objects.all(),
        },
        "TriageForm": lambda: {"themes": Theme.objects.all()},
        "LinkChangeForm": lambda: {"changes": ServiceChangePage.objects.all()},
        "AccessArrangementsForm": lambda: {"needs": []},
        "AttendanceForm": lambda: {"rows": [], "default_hours": 2},
        # A line to decide on, so the form has its fields.
        "ApproveClaimForm": lambda: {"expenses": [ExpenseFactory()]},
        "StaffReplyForm": lambda: {"members": []},
        "PaperForm": lambda: {"user": person},
        "ApplicationForm": lambda: {"needs_consent": True, "consent_text": "I agree"},
        "ImpactReportForm": lambda: {
            "organisations": list(Organisation.objects.all()),
            "panels": [],
            "today": datetime.date(2026, 6, 1),
        },
        "AcknowledgeForm": lambda: {"worker_name": "Sam"},
        "SessionFilterForm": lambda: {"months": []},
        "SupervisionForm": lambda: {"worker": None},
        "ActivityFilterForm": lambda: {"organisations": Organisation.objects.all()},
        "CharterFromTemplateForm": lambda: {"user": person},
        "EvidenceUploadForm": lambda: {"charter": CharterFactory()},
        "ReadingForm": lambda: {"measure": MeasureFactory()},
    }
    build = builders.get(name) or builders.get(name.rsplit(".", 1)[-1])
    return build() if build else {}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(_front_end_forms()))
def test_a_form_sent_empty_never_says_this_field_is_required(name):
    form_class = _front_end_forms()[name]
    form = form_class(data={}, files={}, **_kwargs(name))
    errors = [str(error) for field_errors in form.errors.values() for error in field_errors]
    assert DJANGO_REQUIRED not in errors, f"{name}: {form.errors}"


# --- The words ---------------------------------------------------------------------------


class _Example(ClearRequiredMessages, forms.Form):
    name = forms.CharField(label="Your name")
    session_date = forms.DateField(label="Date of the session")
    panel = forms.ChoiceField(label="Panel", choices=[("a", "A")])
    how_often = forms.ChoiceField(label="How often", choices=[("a", "A")], widget=forms.RadioSelect)
    receipt = forms.FileField(label="Receipt")
    agree = forms.BooleanField(label="I agree to the terms")
    happened = forms.CharField(label="What happened?")
    nhs_number = forms.CharField(label="NHS number")
    own = forms.CharField(label="Own", error_messages={"required": "Enter your own words"})
    optional = forms.CharField(label="Optional", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["added_later"] = forms.CharField(label="Reason")


def test_each_kind_of_field_says_what_to_do():
    errors = _Example(data={}, files={}).errors
    assert {name: messages[0] for name, messages in errors.items()} == {
        "name": "Enter your name",
        "session_date": "Enter the date of the session",
        "panel": "Choose the panel",
        "how_often": "Choose how often",
        "receipt": "Upload the receipt",
        "agree": "Tick the box to say “I agree to the terms”",
        "happened": "Enter an answer to “What happened?”",
        "nhs_number": "Enter the NHS number",
        "own": "Enter your own words",
        "added_later": "Enter the reason",
    }


def test_a_field_without_a_label_is_named_from_its_name():
    assert required_message(forms.CharField(), "who_is_sought") == "Enter who is sought"


def test_one_forms_words_do_not_leak_into_another():
    assert _Example(data={}).errors
    assert str(_Example.base_fields["name"].error_messages["required"]) == DJANGO_REQUIRED
