"""The privacy notice, accessibility statement, contact and cookies pages: seeded with real
words by first_run and the demo, editable by editors, and the privacy notice's list of what
we hold read from the register of personal data, so it cannot drift."""

from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from wagtail.models import Site
from wagtailnhsukfrontend.settings.models import FooterSettings

from cms import data_registry
from cms.cookies import site_cookies
from cms.data_registry import Basis, Condition, DataClass, Fate, PersonalData, Retention
from cms.first_run import FOOTER_SLUGS, PUBLIC_PAGES, site_first_run
from cms.models import ContentPage, HomePage, Organisation
from cms.privacy_notice import how_long_in_words
from tests.conftest import sign_in
from tests.queries import queries_for

pytestmark = pytest.mark.django_db

ORGANISATION = "Northdale Health NHS Trust"
CONTACT_EMAIL = "involvement@northdale.example.org"
DPO_EMAIL = "dpo@northdale.example.org"
PHONE = "01632 960 001"
ADDRESS = "Involvement Team, 1 Riverside Way, Northdale, ND1 1AA"

PRIVACY_HEADINGS = [
    "Who we are",
    "Our data protection officer",
    "What we hold, why, and for how long",
    "The law that lets us use your information",
    "Who we share it with",
    "Your rights",
    "Decisions made by computer",
    "Sending information outside the UK",
    "How to complain",
    "Changes to this notice",
]
ACCESSIBILITY_HEADINGS = [
    "How accessible this website is",
    "What to do if you cannot use parts of this website",
    "Reporting accessibility problems with this website",
    "Enforcement procedure",
    "Technical information about this website's accessibility",
    "Compliance status",
    "Non-accessible content",
    "What we are doing to improve accessibility",
    "Preparation of this accessibility statement",
]
CONTACT_HEADINGS = [
    "Important: If you need help now",
    "Contact the partnership",
    "Questions about your information",
    "Problems using this website",
]
COOKIES_HEADINGS = [
    "Cookies we use",
    "No cookies that measure you or advertise",
    "How to manage cookies",
]


@pytest.fixture
def seeded(db):
    """A real deployment's first run, with every contact detail given."""
    return site_first_run(
        organisation_name=ORGANISATION,
        organisation_kind=Organisation.Kind.NHS_TRUST,
        admin_email="ada@northdale.example.org",
        admin_first_name="Ada",
        admin_last_name="Okafor",
        contact_email=CONTACT_EMAIL,
        contact_phone=PHONE,
        postal_address=ADDRESS,
        dpo_email=DPO_EMAIL,
    )


def main_of(response) -> BeautifulSoup:
    assert response.status_code == 200
    main = BeautifulSoup(response.content, "html.parser").find("main")
    assert main is not None
    return main


def headings(main, level="h2") -> list[str]:
    return [" ".join(h.get_text(" ").split()) for h in main.find_all(level)]


def text_of(main) -> str:
    return " ".join(main.get_text(" ").split())


# --- Each page has every section it must have ------------------------------------------------


@pytest.mark.parametrize(
    ("path", "title", "expected"),
    [
        ("/privacy/", "Privacy notice", PRIVACY_HEADINGS),
        ("/accessibility/", "Accessibility statement", ACCESSIBILITY_HEADINGS),
        ("/contact/", "Contact us", CONTACT_HEADINGS),
        ("/cookies/", "Cookies", COOKIES_HEADINGS),
    ],
)
def test_each_public_page_has_every_required_section(client, seeded, path, title, expected):
    main = main_of(client.get(path))
    assert headings(main, "h1") == [title]
    assert headings(main) == expected


