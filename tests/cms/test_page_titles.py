"""Page titles start with "Error: " when a form on the page has errors, from one place.

``{% error_title %}`` in ``base.html`` is the one home of the rule; a template that wrote
"Error: " in its own title would say it twice, or forget it on the next form.
"""

import re
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.template import Context, Template
from django.test import Client
from django.utils.functional import SimpleLazyObject

from cms.factories import home_page

APPS = ("cms", "coproduce", "peers", "charter")
TITLE_PARTS = re.compile(
    r"{%\s*block\s+(?:title|page_title)\s*%}(.*?){%\s*endblock|<title>(.*?)</title>", re.DOTALL
)


def _project_templates():
    base = Path(settings.BASE_DIR)
    for app in APPS:
        yield from sorted((base / app).glob("templates/**/*.html"))


def test_no_template_writes_error_in_its_own_title():
    found = []
    for path in _project_templates():
        for match in TITLE_PARTS.finditer(path.read_text()):
            title = "".join(part or "" for part in match.groups())
            if "Error" in title and "error_title" not in title:
                found.append(str(path.relative_to(settings.BASE_DIR)))
    assert list(_project_templates()), "the walk found no templates"
    assert not found, f"these titles say 'Error: ' themselves; base.html does it: {found}"


class _NameForm(forms.Form):
    name = forms.CharField(error_messages={"required": "Enter your name"})


TITLE = Template("{% load page_titles %}{% error_title %}Your name{% enderror_title %}")


def test_a_form_with_errors_puts_error_first_in_the_title():
    assert TITLE.render(Context({"form": _NameForm(data={})})) == "Error: Your name"


def test_any_form_of_the_page_counts_whatever_it_is_called():
    context = Context({"form": _NameForm(), "other_form": _NameForm(data={})})
    assert TITLE.render(context) == "Error: Your name"


def test_a_formset_with_errors_counts():
    formset = forms.formset_factory(_NameForm)(
        data={"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0", "form-0-name": ""}
    )
    formset.forms[0].empty_permitted = False
    assert TITLE.render(Context({"formset": formset})) == "Error: Your name"


def test_a_form_not_yet_sent_or_sent_well_leaves_the_title_alone():
    assert TITLE.render(Context({"form": _NameForm()})) == "Your name"
    assert TITLE.render(Context({"form": _NameForm(data={"name": "Sam"})})) == "Your name"


def test_a_title_that_already_says_error_is_not_doubled():
    template = Template(
        "{% load page_titles %}{% error_title %}Error: Your name{% enderror_title %}"
    )
    assert template.render(Context({"form": _NameForm(data={})})) == "Error: Your name"


def test_looking_for_forms_opens_no_lazy_value():
    def must_not_open():
        raise AssertionError("the title opened a lazy value")

    context = Context({"csrf_token": SimpleLazyObject(must_not_open), "form": _NameForm()})
    assert TITLE.render(context) == "Your name"


@pytest.mark.django_db
def test_a_public_page_without_a_form_sets_no_cookie():
    """Opening ``csrf_token`` to ask whether it is a form set a cookie on every page, so
    anonymous pages could not be cached."""
    response = Client().get(home_page().url)
    assert response.status_code == 200
    assert not response.cookies
