"""The public site shell: pages, search, crisis help, robots, sitemap and error pages."""

import pytest
from bs4 import BeautifulSoup
from django.test import override_settings
from django.urls import path

from cms.models import ContentPage
from tests.factories import ContentPageFactory, home_page

pytestmark = pytest.mark.django_db


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def test_home_page_shows_the_partnership_and_how_to_join(client):
    response = client.get("/")
    assert response.status_code == 200
    page = soup(response)
    assert page.h1.get_text(strip=True) == "Lived Experience Platform"
    assert page.find("a", string="Create an account")["href"] == "/accounts/signup/"


def test_every_page_has_a_skip_link_header_crisis_box_and_footer(client):
    ContentPageFactory(title="About us", slug="about-us")
    for url in ["/", "/about-us/", "/search/", "/help-now/", "/accounts/login/"]:
        page = soup(client.get(url))
        skip = page.find("a", class_="nhsuk-skip-link")
        assert skip and skip["href"] == "#maincontent", url
        assert page.find("main", id="maincontent"), url
        assert page.find("header", class_="nhsuk-header"), url
        crisis = page.find("aside", class_="lep-crisis-help")
        assert crisis, url
        text = crisis.get_text(" ", strip=True)
        assert "NHS 111" in text and "option 2" in text and "999" in text and "116 123" in text
        assert page.find("footer", class_="nhsuk-footer"), url
        assert page.html["lang"] == "en-GB"


def test_content_page_shows_its_blocks_and_breadcrumbs(client):
    parent = ContentPageFactory(title="Get involved", slug="get-involved")
    child = ContentPageFactory(
        title="Design panels",
        slug="design-panels",
        parent=parent,
        body=[("heading", "What a panel does"), ("text", "<p>People meet monthly.</p>")],
    )
    response = client.get(child.url)
    page = soup(response)
    assert page.h1.get_text(strip=True) == "Design panels"
    assert page.find("h2", string="What a panel does")
    assert "People meet monthly." in page.get_text()
    crumbs = [a.get_text(strip=True) for a in page.select(".nhsuk-breadcrumb__list a")]
    assert crumbs == ["Home", "Get involved"]


def test_content_page_issues_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    parent = ContentPageFactory(title="Parent", slug="parent")
    page = ContentPageFactory(title="Child", slug="child", parent=parent)
    client.get(page.url)  # warm Wagtail's site cache
    # Routing (a query per level), ancestors for breadcrumbs, view restrictions, header and
    # footer settings: none of it grows with the number of pages.
    with django_assert_max_num_queries(16):
        assert client.get(page.url).status_code == 200


def test_header_navigation_comes_from_site_settings(client):
    from wagtail.models import Site
    from wagtailnhsukfrontend.settings.models import HeaderSettings, NavigationLink

    about = ContentPageFactory(title="About", slug="about")
    header = HeaderSettings.for_site(Site.objects.get(is_default_site=True))
    NavigationLink.objects.create(
        setting=header, label="About the partnership", page=about, sort_order=0
    )
    page = soup(client.get("/"))
    links = [a.get_text(strip=True) for a in page.select(".nhsuk-header__navigation-link")]
    assert "About the partnership" in links and "Help now" in links


def test_header_offers_sign_in_to_visitors_and_my_space_to_members(client, make_person):
    visitor = soup(client.get("/"))
    account = visitor.find("nav", class_="nhsuk-header__account").get_text(" ", strip=True)
    assert "Sign in" in account and "My space" not in account
    client.force_login(make_person("member"))
    member = soup(client.get("/"))
    account = member.find("nav", class_="nhsuk-header__account").get_text(" ", strip=True)
    assert "My space" in account and "Sign out" in account and "Staff admin" not in account


def test_search_finds_live_pages_and_paginates(client):
    for n in range(12):
        ContentPageFactory(title=f"Peer support group {n}", slug=f"peer-support-{n}")
    draft = ContentPage(title="Peer support draft", slug="draft", live=False)
    home_page().add_child(instance=draft)
    first = soup(client.get("/search/?q=peer+support"))
    assert "12 results for ‘peer support’" in first.get_text()
    titles = [h.get_text(strip=True) for h in first.select("main h3")]
    assert len(titles) == 10
    assert "Peer support draft" not in first.get_text()
    second = soup(client.get("/search/?q=peer+support&page=2"))
    assert len(second.select("main h3")) == 2
    assert second.find("a", class_="nhsuk-pagination__link--prev")["href"].startswith(
        "?q=peer+support"
    )


def test_search_with_no_results_or_bad_page_numbers_gives_a_normal_page(client):
    assert "No results for ‘zebra’" in client.get("/search/?q=zebra").content.decode()
    for bad in ["abc", "-1", "999", ""]:
        assert client.get(f"/search/?q=home&page={bad}").status_code == 200
    assert client.get("/search/?q=" + "x" * 5000).status_code == 200


def test_search_escapes_what_was_typed(client):
    response = client.get("/search/?q=<script>alert(1)</script>")
    assert b"<script>alert(1)</script>" not in response.content
    assert b"&lt;script&gt;" in response.content


def test_crisis_help_page_lists_urgent_routes(client):
    text = soup(client.get("/help-now/")).get_text(" ", strip=True)
    for phrase in ["Call 999", "NHS 111", "option 2", "116 123", "Shout", "18001 111"]:
        assert phrase in text