def test_the_privacy_notice_names_the_controller_the_dpo_and_how_to_complain(client, seeded):
    main = main_of(client.get("/privacy/"))
    text = text_of(main)
    assert f"{ORGANISATION} runs this website" in text
    assert "controller" in text
    assert DPO_EMAIL in text and CONTACT_EMAIL in text and PHONE in text and ADDRESS in text
    assert "0303 123 1113" in text
    links = {a["href"] for a in main.find_all("a")}
    assert {
        "https://ico.org.uk/make-a-complaint/",
        "/my-space/your-data/",
        "/my-space/close-account/",
        "/my-space/who-looked/",
        f"mailto:{DPO_EMAIL}",
    } <= links
    for right in [
        "right of access",
        "rectification",
        "erasure",
        "restriction",
        "objection",
        "portability",
        "Withdraw your consent",
    ]:
        assert right in text
    assert "We do not make decisions about you by computer alone" in text
    assert "We do not send your information to other countries" in text
    assert "We last updated this notice on" in text


def test_the_privacy_notice_lists_every_registered_kind_of_data_with_its_basis_and_time(
    client, seeded
):
    main = main_of(client.get("/privacy/"))
    text = text_of(main)
    groups = list(data_registry.by_class())
    assert groups, "the register is empty"
    shown = [" ".join(s.get_text(" ").split()) for s in main.select("summary")]
    assert shown == [str(data_class.label) for data_class, _ in groups]
    for _data_class, group in groups:
        for entry in group:
            assert entry.label in text, entry.key
            assert Basis(entry.basis).label in text, entry.key
            assert " ".join(how_long_in_words(entry).split()) in text, entry.key
            if entry.condition:
                assert Condition(entry.condition).label in text, entry.key


def test_a_kind_of_data_registered_later_appears_without_anyone_editing_the_page(
    client, seeded, monkeypatch
):
    made_up = PersonalData(
        model=Organisation,
        owner="",
        data_class=DataClass.WELLBEING,
        label="Made-up mood diary for this test",
        purpose="to see whether the privacy notice keeps up",
        basis=Basis.CONSENT,
        condition=Condition.EXPLICIT_CONSENT,
        shared_with="nobody outside the test",
        retention=Retention(
            counted_from="created_at", years=2, reason="two years is plenty for a diary"
        ),
        on_close=Fate.DELETE,
    )
    monkeypatch.setattr(data_registry, "_entries", [*data_registry._entries, made_up])
    main = main_of(client.get("/privacy/"))
    text = text_of(main)
    assert "Wellbeing" in [s.get_text(" ", strip=True) for s in main.select("summary")]
    assert "Made-up mood diary for this test" in text
    assert "To see whether the privacy notice keeps up." in text
    assert "Your consent (Article 6(1)(a))" in text
    assert "Your explicit consent (Article 9(2)(a))" in text
    assert "2 years. Two years is plenty for a diary." in text
    assert "Nobody outside the test." in text
    assert "This is sensitive information (special category data)" in text


def test_the_privacy_notice_costs_the_same_queries_whatever_the_register_holds(
    client, seeded, monkeypatch
):
    base = list(data_registry._entries)
    entries = [
        PersonalData(
            model=Organisation,
            owner="",
            data_class=DataClass.FEEDBACK,
            label=f"Made-up record {n}",
            purpose="to count queries",
            basis=Basis.CONSENT,
            retention=Retention(reason="only for the test"),
            on_close=Fate.DELETE,
        )
        for n in range(30)
    ]
    monkeypatch.setattr(data_registry, "_entries", [*base, *entries[:3]])
    few = queries_for(client, "/privacy/")
    monkeypatch.setattr(data_registry, "_entries", [*base, *entries])
    many = queries_for(Client(), "/privacy/")
    assert many <= few


def test_the_accessibility_statement_is_honest_about_what_is_not_yet_accessible(client, seeded):
    main = main_of(client.get("/accessibility/"))
    text = text_of(main)
    assert f"This website is run by {ORGANISATION}" in text
    assert "partially compliant with the Web Content Accessibility Guidelines (WCAG)" in text
    assert "version 2.2 AA standard" in text
    assert "attaching a file" in text and "axe" in text
    assert "PDF" in text and "maps" in text.lower()
    assert "Equality and Human Rights Commission (EHRC)" in text
    assert "Equality Advisory and Support Service (EASS)" in text
    assert "Equality Commission for Northern Ireland (ECNI)" in text
    assert "within 5 working days" in text
    assert "This statement was prepared on" in text and "last reviewed on" in text
    assert CONTACT_EMAIL in text and PHONE in text


