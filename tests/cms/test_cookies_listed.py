"""The cookies page lists the cookies the site actually sets: walk the journeys people take
(looking around, signing up, signing in with and without a code, sending forms, signing
out, asking for another language) and collect every cookie any response sets."""

import re
import time

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from cms.cookies import cookie_names, duration_in_words, site_cookies
from cms.first_run import site_first_run
from cms.models import ContentPage, Organisation
from cms.roles import Role
from tests.cms.test_mfa import SECRET, current_code
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class RecordingClient(Client):
    """A test client that notes the name of every cookie each response sets, redirects
    included."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.cookies_set: set[str] = set()

    def request(self, **request):
        response = super().request(**request)
        self.cookies_set.update(response.cookies.keys())
        return response


@pytest.fixture
def site(db):
    site_first_run(
        organisation_name="Northdale Health NHS Trust",
        organisation_kind=Organisation.Kind.NHS_TRUST,
        admin_email="ada@northdale.example.org",
        admin_first_name="Ada",
        admin_last_name="Okafor",
        contact_email="involvement@northdale.example.org",
    )
    mail.outbox.clear()


def _look_around(client):
    for path in ["/", "/find-support/", "/find-support/?need=money", "/privacy/", "/help-now/"]:
        assert client.get(path).status_code == 200, path
    assert client.get("/search/?q=support").status_code == 200


def _sign_up_and_confirm(client):
    response = client.get(reverse("account_signup"))
    assert response.status_code == 200
    response = client.post(
        reverse("account_signup"),
        {
            "email": "robin.ashworth@example.org",
            "password1": "quiet-harbour-lantern-47",
            "password2": "quiet-harbour-lantern-47",
        },
        follow=True,
    )
    assert response.status_code == 200
    link = re.search(r"https?://\S+(/accounts/confirm-email/\S+/)", mail.outbox[-1].body)
    assert link, mail.outbox[-1].body
    response = client.post(link.group(1), follow=True)
    assert response.redirect_chain[-1][0] == reverse("my_space")


def _sign_out(client):
    response = client.post(reverse("account_logout"), follow=True)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_every_cookie_the_site_sets_is_listed_and_shown_on_the_cookies_page(site, password):
    visitor = RecordingClient()
    _look_around(visitor)
    visitor.get("/", HTTP_ACCEPT_LANGUAGE="cy")

    newcomer = RecordingClient()
    _sign_up_and_confirm(newcomer)
    _sign_out(newcomer)

    member = UserFactory(email="sam@example.org", roles=[Role.MEMBER])
    returning = RecordingClient()
    response = returning.post(
        reverse("account_login"), {"login": member.email, "password": password}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("my_space")
    assert returning.get(reverse("my_space")).status_code == 200
    _sign_out(returning)

    editor = UserFactory(email="robin@example.org", roles=[Role.EDITOR], mfa=SECRET)
    staff = RecordingClient()
    with time_machine.travel(time.time(), tick=False):
        response = staff.post(
            reverse("account_login"), {"login": editor.email, "password": password}
        )
        assert response.url == reverse("mfa_authenticate")
        response = staff.post(
            reverse("mfa_authenticate"), {"code": current_code(SECRET)}, follow=True
        )
    assert response.redirect_chain[-1][0] == reverse("my_space")
    page = ContentPage.objects.get(slug="contact")
    assert staff.get(f"/admin/pages/{page.pk}/edit/").status_code == 200
    response = staff.post(
        f"/admin/pages/{page.pk}/edit/",
        {
            "title": "Contact us",
            "slug": "contact",
            "intro": "How to reach us.",
            "body-count": "1",
            "body-0-type": "heading",
            "body-0-value": "Write to us",
            "body-0-deleted": "",
            "body-0-order": "0",
            "body-0-id": "",
            "action-publish": "action-publish",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "has been published" in response.content.decode()
    _sign_out(staff)

    seen = visitor.cookies_set | newcomer.cookies_set | returning.cookies_set | staff.cookies_set
    # The journeys did meet the cookies that matter, so this test is not passing on nothing.
    assert {settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME, "messages"} <= seen
    assert seen <= cookie_names(), f"set but not listed in cms/cookies.py: {seen - cookie_names()}"
    assert settings.LANGUAGE_COOKIE_NAME not in seen

    cookies_page = BeautifulSoup(visitor.get("/cookies/").content, "html.parser").find("main")
    listed = {code.get_text(strip=True) for code in cookies_page.select("table code")}
    assert seen <= listed
    assert listed == cookie_names()


def test_how_long_each_cookie_lasts_follows_the_settings(settings):
    settings.SESSION_IDLE_TIMEOUT = 20 * 60
    settings.SESSION_ABSOLUTE_LIFETIME = 8 * 60 * 60
    settings.CSRF_COOKIE_AGE = 7 * 86_400
    settings.SESSION_COOKIE_NAME = "lep_session"
    lasts = {cookie.name: cookie.lasts for cookie in site_cookies()}
    assert lasts["lep_session"] == (
        "Until you close your browser. You are signed out after 20 minutes without using the "
        "site, and after 8 hours in any case."
    )
    assert lasts[settings.CSRF_COOKIE_NAME] == "1 week."


def test_cookies_kept_in_the_session_are_not_listed(settings):
    settings.CSRF_USE_SESSIONS = True
    settings.MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
    names = cookie_names()
    assert settings.CSRF_COOKIE_NAME not in names and "messages" not in names
    assert settings.SESSION_COOKIE_NAME in names


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (60, "1 minute"),
        (1800, "30 minutes"),
        (43_200, "12 hours"),
        (86_400 * 14, "2 weeks"),
        (31_449_600, "about 1 year (52 weeks)"),
    ],
)
def test_durations_are_said_in_words(seconds, words):
    assert duration_in_words(seconds) == words
