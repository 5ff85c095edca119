"""`manage.py first_run`: from a migrated, empty database to a site ready for real content,
with no demo data."""

import re

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from wagtail.models import Site
from wagtailnhsukfrontend.settings.models import FooterSettings, HeaderSettings

from cms.models import OfferPage, Organisation, User

pytestmark = pytest.mark.django_db

ARGS = [
    "--organisation",
    "Northdale Health NHS Trust",
    "--admin-email",
    "Ada.Admin@Northdale.example.org",
    "--admin-first-name",
    "Ada",
    "--admin-last-name",
    "Okafor",
    "--contact-email",
    "involvement@northdale.example.org",
]


def test_first_run_builds_the_page_tree_menus_and_the_first_administrator(client, capsys):
    call_command("first_run", *ARGS)
    out = capsys.readouterr().out
    assert "Invitation emailed to ada.admin@northdale.example.org" in out
    for path, heading in [
        ("/", None),
        ("/find-support/", "Find support"),
        ("/you-said-we-did/", "You said, we did"),
        ("/privacy/", "Privacy notice"),
        ("/accessibility/", "Accessibility statement"),
        ("/contact/", "Contact us"),
        ("/cookies/", "Cookies"),
    ]:
        page = client.get(path)
        assert page.status_code == 200, path
        if heading:
            assert "<h1" in page.content.decode() and heading in page.content.decode()
    privacy = client.get("/privacy/").content.decode()
    assert "Northdale Health NHS Trust runs this website" in privacy
    assert "involvement@northdale.example.org" in privacy
    assert "Information Commissioner" in privacy
    assert "Equality Advisory and Support Service" in client.get("/accessibility/").content.decode()

    site = Site.objects.get(is_default_site=True)
    assert [link.label for link in HeaderSettings.for_site(site).navigation_links.all()] == [
        "Find support",
        "You said, we did",
    ]
    assert [link.link_url for link in FooterSettings.for_site(site).footer_links.all()] == [
        "/accessibility/",
        "/privacy/",
        "/cookies/",
        "/contact/",
    ]
    home = client.get("/").content.decode()
    assert 'href="/contact/"' in home and 'href="/find-support/"' in home

    admin = User.objects.get()
    assert (admin.email, admin.is_superuser, admin.has_usable_password()) == (
        "ada.admin@northdale.example.org",
        True,
        False,
    )
    assert admin.organisation == Organisation.objects.get()
    assert not OfferPage.objects.exists(), "no demo data"

    [invitation] = mail.outbox
    assert invitation.to == ["ada.admin@northdale.example.org"]
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+)", invitation.body)
    assert link, invitation.body
    assert client.get(link.group(1), follow=True).status_code == 200


def test_running_it_again_adds_nothing_and_sends_a_fresh_invitation(client):
    call_command("first_run", *ARGS)
    pages = sorted(Site.objects.get().root_page.get_children().values_list("slug", flat=True))
    call_command("first_run", *ARGS)
    assert (
        sorted(Site.objects.get().root_page.get_children().values_list("slug", flat=True)) == pages
    )
    assert User.objects.count() == 1 and Organisation.objects.count() == 1
    assert len(mail.outbox) == 2


def test_an_address_that_belongs_to_someone_who_is_not_an_administrator_is_refused(
    make_person,
):
    member = make_person("member")
    args = list(ARGS)
    args[args.index("--admin-email") + 1] = member.email
    with pytest.raises(CommandError, match="not an administrator"):
        call_command("first_run", *args)
    member.refresh_from_db()
    assert not member.is_superuser


def test_missing_arguments_are_refused():
    with pytest.raises(CommandError):
        call_command("first_run", "--organisation", "Only a name")


def test_first_run_puts_the_phone_address_and_data_protection_officer_on_the_pages(client):
    call_command(
        "first_run",
        *ARGS,
        "--contact-phone",
        "0113 496 0000",
        "--postal-address",
        "Northdale House, 1 Park Row, Northdale NL1 4AB",
        "--dpo-email",
        "dpo@northdale.example.org",
    )
    contact = client.get("/contact/").content.decode()
    assert "0113 496 0000" in contact
    assert "Northdale House, 1 Park Row" in contact
    assert "dpo@northdale.example.org" in client.get("/privacy/").content.decode()
