"""Forms of the site shell: Wagtail's user forms with the organisation a person works for,
the mixin every project form uses so an empty required field says what to enter, and the
mixin every form that creates a record uses so that sending it twice creates one."""

import hashlib
import re
import uuid

from django import forms
from django.forms.utils import pretty_name
from wagtail.users.forms import UserCreationForm as WagtailUserCreationForm
from wagtail.users.forms import UserEditForm as WagtailUserEditForm

from .models import Organisation, User
from .staff_accounts import REASON_MAX

ORGANISATION_FIELDS = ("organisation", "partnership_wide")

DJANGO_REQUIRED = str(forms.Field.default_error_messages["required"])

# Labels that start like these read on after "Enter", "Choose" or "Upload" without "the".
_NO_ARTICLE = re.compile(
    r"^(your|the|a|an|any|each|every|this|these|their|his|her|its|our|my|"
    r"how|what|which|when|where|who|whom|whose|why|whether|if)\b",
    re.IGNORECASE,
)


def _reads_on(label: str) -> str:
    """``label`` as the end of a sentence: first letter small unless it starts an acronym
    ("NHS number"), with "the" in front unless it already reads on ("your name")."""
    first = label.split(" ", 1)[0]
    if not (len(first) > 1 and first.isupper()):
        label = label[:1].lower() + label[1:]
    return label if _NO_ARTICLE.match(label) else f"the {label}"


def required_message(field: forms.Field, name: str) -> str:
    """What to tell someone who left ``field`` empty, from its label and kind, in the
    NHS style: "Enter the date of the session", "Choose which direction is better",
    "Upload the receipt", "Tick the box to say “I agree”"."""
    label = " ".join(str(field.label or pretty_name(name)).split())
    widget = field.widget
    if isinstance(field, forms.BooleanField) or isinstance(widget, forms.CheckboxInput):
        return f"Tick the box to say “{label.rstrip(':')}”"
    if isinstance(field, forms.FileField):
        verb = "Upload"
    elif isinstance(field, forms.ChoiceField | forms.ModelChoiceField) or isinstance(
        widget, forms.Select | forms.RadioSelect | forms.CheckboxSelectMultiple
    ):
        verb = "Choose"
    else:
        verb = "Enter"
    if label.endswith("?"):
        answer = {"Upload": "a file for", "Choose": "an answer to", "Enter": "an answer to"}
        return f"{verb} {answer[verb]} “{label}”"
    return f"{verb} {_reads_on(label.rstrip(':'))}"


class ClearRequiredMessages:
    """Every project form: a required field left empty says what to enter ("Enter the
    date of the session"), never Django's bare "This field is required.".

    Put it in the bases of every form class (``OnceOnlyForm`` includes it):
    ``class DecisionForm(ClearRequiredMessages, forms.Form)``. A field that sets its own
    "required" message keeps it; fields added in ``__init__`` are covered too, because the
    messages are written just before the form is checked.
    ``tests/cms/test_required_messages.py`` fails on a project form without it.
    """

    def full_clean(self):
        for name, field in self.fields.items():
            if str(field.error_messages.get("required", "")) == DJANGO_REQUIRED:
                field.error_messages["required"] = required_message(field, name)
        super().full_clean()


class UserCreationForm(WagtailUserCreationForm):
    """A new person, with no password: they choose their own through the invitation they
    are emailed (``cms.staff_accounts.person_invite``)."""

    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.all(), required=False, label="Organisation"
    )

    class Meta(WagtailUserCreationForm.Meta):
        model = User
        fields = WagtailUserCreationForm.Meta.fields | set(ORGANISATION_FIELDS)

    def save(self, commit=True):
        person = super().save(commit=False)
        if not self.cleaned_data.get("password1"):
            # An empty password would count as "usable" and match nothing: say plainly that
            # there is none until the person chooses one.
            person.set_unusable_password()
        if commit:
            person.save()
            self.save_m2m()
        return person


