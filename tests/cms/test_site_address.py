"""One setting, SITE_URL, gives the site's address to emails, the Wagtail Site, the sitemap,
the Open Referral feed and schema.org data; migrate keeps the Site in step with it."""

import json

import pytest
from django.core import mail
from django.core.management import call_command
from wagtail.models import Site

from cms import site_address
from tests.factories import ContentPageFactory, OfferPageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def public_address(settings):
    settings.SITE_URL = settings.WAGTAILADMIN_BASE_URL = "https://lep.example.org"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "lep.example.org"]
    assert site_address.site_sync() is True
    return "https://lep.example.org"


def test_migrate_gives_the_default_site_the_address_of_site_url(settings):
    settings.SITE_URL = "https://lep.example.org"
    call_command("migrate", verbosity=0)
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port, site.root_url) == (
        "lep.example.org",
        443,
        "https://lep.example.org",
    )
    # Run again, nothing changes.
    assert site_address.site_sync() is False


def test_a_site_on_a_port_keeps_it(settings):
    settings.SITE_URL = "http://127.0.0.1:8000/"
    site_address.site_sync()
    assert Site.objects.get(is_default_site=True).root_url == "http://127.0.0.1:8000"
    assert site_address.absolute_url("/my-space/") == "http://127.0.0.1:8000/my-space/"


def test_the_sitemap_uses_the_public_address(client, public_address):
    ContentPageFactory(title="About", slug="about")
    body = client.get("/sitemap.xml", HTTP_HOST="lep.example.org").content.decode()
    assert "<loc>https://lep.example.org/about/</loc>" in body
    assert "localhost" not in body and "testserver" not in body


def test_the_open_referral_feed_and_schema_org_use_the_public_address(client, public_address):
    offer = OfferPageFactory(title="Crisis Cafe", slug="crisis-cafe")
    feed = client.get(f"/api/oruk/services/{_service_id(offer)}", HTTP_HOST="lep.example.org")
    assert feed.status_code == 200
    assert feed.json()["url"].startswith("https://lep.example.org/")
    page = client.get(offer.url, HTTP_HOST="lep.example.org").content.decode()
    data = page.split('<script type="application/ld+json"', 1)[1].split(">", 1)[1]
    data = json.loads(data.split("</script>", 1)[0])
    assert json.dumps(data).count("https://lep.example.org/") >= 1
    assert "localhost" not in json.dumps(data)


def test_links_in_emails_use_the_public_address(public_address):
    from django.core.mail import send_mail

    send_mail("Hello", site_address.absolute_url("/my-space/"), None, ["sam@example.org"])
    assert mail.outbox[0].body == "https://lep.example.org/my-space/"


def _service_id(offer):
    from cms.oruk.ids import service_id

    return service_id(offer)