def test_robots_txt_keeps_crawlers_out_of_private_areas(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    for private in ["/admin/", "/accounts/", "/my-space/"]:
        assert f"Disallow: {private}" in body
    assert "Sitemap: http://testserver/sitemap.xml" in body


def test_sitemap_lists_live_pages(client):
    ContentPageFactory(title="About", slug="about")
    body = client.get("/sitemap.xml").content.decode()
    assert "<loc>http://testserver/about/</loc>" in body


def test_unknown_address_gets_the_styled_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = soup(response)
    assert page.h1.get_text(strip=True) == "Page not found"
    assert page.find("aside", class_="lep-crisis-help")


def _boom(request):
    raise RuntimeError("boom")


urlpatterns = [path("boom/", _boom)]


@override_settings(ROOT_URLCONF=__name__)
def test_server_error_page_is_calm_and_gives_crisis_numbers(client):
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    text = soup(response).get_text(" ", strip=True)
    assert "Sorry, there is a problem with the service" in text
    assert "116 123" in text


def test_security_headers_are_sent(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    # Directives in any order: each is whole, and scripts come from this site only.
    directives = {part.strip() for part in csp.split(";")}
    assert "default-src 'self'" in directives
    assert "object-src 'none'" in directives
    assert "frame-ancestors 'self'" in directives
    assert "script-src 'self'" in directives and "nonce-" not in csp
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_every_script_on_a_page_is_a_file_or_data(client):
    """No inline script runs: the policy allows scripts from this site only (no nonce), so
    the same page can be served to every visitor from the page cache."""
    scripts = soup(client.get("/")).find_all("script")
    assert scripts
    for script in scripts:
        assert script.get("src") or script.get("type") == "application/ld+json"
        assert not script.get("nonce")


def test_the_admin_allows_wagtails_inline_widget_scripts_and_nothing_else_loosens(client_as):
    """Wagtail's date and time pickers start with inline scripts that carry no nonce."""
    client = client_as("editor")
    admin = client.get("/admin/")["Content-Security-Policy"]
    assert "script-src 'self' 'unsafe-inline'" in admin and "nonce-" not in admin
    assert "object-src 'none'" in admin and "frame-ancestors 'self'" in admin
    public = client.get("/")["Content-Security-Policy"]
    assert "unsafe-inline'" not in public.split("script-src")[1].split(";")[0]
    assert "'nonce-" not in public


def test_static_files_are_served_by_whitenoise(client):
    response = client.get("/static/cms/css/site.css")
    assert response.status_code == 200
    assert b"lep-crisis-help" in b"".join(response.streaming_content)


def test_no_template_syntax_leaks_onto_pages(client, make_person):
    pages = ["/", "/search/?q=x", "/help-now/", "/accounts/login/", "/accounts/signup/"]
    for url in pages:
        body = client.get(url).content.decode()
        for marker in ("{#", "#}", "{%", "%}", "{{", "}}"):
            assert marker not in body, f"{marker} shown on {url}"
    from tests.conftest import sign_in

    sign_in(client, make_person("engagement_lead", mfa=False))
    for url in ["/my-space/", "/accounts/2fa/", "/accounts/password/change/"]:
        body = client.get(url, follow=True).content.decode()
        for marker in ("{#", "#}", "{%", "%}"):
            assert marker not in body, f"{marker} shown on {url}"


def test_header_and_footer_are_cached_and_refreshed_when_editors_change_them(
    client, django_assert_max_num_queries
):
    from wagtail.models import Site
    from wagtailnhsukfrontend.settings.models import FooterLinks, FooterSettings, HeaderSettings

    site = Site.objects.get(is_default_site=True)
    about = ContentPageFactory(title="About", slug="about")
    header = HeaderSettings.for_site(site)
    from wagtailnhsukfrontend.settings.models import NavigationLink

    NavigationLink.objects.create(setting=header, label="About us", page=about, sort_order=0)
    FooterLinks.objects.create(
        setting=FooterSettings.for_site(site), link_label="Privacy", link_url="/privacy/"
    )
    first = client.get("/").content.decode()
    assert "About us" in first and "Privacy" in first

    about.title = "About the partnership"
    about.slug = "about-the-partnership"
    about.save_revision().publish()
    page = soup(client.get("/"))
    nav = {
        a.get_text(strip=True): a["href"] for a in page.select("a.nhsuk-header__navigation-link")
    }
    assert nav["About us"] == "/about-the-partnership/"

    NavigationLink.objects.filter(label="About us").update(label="x")  # bypasses signals
    NavigationLink.objects.get(label="x").delete()
    assert "About us" not in client.get("/").content.decode()


def test_the_shell_costs_no_queries_once_cached(client, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get("/help-now/")
    with CaptureQueriesContext(connection) as queries:
        client.get("/help-now/")
    tables = " ".join(q["sql"] for q in queries)
    assert "wagtailnhsukfrontendsettings" not in tables


def test_server_error_page_renders_without_touching_the_database(client, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cms import views

    request = client.get("/help-now/").wsgi_request
    with CaptureQueriesContext(connection) as queries:
        response = views.server_error(request)
    assert response.status_code == 500
    assert b"Sorry, there is a problem with the service" in response.content
    assert len(queries) == 0
