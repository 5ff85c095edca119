"""Multi-factor authentication: every staff role must set up an authenticator app before
reaching anything but public pages and account pages, cannot switch it off, and is asked
for a code after their password; members and peer workers are never asked.
"""

import json
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    TOTP,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from bs4 import BeautifulSoup
from django.contrib.auth import SESSION_KEY
from django.urls import Resolver404, resolve, reverse

from cms.encryption import decrypt, encrypt
from cms.roles import Role
from tests.conftest import sign_in
from tests.factories import UserFactory
from tests.urlwalk import all_routes

pytestmark = pytest.mark.django_db

MFA_SETUP_URL = reverse("mfa_activate_totp")
MY_SPACE_URL = reverse("my_space")
STAFF_ROLE_NAMES = ["supervisor", "engagement_lead", "hr", "finance", "editor", "admin"]
ADMIN_SITE_ROLE_NAMES = ["engagement_lead", "hr", "finance", "editor", "admin"]
SET_UP_MESSAGE = "Your role needs an authenticator app as a second step when you sign in."
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture
def frozen_clock():
    """TOTP codes follow the clock: stop it, so the code computed here is the one the site
    expects even when a test runs across a 30-second boundary."""
    with time_machine.travel(time.time(), tick=False) as traveller:
        yield traveller


def input_value(response, input_id) -> str | None:
    field = BeautifulSoup(response.content, "html.parser").find("input", id=input_id)
    return None if field is None else field.get("value")


def main_text(response) -> str:
    main = BeautifulSoup(response.content, "html.parser").find("main")
    assert main is not None, "The page has no <main> element."
    return " ".join(main.get_text(" ").split())


def current_code(secret: str) -> str:
    (counter,) = yield_hotp_counters_from_time()
    return format_hotp_value(hotp_value(secret, counter))


def confirm_password(client, password):
    """allauth asks for the password again before MFA can be set up or switched off, even
    straight after signing in; answer it as the person would."""
    response = client.post(reverse("account_reauthenticate"), {"password": password})
    assert response.status_code == 302, main_text(response)


def is_mfa_setup_redirect(response, path: str) -> bool:
    if response.status_code != 302:
        return False
    target = urlsplit(response.url)
    return target.path == MFA_SETUP_URL and parse_qs(target.query).get("next") == [path]


def assert_sent_to_mfa_setup(response, path: str):
    assert is_mfa_setup_redirect(response, path), (
        f"{path}: expected a redirect to set up MFA, got {response.status_code} "
        f"{response.get('Location', '')}"
    )


# --- Staff set up MFA before anything else ---------------------------------------------------


@pytest.mark.parametrize("role_name", STAFF_ROLE_NAMES)
def test_staff_member_without_an_authenticator_is_sent_to_set_one_up(
    client, make_person, role_name
):
    sign_in(client, make_person(role_name, mfa=False))

    response = client.get(MY_SPACE_URL)
    assert_sent_to_mfa_setup(response, MY_SPACE_URL)
    assert_sent_to_mfa_setup(client.get("/admin/"), "/admin/")

    # The set-up page first asks for the password again, saying why they are there.
    page = client.get(response.url, follow=True)
    assert page.status_code == 200
    assert page.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))
    assert SET_UP_MESSAGE in main_text(page)
    assert "Enter your password" in main_text(page)


@pytest.mark.parametrize("role_name", STAFF_ROLE_NAMES)
def test_staff_member_reaches_their_pages_once_the_authenticator_is_set_up(
    client, make_person, password, frozen_clock, role_name
):
    person = make_person(role_name, mfa=False)
    sign_in(client, person)
    assert_sent_to_mfa_setup(client.get(MY_SPACE_URL), MY_SPACE_URL)
    confirm_password(client, password)

    page = client.get(MFA_SETUP_URL)
    assert page.status_code == 200
    assert "Set up your authenticator app" in main_text(page)
    secret = client.session[SECRET_SESSION_KEY]
    assert input_value(page, "authenticator_secret") == secret  # for those who cannot scan
    response = client.post(MFA_SETUP_URL, {"code": current_code(secret)})

    assert response.status_code == 302
    assert response.url == reverse("mfa_view_recovery_codes")
    assert Authenticator.objects.filter(user=person, type=Authenticator.Type.TOTP).exists()
    page = client.get(MY_SPACE_URL)
    assert page.status_code == 200
    assert "My space" in main_text(page)
    admin = client.get("/admin/")
    if role_name in ADMIN_SITE_ROLE_NAMES:
        assert admin.status_code == 200
        assert b"Dashboard" in admin.content
    else:
        # Supervisors work only in front-end views: the admin says plainly it is not theirs.
        assert admin.status_code == 403
        assert "This part is for staff" in main_text(admin)