def test_the_contact_page_gives_every_way_to_reach_us_and_urgent_help(client, seeded):
    main = main_of(client.get("/contact/"))
    text = text_of(main)
    assert CONTACT_EMAIL in text and PHONE in text and ADDRESS in text and DPO_EMAIL in text
    links = {a["href"] for a in main.find_all("a")}
    assert {"/help-now/", f"mailto:{CONTACT_EMAIL}", "tel:01632960001", "/privacy/"} <= links
    assert "999" in text
    assert not main.find("form"), "the contact page is not a form that emails staff"


def test_the_cookies_page_lists_each_cookie_and_says_no_banner_is_needed(client, seeded):
    main = main_of(client.get("/cookies/"))
    text = text_of(main)
    rows = main.select("table tbody tr")
    assert len(rows) == len(site_cookies())
    for cookie in site_cookies():
        assert main.find("code", string=cookie.name), cookie.name
        assert cookie.purpose in text and cookie.lasts in text
    assert "We do not use cookies to measure how you use the website" in text
    assert "regulation 6(4)" in text


def test_a_first_run_with_only_an_email_gives_only_the_email(client, db):
    site_first_run(
        organisation_name=ORGANISATION,
        organisation_kind=Organisation.Kind.NHS_TRUST,
        admin_email="ada@northdale.example.org",
        admin_first_name="Ada",
        admin_last_name="Okafor",
        contact_email=CONTACT_EMAIL,
    )
    for path in ("/privacy/", "/contact/", "/accessibility/"):
        main = main_of(client.get(path))
        text = text_of(main)
        assert CONTACT_EMAIL in text, path
        assert "phone:" not in text and "post:" not in text, path
        assert not any(a["href"].startswith("tel:") for a in main.find_all("a")), path


# --- Well-formed pages that load nothing from other sites ------------------------------------


@pytest.mark.parametrize("slug", [slug for slug, *_ in PUBLIC_PAGES])
def test_public_pages_have_no_empty_headings_and_load_nothing_from_other_sites(
    client, seeded, slug
):
    response = client.get(f"/{slug}/")
    page = BeautifulSoup(response.content, "html.parser")
    main = main_of(response)
    for heading in main.find_all(["h1", "h2", "h3", "h4", "summary", "caption"]):
        assert heading.get_text(strip=True), f"empty {heading.name} on /{slug}/"
    levels = [int(h.name[1]) for h in main.find_all(["h1", "h2", "h3", "h4"])]
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), levels
    loaded = [
        tag.get("src") or tag.get("href")
        for tag in page.find_all(["script", "link", "img", "iframe", "source", "audio", "video"])
        if tag.get("src") or tag.get("href")
    ]
    assert loaded
    for address in loaded:
        assert not urlsplit(address).netloc, f"/{slug}/ loads {address}"
    for link in main.find_all("a", href=True):
        assert link.get_text(strip=True), f"a link with no words on /{slug}/"


@pytest.mark.parametrize("role_name", ["anonymous", "member", "supervisor", "editor", "admin"])
def test_everyone_can_read_the_public_pages(client, seeded, make_person, role_name):
    person = make_person(role_name)
    if person is not None:
        sign_in(client, person)
    for slug, title, *_ in PUBLIC_PAGES:
        assert headings(main_of(client.get(f"/{slug}/")), "h1") == [title]


def test_the_footer_links_to_every_public_page(client, seeded):
    """The footer's "Support links" (Settings → Footer) list every public page; above them,
    its list of the site's sections (tests/cms/test_findable.py) comes first."""
    footer = BeautifulSoup(client.get("/").content, "html.parser").find("footer")
    support_links = footer.find(class_="nhsuk-footer__meta")
    hrefs = [a["href"] for a in support_links.find_all("a")]
    assert hrefs == [f"/{slug}/" for slug in FOOTER_SLUGS]


