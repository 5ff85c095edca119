"""An XSS payload corpus given as feedback never becomes markup anywhere feedback is shown:
the offer page, every comment on it, My space, the person's own feedback, and the leads'
list, inspect, moderation and trends pages in the admin.

Tags are stripped on the way in (``plain_text``), so the corpus is also stored raw, as if
it had come another way (an import, an older release), to prove the pages escape it.
"""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from coproduce.factories import FeedbackFactory, ThemeFactory
from coproduce.models import Feedback
from tests.conftest import sign_in
from tests.factories import OfferPageFactory

pytestmark = pytest.mark.django_db

CORPUS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "<svg onload=alert(1)>",
    "'><iframe src=javascript:alert(1)></iframe>",
    "</textarea><script>alert(1)</script>",
]
EVERYTHING = " ".join(CORPUS)


def assert_never_markup(html: str) -> None:
    """The corpus is in the page only as text: no tag, handler, script or link it made."""
    page = BeautifulSoup(html, "html.parser")
    for payload in CORPUS:
        if "<" in payload:
            assert payload not in html, payload
    for tag in page.find_all(True):
        for name, value in tag.attrs.items():
            value = " ".join(value) if isinstance(value, list) else str(value)
            if name.startswith("on"):
                assert "alert" not in value, tag
            if name in ("href", "src", "action", "formaction"):
                assert not value.strip().lower().startswith("javascript:"), tag
    for script in page.find_all("script"):
        assert "alert(1)" not in (script.string or ""), script
    assert not page.find_all("iframe")
    assert not page.find("img", attrs={"src": "x"})


def assert_shown_as_text(html: str, text: str) -> None:
    assert text in BeautifulSoup(html, "html.parser").get_text()


@pytest.fixture
def offer(organisation):
    return OfferPageFactory(title="Crisis café", provider=organisation)


def test_the_corpus_typed_into_the_form_is_kept_as_text_and_never_runs(client, make_person, offer):
    member = make_person("member")
    sign_in(client, member)
    give = reverse("coproduce:feedback_give", kwargs={"offer_id": offer.pk})
    # Shown again after a mistake, inside the form fields.
    response = client.post(
        give, {"went_well": EVERYTHING, "could_be_better": EVERYTHING, "felt_listened_to": "yes"}
    )
    assert response.status_code == 400
    assert_never_markup(response.content.decode())
    page = BeautifulSoup(response.content, "html.parser")
    assert page.find("textarea", {"name": "went_well"}).get_text().strip() == EVERYTHING

    response = client.post(
        give,
        {
            "went_well": EVERYTHING,
            "could_be_better": EVERYTHING,
            "rating": "3",
            "felt_listened_to": "yes",
            "consent_to_publish": "on",
        },
    )
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert feedback.went_well == EVERYTHING  # stored exactly as typed, shown only as text

    lead = make_person("engagement_lead")
    sign_in(client, lead)
    moderate = f"/admin/feedback/edit/{feedback.pk}/"
    assert_never_markup(client.get(moderate).content.decode())
    client.post(moderate, {"action": "quote", "quote": EVERYTHING})
    client.post(moderate, {"action": "respond", "response": EVERYTHING})
    feedback.refresh_from_db()
    assert feedback.public_quote == EVERYTHING and feedback.public_response == EVERYTHING
    assert feedback.is_published

    for url in [offer.url, reverse("coproduce:feedback_on_offer", args=[offer.pk])]:
        assert_never_markup(client.get(url).content.decode())
    sign_in(client, member)
    for url in ["/my-space/", reverse("coproduce:feedback_mine")]:
        assert_never_markup(client.get(url).content.decode())


@pytest.fixture
def stored_raw(organisation, make_person):
    """Feedback holding the corpus as it was typed, in every field anyone sees."""
    member = make_person("member")
    offer = OfferPageFactory(title="Crisis café", provider=organisation)
    feedback = FeedbackFactory(
        offer=offer,
        offer_title=CORPUS[0],
        author=member,
        went_well=CORPUS[1],
        could_be_better=CORPUS[3],
        consent_to_publish=True,
        public_quote=EVERYTHING,
        public_response=EVERYTHING,
        hidden_reason=CORPUS[4],
        themes=[ThemeFactory(name=CORPUS[5], slug="xss")],
        status=Feedback.Status.RESPONDED,
    )
    return {"member": member, "offer": offer, "feedback": feedback}


def test_the_public_pages_show_the_corpus_only_escaped(client, stored_raw):
    offer = stored_raw["offer"]
    for url in [offer.url, reverse("coproduce:feedback_on_offer", args=[offer.pk])]:
        html = client.get(url).content.decode()
        assert_never_markup(html)
        assert_shown_as_text(html, CORPUS[0])
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_my_space_and_your_feedback_show_the_corpus_only_escaped(client, stored_raw):
    sign_in(client, stored_raw["member"])
    for url in ["/my-space/", reverse("coproduce:feedback_mine")]:
        html = client.get(url).content.decode()
        assert_never_markup(html)
        assert_shown_as_text(html, CORPUS[0])
    html = client.get(reverse("coproduce:feedback_mine")).content.decode()
    assert_shown_as_text(html, CORPUS[1])


def test_the_admin_pages_show_the_corpus_only_escaped(client, make_person, stored_raw):
    sign_in(client, make_person("engagement_lead"))
    feedback = stored_raw["feedback"]
    Feedback.objects.filter(pk=feedback.pk).update(hidden=True)
    for url in [
        "/admin/feedback/",
        f"/admin/feedback/inspect/{feedback.pk}/",
        f"/admin/feedback/edit/{feedback.pk}/",
        f"/admin/feedback/history/{feedback.pk}/",
        "/admin/feedback-trends/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert_never_markup(html)
    inspect = client.get(f"/admin/feedback/inspect/{feedback.pk}/").content.decode()
    for text in [CORPUS[0], CORPUS[1], CORPUS[3], CORPUS[4], CORPUS[5]]:
        assert_shown_as_text(inspect, text)
    listing = client.get("/admin/feedback/").content.decode()
    assert_shown_as_text(listing, CORPUS[0])
