"""The demo partnership loads on a fresh site, twice without change, and never in production."""

import contextlib
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from cms.demo import DEMO_PEOPLE, ORGANISATIONS
from cms.models import ContentPage, DataRequest, Organisation, User
from cms.roles import Role
from tests.conftest import kept_for_the_class

pytestmark = pytest.mark.django_db


def _counts():
    from allauth.mfa.models import Authenticator
    from wagtailnhsukfrontend.settings.models import FooterLinks, NavigationLink

    return {
        "organisations": Organisation.objects.count(),
        "users": User.objects.count(),
        "pages": ContentPage.objects.count(),
        "authenticators": Authenticator.objects.count(),
        "navigation": NavigationLink.objects.count(),
        "footer": FooterLinks.objects.count(),
    }


def test_the_demo_refuses_to_load_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only loads when DEBUG is on"):
        call_command("load_demo")
    assert not User.objects.exists()


@pytest.fixture(scope="class")
def loaded_demo(django_db_setup, django_db_blocker):
    """One load of the demo on a fresh site for the tests of the class; gives what it
    printed."""
    printed = io.StringIO()
    with kept_for_the_class(django_db_blocker):
        with override_settings(DEBUG=True), contextlib.redirect_stdout(printed):
            call_command("load_demo", stdout=printed)
        yield printed.getvalue()


@pytest.mark.usefixtures("loaded_demo")
class TestTheLoadedDemo:
    def test_loading_the_demo_twice_changes_nothing_the_second_time(self, settings):
        first = _counts()
        settings.DEBUG = True
        call_command("load_demo")
        assert _counts() == first
        assert first["organisations"] == len(ORGANISATIONS)
        assert User.objects.filter(email__in=[p.email for p in DEMO_PEOPLE]).count() == len(
            DEMO_PEOPLE
        )
        assert first["navigation"] == 3 and first["footer"] == 5

    def test_the_demo_has_organisations_of_every_kind(self, settings):
        settings.DEBUG = True
        kinds = {kind for kind in Organisation.objects.values_list("kind", flat=True)}
        assert {
            Organisation.Kind.NHS_TRUST,
            Organisation.Kind.LOCAL_AUTHORITY,
            Organisation.Kind.VCSE,
        } <= kinds
        assert Organisation.objects.filter(kind=Organisation.Kind.NHS_TRUST).count() >= 2
        assert Organisation.objects.filter(kind=Organisation.Kind.LOCAL_AUTHORITY).count() >= 2

    def test_there_is_one_demo_person_per_role_who_can_sign_in(self, settings, client, password):
        settings.DEBUG = True
        from cms import permissions

        held = set()
        for person in DEMO_PEOPLE:
            user = User.objects.get(email=person.email)
            held |= permissions.roles_of(user)
            assert user.check_password(password)
            assert user.emailaddress_set.filter(verified=True).exists()
        assert held == set(Role)
        response = client.post(
            "/accounts/login/", {"login": "member@example.org", "password": password}, follow=True
        )
        assert response.redirect_chain[-1][0] == "/my-space/"

    def test_the_demo_prints_the_log_ins(self, loaded_demo):
        out = loaded_demo
        assert "member@example.org" in out and "admin@example.org" in out
        assert "password for all" in out

    def test_demo_pages_are_published_and_shown(self, settings, client):
        settings.DEBUG = True
        for slug in ["about", "get-involved", "accessibility", "privacy", "contact", "cookies"]:
            assert client.get(f"/{slug}/").status_code == 200
        home = client.get("/").content.decode()
        assert "Get involved" in home

    def test_the_demo_directory_has_40_believable_offers_across_needs_and_providers(
        self, settings, client
    ):
        from cms.models import Need, OfferPage, Organisation

        settings.DEBUG = True
        offers = OfferPage.objects.live()
        assert offers.count() >= 40
        used_needs = set(offers.values_list("needs__slug", flat=True))
        assert set(Need.objects.values_list("slug", flat=True)) <= used_needs
        assert offers.values("provider").distinct().count() == Organisation.objects.count()
        assert offers.filter(bsl=True).exists()  # the deaf peer group
        assert offers.filter(opening_times__isnull=False).distinct().count() >= 40
        response = client.get("/find-support/?need=money-and-debt")
        assert "Debt advice clinic" in response.content.decode()
        home = client.get("/").content.decode()
        assert 'href="/find-support/"' in home


def test_the_demo_register_of_data_requests_has_one_answered_and_one_within_its_month(settings):
    settings.DEBUG = True
    call_command("demo_cms")
    answered, waiting = (
        DataRequest.objects.get(status=DataRequest.Status.DONE),
        DataRequest.objects.get(status=DataRequest.Status.OPEN),
    )
    assert answered.received_on < answered.completed_at.date() <= answered.due_on
    assert waiting.due_on > timezone.localdate()