def test_first_run_on_an_older_site_adds_the_missing_pages_and_footer_links(client, seeded):
    """A site set up before the cookies page existed gets it, and its footer link, the
    next time first_run runs; the pages and links already there stay as they were."""
    site = Site.objects.get(is_default_site=True)
    footer = FooterSettings.for_site(site)
    ContentPage.objects.get(slug="cookies").delete()
    footer.footer_links.filter(link_url="/cookies/").delete()
    privacy = ContentPage.objects.get(slug="privacy")
    privacy.intro = "Written by our editors."
    privacy.save_revision().publish()

    site_first_run(
        organisation_name=ORGANISATION,
        organisation_kind=Organisation.Kind.NHS_TRUST,
        admin_email="ada@northdale.example.org",
        admin_first_name="Ada",
        admin_last_name="Okafor",
        contact_email=CONTACT_EMAIL,
    )
    assert client.get("/cookies/").status_code == 200
    assert ContentPage.objects.get(slug="privacy").intro == "Written by our editors."
    assert [link.link_url for link in footer.footer_links.all()] == [
        "/accessibility/",
        "/privacy/",
        "/contact/",
        "/cookies/",
    ]


def test_the_demo_seeds_the_same_public_pages(db):
    from cms import demo

    pages = demo._pages()
    for slug, title, *_ in PUBLIC_PAGES:
        assert pages[slug].title == title
    types = [block.block_type for block in pages["privacy"].body]
    assert "personal_data_register" in types
    assert "cookie_list" in [block.block_type for block in pages["cookies"].body]


# --- Editors can change them ------------------------------------------------------------------


def test_the_public_pages_are_content_pages_under_home_that_editors_can_open(
    client, seeded, make_person
):
    home = HomePage.objects.get()
    sign_in(client, make_person("editor"))
    for slug, *_ in PUBLIC_PAGES:
        page = ContentPage.objects.get(slug=slug)
        assert page.get_parent().specific == home and page.live
        response = client.get(f"/admin/pages/{page.pk}/edit/")
        assert response.status_code == 200, slug
    edit = client.get(f"/admin/pages/{ContentPage.objects.get(slug='privacy').pk}/edit/")
    assert "Personal data we hold (from the register)" in edit.content.decode()


def test_an_editor_places_the_register_in_a_page_and_publishes_it(client, seeded, make_person):
    editor = make_person("editor")
    sign_in(client, editor)
    page = ContentPage.objects.get(slug="privacy")
    blocks = [("heading", "What we hold"), ("personal_data_register", ""), ("cookie_list", "")]
    data = {
        "title": "Privacy notice",
        "slug": "privacy",
        "intro": "Rewritten by an editor.",
        "body-count": str(len(blocks)),
        "action-publish": "action-publish",
    }
    for n, (kind, value) in enumerate(blocks):
        data |= {
            f"body-{n}-type": kind,
            f"body-{n}-value": value,
            f"body-{n}-deleted": "",
            f"body-{n}-order": str(n),
            f"body-{n}-id": "",
        }
    response = client.post(f"/admin/pages/{page.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    main = main_of(Client().get("/privacy/"))
    assert headings(main) == ["What we hold"]
    assert "Rewritten by an editor." in text_of(main)
    summaries = [s.get_text(" ", strip=True) for s in main.select("summary")]
    assert summaries == [str(data_class.label) for data_class, _ in data_registry.by_class()]
    assert main.select("table tbody tr")


def test_a_member_cannot_edit_the_public_pages(client, seeded, make_person):
    sign_in(client, make_person("member"))
    page = ContentPage.objects.get(slug="privacy")
    response = client.get(f"/admin/pages/{page.pk}/edit/")
    assert response.status_code in (302, 403)
    response = client.post(f"/admin/pages/{page.pk}/edit/", {"title": "Hacked", "slug": "x"})
    assert response.status_code in (302, 403)
    assert ContentPage.objects.get(pk=page.pk).title == "Privacy notice"
