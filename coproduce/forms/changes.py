"""The filters of "You said, we did": read from the web address (a GET form), so any
filtered list can be shared, bookmarked and followed as a feed, and works without
JavaScript."""

from django import forms

from cms.forms import ClearRequiredMessages

from ..models import ServiceChangePage
from ..selectors.changes import ChangeFilters, FilterChoices


class ChangeFilterForm(ClearRequiredMessages, forms.Form):
    """Status, offer, theme and year; each offers only values some published change has."""

    status = forms.ChoiceField(label="Status", required=False)
    offer = forms.ChoiceField(label="Service", required=False)
    theme = forms.ChoiceField(label="Theme", required=False)
    year = forms.TypedChoiceField(
        label="Year",
        help_text="Changes planned, started or done that year",
        required=False,
        coerce=int,
        empty_value=None,
    )

    def __init__(self, *args, choices: FilterChoices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", "Any status"), *ServiceChangePage.Status.choices]
        self.fields["offer"].choices = [("", "Any service"), *choices.offers]
        self.fields["theme"].choices = [("", "Any theme"), *choices.themes]
        self.fields["year"].choices = [("", "Any year")] + [
            (str(year), str(year)) for year in choices.years
        ]

    def filters(self) -> ChangeFilters:
        """The valid filters asked for (call after ``is_valid``)."""
        values = getattr(self, "cleaned_data", {})
        return ChangeFilters(
            status=values.get("status") or "",
            offer=values.get("offer") or "",
            theme=values.get("theme") or "",
            year=values.get("year") or None,
        )

    def chosen(self) -> list[tuple[str, str, str]]:
        """Each filter in use as (field name, its label, the chosen value's label), for
        the "selected filters" a person can remove one by one."""
        chosen = []
        for name in ("status", "offer", "theme", "year"):
            value = getattr(self, "cleaned_data", {}).get(name)
            if value in (None, ""):
                continue
            labels = dict(self.fields[name].choices)
            chosen.append((name, self.fields[name].label, str(labels.get(str(value), value))))
        return chosen
