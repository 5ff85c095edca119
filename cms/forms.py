"""Forms of the site shell: Wagtail's user forms with the organisation a person works for."""

from django import forms
from wagtail.users.forms import UserCreationForm as WagtailUserCreationForm
from wagtail.users.forms import UserEditForm as WagtailUserEditForm

from .models import Organisation, User

ORGANISATION_FIELDS = ("organisation", "partnership_wide")


class UserCreationForm(WagtailUserCreationForm):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.all(), required=False, label="Organisation"
    )

    class Meta(WagtailUserCreationForm.Meta):
        model = User
        fields = WagtailUserCreationForm.Meta.fields | set(ORGANISATION_FIELDS)


class UserEditForm(WagtailUserEditForm):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.all(), required=False, label="Organisation"
    )

    class Meta(WagtailUserEditForm.Meta):
        model = User
        fields = WagtailUserEditForm.Meta.fields | set(ORGANISATION_FIELDS)