@pytest.mark.parametrize("role_name", ADMIN_SITE_ROLE_NAMES)
def test_staff_member_given_an_authenticator_reaches_the_admin(client, make_person, role_name):
    person = make_person(role_name, mfa=False)
    sign_in(client, person)
    assert_sent_to_mfa_setup(client.get("/admin/"), "/admin/")

    TOTP.activate(person, SECRET)

    assert client.get("/admin/").status_code == 200
    assert client.get(MY_SPACE_URL).status_code == 200


# --- Every Wagtail admin URL is behind MFA ---------------------------------------------------

# Wagtail's own routes that cms/urls.py shadows: with a redirect to allauth, or with the same
# view limited to administrators (requested all the same: behind MFA too).
SHADOWED = {
    "wagtailadmin_login": "wagtailadmin_login_redirect",
    "wagtailadmin_password_reset": "wagtailadmin_password_reset_redirect",
    "wagtailadmin_reports:site_history": "site_history_for_administrators",
    "wagtailadmin_reports:site_history_results": "site_history_results_for_administrators",
    # Wagtail's listings whose exports cms/urls.py answers with spreadsheet-safe copies.
    **{
        f"wagtailadmin_reports:{name}{results}": f"{name}{results}_safe"
        for name in ["locked_pages", "workflow", "workflow_tasks", "aging_pages"]
        for results in ("", "_results")
    },
    "wagtailredirects:index": "redirects_safe",
    "wagtailredirects:index_results": "redirects_results_safe",
}


def admin_routes():
    """Every URL pattern under /admin/, each with the concrete path the walker built for it;
    fails naming any pattern whose path does not lead back to that pattern."""
    routes = [route for route in all_routes() if route.sample_path.startswith("/admin/")]
    unbuilt = []
    for route in routes:
        label = route.name or route.pattern
        try:
            match = resolve(urlsplit(route.sample_path).path)
        except Resolver404:
            unbuilt.append(f"{label}: {route.sample_path} does not resolve")
            continue
        expected_name = SHADOWED.get(route.name, route.name) or match._func_path
        pattern_text = route.pattern.removeprefix("^")
        if match.view_name != expected_name or not match.route.endswith(pattern_text):
            unbuilt.append(
                f"{label}: {route.sample_path} resolves to {match.view_name} ({match.route})"
            )
    assert not unbuilt, "The URL walker could not build these admin paths:\n" + "\n".join(unbuilt)
    return routes


def test_every_wagtail_admin_url_sends_staff_without_mfa_to_set_it_up(client, make_person):
    routes = admin_routes()
    sign_in(client, make_person("engagement_lead", mfa=False))

    not_protected = []
    for route in routes:
        response = client.get(route.sample_path)
        if not is_mfa_setup_redirect(response, route.sample_path):
            not_protected.append(
                f"{route.name or route.pattern} {route.sample_path}: "
                f"{response.status_code} {response.get('Location', '')}"
            )

    distinct_paths = len({route.sample_path for route in routes})
    print(f"Requested {len(routes)} admin URL patterns ({distinct_paths} distinct paths).")
    assert len(routes) > 150, f"Only {len(routes)} admin URL patterns found"
    assert not not_protected, (
        f"{len(not_protected)} of {len(routes)} admin URLs are reachable without MFA:\n"
        + "\n".join(not_protected)
    )


# --- Who is never asked, and what stays reachable ----------------------------------------------


@pytest.mark.parametrize("role_name", ["member", "peer_worker"])
def test_members_and_peer_workers_are_never_asked_for_mfa(client, make_person, role_name):
    person = make_person(role_name)
    sign_in(client, person)

    response = client.get(MY_SPACE_URL)

    assert response.status_code == 200
    assert "My space" in main_text(response)
    assert not person.authenticator_set.exists()


@pytest.mark.parametrize(
    "path",
    [
        MFA_SETUP_URL,
        reverse("mfa_index"),
        "/",
        "/help-now/",
        "/robots.txt",
        "/search/?q=help",
        "/sitemap.xml",
    ],
)
def test_staff_member_without_mfa_can_still_reach_set_up_and_public_pages(
    client, make_person, path
):
    sign_in(client, make_person("engagement_lead", mfa=False))

    response = client.get(path, follow=True)

    assert response.status_code == 200
    for hop, _status in response.redirect_chain:
        assert urlsplit(hop).path in (MFA_SETUP_URL, reverse("account_reauthenticate")), hop


