"""The shared NHS form components: radios and checkboxes get their own markup, and the error
summary links every error to something that can take focus."""

from bs4 import BeautifulSoup
from django import forms
from django.template import Context, Template


class Choices(forms.Form):
    rating = forms.ChoiceField(choices=[("1", "Poor"), ("5", "Good")], widget=forms.RadioSelect)
    needs = forms.MultipleChoiceField(
        choices=[("bsl", "BSL"), ("quiet", "Quiet space")], widget=forms.CheckboxSelectMultiple
    )
    name = forms.CharField()


def render(form) -> BeautifulSoup:
    template = Template(
        '{% include "components/error_summary.html" %}'
        '{% for field in form %}{% include "components/form_field.html" %}{% endfor %}'
    )
    return BeautifulSoup(template.render(Context({"form": form})), "html.parser")


def test_checkbox_groups_are_checkboxes_and_radio_groups_radios():
    page = render(Choices())
    assert page.find(id="id_needs")["class"] == ["nhsuk-checkboxes"]
    assert page.find(id="id_rating")["class"] == ["nhsuk-radios"]
    assert page.find(id="id_needs_0")["class"] == ["nhsuk-checkboxes__input"]
    assert page.find(id="id_rating_0")["class"] == ["nhsuk-radios__input"]
    assert page.find(id="id_needs")["data-module"] == "nhsuk-checkboxes"


def test_every_error_in_the_summary_links_to_an_element_on_the_page():
    form = Choices(data={})
    assert not form.is_valid()
    page = render(form)
    links = page.select(".nhsuk-error-summary__list a")
    assert len(links) == 3
    for link in links:
        target = link["href"].removeprefix("#")
        assert target and page.find(id=target) is not None, link["href"]
