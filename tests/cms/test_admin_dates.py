"""Dates typed into the Wagtail admin are kept or refused, never replaced by today, and
listings show every date, past or future, as a date in words."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django import forms
from django.urls import get_resolver, reverse
from django.utils import timezone
from wagtail.admin.ui.tables import DateColumn as WagtailDateColumn
from wagtail.admin.ui.tables import UpdatedAtColumn
from wagtail.admin.viewsets import viewsets
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.models import get_page_models

from charter.factories import CharterFactory, MeasureFactory
from cms import admin_dates
from tests.conftest import sign_in

OUR_APPS = {"cms", "coproduce", "peers", "charter"}


def _our_viewsets():
    assert get_resolver().url_patterns  # Wagtail registers the viewsets as its URLs load
    seen = []
    for viewset in viewsets.viewsets:
        model = getattr(viewset, "model", None)
        if isinstance(viewset, ModelViewSet) and model and model._meta.app_label in OUR_APPS:
            seen.append(viewset)
    return seen


def _admin_form_classes():
    """Every form the project's admin viewsets and page types build, with a name for each."""
    found = []
    for viewset in _our_viewsets():
        for kind, view_kwargs in (
            ("add", viewset.get_add_view_kwargs),
            ("edit", viewset.get_edit_view_kwargs),
        ):
            try:
                form_class = view_kwargs()["form_class"]
            except Exception:  # noqa: S112 - a viewset with no form of that kind
                continue
            found.append((f"{viewset.name} ({kind})", form_class))
    for page_model in get_page_models():
        if page_model._meta.app_label in OUR_APPS:
            found.append((page_model.__name__, page_model.get_edit_handler().get_form_class()))
    return found


def _date_fields(form_class):
    for name, field in form_class.base_fields.items():
        if isinstance(field, forms.DateField | forms.DateTimeField):
            yield name, field


def test_the_walk_finds_the_projects_admin_date_fields():
    names = {
        f"{label}.{name}"
        for label, form_class in _admin_form_classes()
        for name, _field in _date_fields(form_class)
    }
    # A few we know must be there, so an empty walk cannot pass the tests below.
    assert any(name.endswith(".due_on") for name in names), names
    assert any(name.endswith(".last_reviewed") for name in names), names
    assert any(name.endswith(".closing_date") for name in names), names


@pytest.mark.parametrize(
    "label,form_class", _admin_form_classes(), ids=[label for label, _ in _admin_form_classes()]
)
def test_every_admin_date_field_keeps_what_was_typed(label, form_class):
    for name, field in _date_fields(form_class):
        where = f"{label}.{name}"
        widget = field.widget
        if widget.input_type == "date":
            continue  # the browser's own date input: it sends ISO dates, nothing replaces them
        assert isinstance(widget, admin_dates.DateInput | admin_dates.DateTimeInput), where
        if isinstance(widget, admin_dates.DateTimeInput):
            assert widget.get_config().get("validateOnBlur") is False, where
        else:
            assert not widget.media._js, f"{where}: no script may rewrite a typed date"
        if isinstance(field, forms.DateTimeField):
            assert field.clean("01/04/2008 14:30").date() == datetime.date(2008, 4, 1), where
        else:
            assert field.clean("01/04/2008") == datetime.date(2008, 4, 1), where
            assert field.clean("2008-04-01") == datetime.date(2008, 4, 1), where
            with pytest.raises(forms.ValidationError) as refused:
                field.clean("31/02/2008")
            assert "real date" in " ".join(refused.value.messages), where


@pytest.mark.parametrize("viewset", _our_viewsets(), ids=lambda viewset: viewset.name)
def test_no_listing_speaks_of_a_date_as_time_ago(viewset):
    columns = viewset.list_display
    for column in columns if isinstance(columns, list | tuple) else []:
        if isinstance(column, WagtailDateColumn) and not isinstance(column, UpdatedAtColumn):
            pytest.fail(f"{viewset.name} lists {column.name} with Wagtail's 'time ago' column")


def test_the_date_column_says_a_future_date_in_words():
    class Row:
        due_on = datetime.date(2026, 12, 27)

    column = admin_dates.DateColumn("due_on")
    html = str(column.get_cell_context_data(Row(), {"row": None, "table": None})["value"])
    assert "27 December 2026" in html
    assert 'datetime="2026-12-27"' in html


@pytest.fixture
def hr_client(client, make_person):
    hr = make_person("hr")
    return sign_in(client, hr), hr


@pytest.mark.django_db
def test_a_target_date_typed_the_uk_way_is_saved_as_typed(hr_client):
    client, hr = hr_client
    measure = MeasureFactory(commitment__charter=CharterFactory(organisation=hr.organisation))
    due = datetime.date(timezone.localdate().year + 1, 4, 1)
    response = client.post(
        reverse("charter_targets:add"),
        {"measure": measure.pk, "due_on": due.strftime("%d/%m/%Y"), "value": "10", "note": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert measure.targets.get().due_on == due

    listing = client.get(reverse("charter_targets:index"))
    text = BeautifulSoup(listing.content, "html.parser").get_text(" ", strip=True)
    assert f"1 April {due.year}" in text
    assert "Just now" not in text


@pytest.mark.django_db
def test_a_date_that_is_not_real_is_refused_and_the_typing_kept(hr_client):
    client, hr = hr_client
    measure = MeasureFactory(commitment__charter=CharterFactory(organisation=hr.organisation))
    next_year = timezone.localdate().year + 1
    response = client.post(
        reverse("charter_targets:add"),
        {
            "measure": measure.pk,
            "due_on": f"31/02/{next_year}",
            "value": "10",
            "note": "",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "as a real date" in page
    assert f'value="31/02/{next_year}"' in page
    assert not measure.targets.exists()