def test_staff_member_without_mfa_can_sign_out(client, make_person):
    sign_in(client, make_person("hr", mfa=False))
    logout_url = reverse("account_logout")

    page = client.get(logout_url)
    assert page.status_code == 200
    assert "Are you sure you want to sign out?" in main_text(page)

    response = client.post(logout_url)

    assert response.status_code == 302
    assert response.url == "/"
    assert SESSION_KEY not in client.session


# --- The authenticator app stays on for staff ------------------------------------------------


def test_staff_member_cannot_deactivate_their_authenticator_app(client, make_person, password):
    person = make_person("editor")
    sign_in(client, person)
    confirm_password(client, password)

    response = client.post(reverse("mfa_deactivate_totp"))

    assert response.status_code == 200
    assert "Your role needs an authenticator app, so you cannot turn it off." in main_text(response)
    assert Authenticator.objects.filter(user=person, type=Authenticator.Type.TOTP).exists()
    assert client.get("/admin/").status_code == 200


def test_member_can_deactivate_their_authenticator_app(client, make_person, password):
    person = make_person("member", mfa=True)
    sign_in(client, person)
    confirm_password(client, password)

    response = client.post(reverse("mfa_deactivate_totp"))

    assert response.status_code == 302
    assert response.url == reverse("mfa_index")
    assert not Authenticator.objects.filter(user=person).exists()


# --- Signing in with a code ------------------------------------------------------------------


def test_staff_member_signs_in_with_password_then_a_code_from_their_app(
    client, password, frozen_clock
):
    lead = UserFactory(email="lee.harper@example.org", roles=[Role.ENGAGEMENT_LEAD], mfa=SECRET)

    response = client.post(reverse("account_login"), {"login": lead.email, "password": password})
    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    assert SESSION_KEY not in client.session
    page = client.get(response.url)
    assert page.status_code == 200
    assert "enter the 6-digit code it shows" in main_text(page)

    right_code = current_code(SECRET)
    wrong_code = format_hotp_value((int(right_code) + 1) % 1_000_000)
    response = client.post(reverse("mfa_authenticate"), {"code": wrong_code})
    assert response.status_code == 200
    assert "Incorrect code." in main_text(response)
    assert SESSION_KEY not in client.session
    assert client.get("/admin/").status_code == 302

    response = client.post(reverse("mfa_authenticate"), {"code": right_code})

    assert response.status_code == 302
    assert response.url == MY_SPACE_URL
    assert client.session[SESSION_KEY] == str(lead.pk)
    assert client.get("/admin/").status_code == 200


# --- Secrets are stored encrypted -------------------------------------------------------------


def test_the_authenticator_secret_and_recovery_seed_are_not_stored_in_plain(
    client, password, frozen_clock
):
    lead = UserFactory(email="lee.harper@example.org", roles=[Role.ENGAGEMENT_LEAD], mfa=SECRET)
    RecoveryCodes.activate(lead)
    for authenticator in Authenticator.objects.filter(user=lead):
        stored = json.dumps(authenticator.data)
        assert SECRET not in stored
        assert "enc1:" in stored
    seed = Authenticator.objects.get(user=lead, type=Authenticator.Type.RECOVERY_CODES)
    assert decrypt(seed.data["seed"]) != seed.data["seed"]

    # Signing in with a code from the app still works.
    client.post(reverse("account_login"), {"login": lead.email, "password": password})
    response = client.post(reverse("mfa_authenticate"), {"code": current_code(SECRET)})
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(lead.pk)


def test_a_secret_stored_before_encryption_still_signs_in(client, password, frozen_clock):
    lead = UserFactory(email="lee.harper@example.org", roles=[Role.ENGAGEMENT_LEAD])
    Authenticator.objects.create(user=lead, type=Authenticator.Type.TOTP, data={"secret": SECRET})
    client.post(reverse("account_login"), {"login": lead.email, "password": password})
    response = client.post(reverse("mfa_authenticate"), {"code": current_code(SECRET)})
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(lead.pk)


def test_a_secret_is_unreadable_with_another_key(settings):
    stored = encrypt(SECRET)
    settings.FIELD_ENCRYPTION_KEY = "another-key-entirely-" + "x" * 20
    with pytest.raises(ValueError, match="FIELD_ENCRYPTION_KEY"):
        decrypt(stored)
