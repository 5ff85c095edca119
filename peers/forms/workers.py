"""HR's form for a peer worker record in the Wagtail admin.

It offers only what HR may choose (their own organisations, teams of those, supervisors
with the supervisor role within reach), checks what was typed with plain-English messages,
and hands ``details()`` to ``peers.services.workers``; the service applies the rules and a
refusal is shown beside the field it is about.
"""

from django import forms
from wagtail.admin.forms import WagtailAdminModelForm

from cms.forms import ClearRequiredMessages
from cms.sanitise import plain_text

from ..models import PeerWorker, Team
from ..services.workers import WorkerDetails, organisations_for, supervisors_for


class TeamChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, team):
        return f"{team.name} ({team.organisation})"


class SupervisorChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, person):
        name = person.get_full_name() or person.email
        return f"{name} ({person.organisation})" if person.organisation_id else name


class WorkerForm(WagtailAdminModelForm):
    """A peer worker's employment record. A new record names the person by email: an
    account is made for them if they have none."""

    email = forms.EmailField(
        label="Email address",
        help_text="The address they sign in with. If they have no account yet, one is made "
        "and they set a password with “Forgot your password?”.",
        error_messages={
            "required": "Enter the peer worker's email address",
            "invalid": "Enter an email address like name@example.org",
        },
    )
    first_name = forms.CharField(label="First name", max_length=150, required=False)
    last_name = forms.CharField(label="Last name", max_length=150, required=False)
    team = TeamChoiceField(queryset=Team.objects.none(), required=False, empty_label="No team")
    supervisors = SupervisorChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="They see this worker's sessions and supervision, and get safeguarding alerts.",
    )

    class Meta:
        model = PeerWorker
        fields = [
            "organisation",
            "team",
            "level",
            "job_title",
            "employment_type",
            "start_date",
            "contracted_hours",
            "supervisors",
            "supervision_every_days",
            "status",
            "left_on",
            "leaving_reason",
            "leaving_note",
        ]
        labels = {
            "left_on": "Date they left",
            "leaving_reason": "Why they left",
            "leaving_note": "Anything else about their leaving (optional)",
        }
        help_texts = {
            "status": "To mark someone as left, choose Left and give the date and reason.",
            "leaving_note": "Plain text, kept with HR's record. Never shown to supervisors.",
        }
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "left_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "employment_type": forms.RadioSelect,
            "status": forms.RadioSelect,
        }
        error_messages = {
            "organisation": {
                "required": "Choose the organisation that employs them",
                "invalid_choice": "Choose your own organisation",
            },
            "level": {"required": "Choose their role level"},
            "job_title": {"required": "Enter their job title"},
            "employment_type": {"required": "Choose how they are employed"},
            "start_date": {
                "required": "Enter the date they started",
                "invalid": "Enter the date as year-month-day, for example 2026-04-01",
            },
            "left_on": {"invalid": "Enter the date as year-month-day, for example 2026-04-01"},
            "contracted_hours": {
                "invalid": "Enter hours a week as a number, like 22.5",
                "min_value": "Contracted hours cannot be negative",
                "max_value": "Contracted hours must be 60 a week or fewer",
                "max_decimal_places": "Enter hours to one decimal place, like 22.5",
                "max_digits": "Contracted hours must be 60 a week or fewer",
            },
            "supervision_every_days": {
                "required": "Enter how often they should have supervision, in days",
                "invalid": "Enter a whole number of days, like 28",
                "min_value": "Supervision should be at most every 7 days",
                "max_value": "Supervision should be at least every 120 days",
            },
        }

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        organisations = organisations_for(for_user)
        self.fields["organisation"].queryset = organisations
        self.fields["organisation"].empty_label = None if organisations.count() == 1 else "---"
        self.fields["team"].queryset = Team.objects.filter(
            organisation__in=organisations
        ).select_related("organisation")
        self.fields["supervisors"].queryset = supervisors_for(for_user).select_related(
            "organisation"
        )
        self.fields["leaving_reason"].choices = [
            ("", "Choose a reason"),
            *PeerWorker.LeavingReason.choices,
        ]
        if self.instance.pk:
            for name in ("email", "first_name", "last_name"):
                del self.fields[name]
        else:
            # A new record is for someone working now; leaving comes later.
            self.fields["status"].choices = [
                choice for choice in PeerWorker.Status.choices if choice[0] != "left"
            ]
            for name in ("left_on", "leaving_reason", "leaving_note"):
                del self.fields[name]
            self.order_fields(["email", "first_name", "last_name"])

    def clean_job_title(self):
        title = plain_text(self.cleaned_data.get("job_title"))
        if not title:
            raise forms.ValidationError("Enter their job title")
        return title

    def clean_contracted_hours(self):
        # The model's own limits, checked here because the service, not the form, saves.
        hours = self.cleaned_data.get("contracted_hours")
        if hours is not None and hours < 0:
            raise forms.ValidationError("Contracted hours cannot be negative")
        if hours is not None and hours > 60:
            raise forms.ValidationError("Contracted hours must be 60 a week or fewer")
        return hours

    def clean_supervision_every_days(self):
        days = self.cleaned_data.get("supervision_every_days")
        if days is not None and days < 7:
            raise forms.ValidationError("Supervision should be at most every 7 days")
        if days is not None and days > 120:
            raise forms.ValidationError("Supervision should be at least every 120 days")
        return days

    def clean_leaving_note(self):
        return plain_text(self.cleaned_data.get("leaving_note"))

    def clean(self):
        data = super().clean()
        organisation, team = data.get("organisation"), data.get("team")
        if organisation and team and team.organisation_id != organisation.pk:
            self.add_error("team", f"Choose a team of {organisation}, or no team")
        if data.get("status") == PeerWorker.Status.LEFT:
            if not data.get("left_on") and "left_on" not in self.errors:
                self.add_error("left_on", "Enter the date they left")
            if not data.get("leaving_reason"):
                self.add_error("leaving_reason", "Choose why they left")
        return data

    def _post_clean(self):
        # The service decides what changes: a refused change must not linger on the record
        # the page goes on to show.
        pass

    def add_refusal(self, error) -> None:
        name = getattr(error, "field", None)
        self.add_error(name if name in self.fields else None, error.message)

    def details(self) -> WorkerDetails:
        data = self.cleaned_data
        return WorkerDetails(
            organisation=data["organisation"],
            level=data["level"],
            start_date=data["start_date"],
            team=data.get("team"),
            job_title=data["job_title"],
            employment_type=data["employment_type"],
            contracted_hours=data.get("contracted_hours"),
            supervision_every_days=data["supervision_every_days"],
            supervisors=tuple(data.get("supervisors") or ()),
        )


class ActivityFilterForm(ClearRequiredMessages, forms.Form):
    """HR's choice of organisation (when they may see more than one) for the numbers."""

    organisation = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label=None,
        error_messages={"invalid_choice": "Choose an organisation you can see"},
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
