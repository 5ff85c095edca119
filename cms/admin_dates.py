"""Dates in the Wagtail admin: kept as typed or refused, and shown as dates.

Wagtail's date picker replaces any text it cannot read with today's date when the field
loses focus, and the charter's and impact report's pickers read only 2026-03-31 while
their hint offered 31/3/2026. Every admin date is now a plain text box with a hint, the way
the NHS and GOV.UK design systems ask for dates people already know (the picker's own
buttons also have no names a screen reader can say): nothing in the page rewrites it, and
the server reads every common way of writing a date or refuses it with a message that says
what to do. Date-and-time fields keep Wagtail's picker (publishing schedules), told never
to replace what was typed.

Listings show dates in words ("27 December 2026"): Wagtail's own date column speaks in
"3 days ago", which turns every future date (a target, a review, a closing date) into
"Just now".
"""

import datetime

from django import forms
from django.db import models
from django.utils.html import format_html
from wagtail.admin import panels
from wagtail.admin.forms.models import register_form_field_override
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets import AdminDateTimeInput
from wagtail.models import Page

from .dates import date_in_words

# Read in this order: the UK's day-first forms, then ISO (what browsers' own date inputs
# send), then months in words.
DATE_INPUT_FORMATS = [
    "%d/%m/%Y",
    "%d/%m/%y",
    "%Y-%m-%d",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d %m %Y",
    "%d %B %Y",
    "%d %b %Y",
]
DATETIME_INPUT_FORMATS = [
    f"{date} {time}" for date in DATE_INPUT_FORMATS for time in ("%H:%M", "%H:%M:%S")
]
# What the field shows: how the hint writes a date, so what people see is what they type.
DATE_DISPLAY_FORMAT = "%d/%m/%Y"
DATETIME_DISPLAY_FORMAT = "%d/%m/%Y %H:%M"
DATE_HINT = "For example, 31/3/2026."

# The picker's own option: with it on, text it cannot parse becomes the current date.
_KEEP_WHAT_WAS_TYPED = {"validateOnBlur": False}


class DateInput(forms.DateInput):
    """A text box for a date, shown day first as the hint writes it; no script touches it."""

    def __init__(self, attrs=None, format=None):
        attrs = {"autocomplete": "off", "spellcheck": "false", **(attrs or {})}
        super().__init__(attrs=attrs, format=format or DATE_DISPLAY_FORMAT)


class DateTimeInput(AdminDateTimeInput):
    """Wagtail's date-and-time picker, told never to replace what a person typed."""

    def __init__(self, attrs=None, format=None, **kwargs):
        super().__init__(attrs=attrs, format=format or DATETIME_DISPLAY_FORMAT, **kwargs)

    def get_config(self):
        return {**super().get_config(), **_KEEP_WHAT_WAS_TYPED}


class DateField(forms.DateField):
    """A date typed in any common way, or a message saying how to write one."""

    widget = DateInput

    def __init__(self, *, what: str = "the date", **kwargs):
        kwargs.setdefault("input_formats", DATE_INPUT_FORMATS)
        if not kwargs.get("help_text"):
            kwargs["help_text"] = DATE_HINT
        messages = {
            "required": f"Enter {what}",
            "invalid": f"Enter {what} as a real date, for example 31/3/2026",
        }
        messages.update(kwargs.pop("error_messages", None) or {})
        super().__init__(error_messages=messages, **kwargs)


class DateTimeField(forms.DateTimeField):
    """A date and time typed in any common way, or a message saying how to write one."""

    widget = DateTimeInput

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", DATETIME_INPUT_FORMATS)
        messages = {
            "invalid": "Enter a real date and time, for example 31/3/2026 14:30",
        }
        messages.update(kwargs.pop("error_messages", None) or {})
        super().__init__(error_messages=messages, **kwargs)


class DateColumn(Column):
    """A listing column that shows its date in words, past or future alike."""

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        value = context.get("value")
        if isinstance(value, datetime.date):
            context["value"] = format_html(
                '<time datetime="{}">{}</time>', value.isoformat(), date_in_words(value)
            )
        return context


def register_admin_date_fields() -> None:
    """Every model date field in an admin form uses the widgets above (called once, at start)."""
    register_form_field_override(
        models.DateField, override={"form_class": DateField, "widget": DateInput}
    )
    register_form_field_override(
        models.DateTimeField, override={"form_class": DateTimeField, "widget": DateTimeInput}
    )


class PublishingPanel(panels.PublishingPanel):
    """Wagtail's "go live" and "expire" fields, with the pickers that keep what was typed."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        for child in self.children:
            child.widget = DateTimeInput(
                attrs=child.widget.attrs,
                js_overlay_parent_selector=child.widget.js_overlay_parent_selector,
            )


def page_settings_panels() -> list:
    """A page type's settings panels: Wagtail's own, with the publishing panel above."""
    return [PublishingPanel(), *Page.settings_panels[1:]]


def _typed(field: forms.Field) -> forms.Field:
    """``field`` as one of the fields above, with its label, hint, messages and initial."""
    kind = DateTimeField if isinstance(field, forms.DateTimeField) else DateField
    if isinstance(field, kind) or field.widget.input_type == "date":
        return field  # already ours, or the browser's own date input: nothing to replace
    kept = {
        "required": field.required,
        "label": field.label,
        "initial": field.initial,
        "help_text": field.help_text,
        "disabled": field.disabled,
    }
    replaced = kind(**kept)
    # The form's own wording of a refusal ("Enter the target date...") stays: every message
    # that is not the field class's default.
    defaults = {}
    for cls in reversed(type(field).__mro__):
        defaults.update(getattr(cls, "default_error_messages", {}))
    custom = {k: v for k, v in field.error_messages.items() if v != defaults.get(k)}
    replaced.error_messages.update(custom)
    return replaced


_typed_forms: dict[type, type] = {}


def typed_dates(form_class: type[forms.BaseForm]) -> type[forms.BaseForm]:
    """``form_class`` with every date (and date and time) field made one of ours.

    An admin form written by hand with its own ``class Meta`` loses Wagtail's widget
    overrides, so its dates were plain text boxes read in a single way; the viewset base
    passes every add and edit form through here, so none can miss the rule.
    """
    if form_class not in _typed_forms:
        fields = {
            name: _typed(field)
            for name, field in form_class.base_fields.items()
            if isinstance(field, forms.DateField | forms.DateTimeField)
        }
        typed = type(form_class.__name__, (form_class,), {"__module__": form_class.__module__})
        typed.base_fields = {**form_class.base_fields, **fields}
        _typed_forms[form_class] = typed
    return _typed_forms[form_class]