class UserEditForm(WagtailUserEditForm):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.all(), required=False, label="Organisation"
    )

    def __init__(self, *args, **kwargs):
        # Wagtail's user edit view says whether the person is editing their own account.
        self.editing_self = kwargs.get("editing_self", False)
        super().__init__(*args, **kwargs)

    def clean_groups(self):
        """The supervisor role opens supervisees' case records: nobody gives it to
        themselves (``cms.permissions.case_access_refusal``)."""
        from .permissions import case_access_refusal
        from .roles import Role

        groups = self.cleaned_data.get("groups")
        had = set(self.instance.groups.values_list("name", flat=True) if self.instance.pk else ())
        gains = {group.name for group in groups or ()} - had
        if Role.SUPERVISOR.value in gains:
            editor = self.instance if self.editing_self else None
            refusal = case_access_refusal(by=editor, person=self.instance)
            if refusal:
                raise forms.ValidationError(refusal)
        return groups

    class Meta(WagtailUserEditForm.Meta):
        model = User
        fields = WagtailUserEditForm.Meta.fields | set(ORGANISATION_FIELDS)


class AuthenticatorResetForm(ClearRequiredMessages, forms.Form):
    """Why an administrator is resetting someone's authenticator, for the audit log."""

    reason = forms.CharField(
        label="Why are you resetting it?",
        help_text=(
            "For the audit log, for example “Lost their phone, confirmed by phone call with "
            "their manager”. The person is not sent this."
        ),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Enter why you are resetting this authenticator",
            "max_length": "The reason must be 1,000 characters or fewer",
        },
    )


ONCE_ONLY_FIELD = "submission_token"

# Every form class that uses ``OnceOnlyForm``, by key: the idempotency test fires two
# identical posts at each, and fails for a form it has no case for.
ONCE_ONLY_FORMS: dict[str, type] = {}


class _TokenField(forms.Field):
    """Never fails: a missing or garbled token must not stop someone saving what they
    typed (``submitted_token`` reads it, and a bad one is simply not used)."""

    widget = forms.HiddenInput

    def clean(self, value):
        return ""


def add_once_only_field(form) -> None:
    """Give ``form`` the hidden token: a new one each time the empty form is shown; a form
    shown again after a mistake keeps the one it was sent with."""
    form.fields[ONCE_ONLY_FIELD] = _TokenField(required=False, initial=uuid.uuid4)


def submitted_token(form) -> uuid.UUID | None:
    """The token ``form`` was sent with, or None when it is missing or garbled."""
    if not form.is_bound:
        return None
    raw = form.data.get(form.add_prefix(ONCE_ONLY_FIELD))
    try:
        return uuid.UUID(str(raw))
    except (TypeError, ValueError, AttributeError):
        return None


def submitted_fingerprint(form) -> str:
    """A hash of everything the person sent (bar the tokens), to tell a true repeat from
    the same page changed and sent again."""
    digest = hashlib.sha256()
    skip = {form.add_prefix(ONCE_ONLY_FIELD), "csrfmiddlewaretoken"}
    for name in sorted(form.data):
        if name in skip:
            continue
        values = form.data.getlist(name) if hasattr(form.data, "getlist") else [form.data[name]]
        for value in values:
            digest.update(f"{name}\0{value}\0".encode("utf-8", "surrogatepass"))
    for name in sorted(form.files or {}):
        for upload in form.files.getlist(name) if hasattr(form.files, "getlist") else []:
            digest.update(
                f"{name}\0{upload.name}\0{upload.size}\0".encode("utf-8", "surrogatepass")
            )
    return digest.hexdigest()


class OnceOnlyForm(ClearRequiredMessages):
    """A form that creates a record: it carries a fresh token in a hidden field, so the
    same form sent twice (a double click, a retry on a slow network, two posts at once) is
    recognised and ``cms.submissions.submit_once`` keeps one record.

    Put it first in the bases: ``class SessionForm(OnceOnlyForm, forms.Form)``. Its key
    (``"peers.SessionForm"``) names it in ``FormSubmission`` rows and the test registry.
    """

    once_only_key: str = ""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.once_only_key = f"{cls.__module__.split('.')[0]}.{cls.__name__}"
        ONCE_ONLY_FORMS[cls.once_only_key] = cls

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        add_once_only_field(self)

    def full_clean(self):
        super().full_clean()
        # The token is for ``submit_once`` only; forms hand ``cleaned_data`` to services.
        if hasattr(self, "cleaned_data"):
            self.cleaned_data.pop(ONCE_ONLY_FIELD, None)
