"""The site shell's part of the demo partnership: organisations, one person per role, pages.

Idempotent: every object is found by a natural key before it is created, so running the
demo again changes nothing.
"""

from dataclasses import dataclass
from datetime import time, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from wagtail.models import Site
from wagtailnhsukfrontend.settings.models import HeaderSettings, NavigationLink

from .demo_offers import OFFERS, closure_days, place_fields
from .factories import OrganisationFactory, UserFactory, add_page, home_page, offers_index
from .first_run import FOOTER_SLUGS, PUBLIC_PAGES, PublicContact, add_footer_links, public_page
from .models import (
    Area,
    Closure,
    ContentPage,
    DataRequest,
    Location,
    Need,
    OfferPage,
    OffersIndexPage,
    OpeningTime,
    Organisation,
    User,
)
from .roles import Role

# A published demo secret so staff can sign in with any authenticator app (or
# `oathtool --totp -b SECRET`). Demo only: load_demo refuses to run with DEBUG off.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105

ORGANISATIONS = [
    ("Northdale Health and Care NHS Foundation Trust", Organisation.Kind.NHS_TRUST, "Northdale"),
    ("Southmoor Community Mental Health NHS Trust", Organisation.Kind.NHS_TRUST, "Southmoor"),
    ("Northdale Council", Organisation.Kind.LOCAL_AUTHORITY, "Northdale"),
    ("Southmoor Metropolitan Borough Council", Organisation.Kind.LOCAL_AUTHORITY, "Southmoor"),
    ("Mind in Northdale", Organisation.Kind.VCSE, "Northdale"),
    ("Open Door Crisis Café", Organisation.Kind.VCSE, "Southmoor"),
    ("Deaf Peer Connect", Organisation.Kind.VCSE, "Northdale and Southmoor"),
    ("Citizens Advice Southmoor", Organisation.Kind.VCSE, "Southmoor"),
]


@dataclass(frozen=True)
class DemoPerson:
    email: str
    first_name: str
    last_name: str
    roles: tuple[Role, ...]
    organisation: str | None = None


DEMO_PEOPLE = [
    DemoPerson("member@example.org", "Sam", "Ahmed", (Role.MEMBER,)),
    DemoPerson("peer@example.org", "Jo", "Clarke", (Role.PEER_WORKER,), ORGANISATIONS[4][0]),
    DemoPerson("supervisor@example.org", "Priya", "Patel", (Role.SUPERVISOR,), ORGANISATIONS[4][0]),
    DemoPerson("lead@example.org", "Chris", "Evans", (Role.ENGAGEMENT_LEAD,), ORGANISATIONS[0][0]),
    DemoPerson("hr@example.org", "Morgan", "Hughes", (Role.HR,), ORGANISATIONS[0][0]),
    DemoPerson("finance@example.org", "Alex", "Wood", (Role.FINANCE,), ORGANISATIONS[0][0]),
    DemoPerson("editor@example.org", "Robin", "Shaw", (Role.EDITOR,), ORGANISATIONS[2][0]),
    DemoPerson("admin@example.org", "Kim", "Taylor", (Role.ADMIN,)),
]

# Who runs the demo site: the public pages' words come from cms.first_run, as on a real site.
DEMO_CONTACT = PublicContact(
    organisation=ORGANISATIONS[0][0],
    email="involvement@northdale-partnership.example.org",
    phone="01632 960 123",
    address=(
        "Involvement Team, Northdale Health and Care NHS Foundation Trust, 1 Riverside Way, "
        "Northdale, ND1 1AA"
    ),
    dpo_email="dpo@northdale-partnership.example.org",
    partners=tuple(name for name, _kind, _area in ORGANISATIONS),
)


def demo_pages() -> list:
    """The demo's own content pages (title, slug, intro, body). Each links to the parts of
    the site its words promise; the addresses are asked of the URLs, not written out."""
    panels, roles = reverse("coproduce:panel_list"), reverse("peers:vacancy_list")
    charter, outcomes = reverse("charter:index"), reverse("outcomes:index")
    changes, directory = "/you-said-we-did/", "/find-support/"
    return [
        (
            "About the partnership",
            "about",
            "Who we are: NHS trusts, councils and voluntary organisations working with people "
            "who have lived experience of mental ill health.",
            [
                ("heading", "No wrong door"),
                (
                    "text",
                    "<p>Whichever door you knock on – your GP, the council, a crisis café or a "
                    "peer support group – you should get help, not be sent away. You can "
                    f'<a href="{directory}">find support near you</a> from any of us.</p>',
                ),
                ("heading", "Built with people who use services"),
                (
                    "text",
                    "<p>Experts by experience sit on our "
                    f'<a href="{panels}">design panels</a> and are paid for their time. You '
                    f'can read <a href="{changes}">what changed because people spoke</a>.</p>',
                ),
                ("heading", "Our promises, in public"),
                (
                    "text",
                    "<p>Each of us has signed a Lived Experience Charter. You can see "
                    f'<a href="{charter}">how well each organisation is keeping its charter</a>'
                    f' and <a href="{outcomes}">what our work has changed for people</a>.</p>',
                ),
            ],
        ),
        (
            "How we involve people",
            "get-involved",
            "How you can help shape local mental health support, and how we pay you for your time.",
            [
                ("heading", "What involvement means"),
                (
                    "text",
                    f'<p>You can <a href="{panels}">join a design panel</a>, give feedback on '
                    f'a service, or <a href="{roles}">become a peer support worker</a>. You '
                    "choose how much you do.</p>",
                ),
                (
                    "text",
                    "<p>To give feedback, find the service in our "
                    f'<a href="{directory}">support directory</a> and use the form on its '
                    f'page. We tell you <a href="{changes}">what changed because of it</a>.'
                    "</p>",
                ),
                ("heading", "Access and support"),
                (
                    "text",
                    "<p>Tell us what you need: a BSL interpreter, easy read papers, a quiet "
                    "space or help with travel. We arrange it before every meeting.</p>",
                ),
            ],
        ),
    ]


def _organisations() -> dict[str, Organisation]:
    return {
        name: OrganisationFactory(name=name, kind=kind, area=area)
        for name, kind, area in ORGANISATIONS
    }


def _people(organisations: dict[str, Organisation]) -> list[User]:
    people = []
    for person in DEMO_PEOPLE:
        if User.objects.filter(email=person.email).exists():
            people.append(User.objects.get(email=person.email))
            continue
        staff = any(role not in (Role.MEMBER, Role.PEER_WORKER) for role in person.roles)
        people.append(
            UserFactory(
                email=person.email,
                first_name=person.first_name,
                last_name=person.last_name,
                organisation=organisations.get(person.organisation),
                roles=list(person.roles),
                mfa=DEMO_TOTP_SECRET if staff else None,
            )
        )
    return people


def _pages() -> dict[str, ContentPage]:
    home = home_page()
    if not home.body:
        home.intro = (
            "Shaping mental health support together with the people who use it. Join a "
            "design panel, find support, and see what changed because people spoke."
        )
        home.body = [
            ("heading", "Get involved"),
            (
                "text",
                "<p>Experts by experience and carers help design local services. You will be "
                "paid for your time, and we will meet your access needs.</p>",
            ),
            (
                "inset_text",
                {
                    "body": "<p>You do not need any experience of meetings or computers to "
                    "take part. We will help you every step of the way.</p>"
                },
            ),
        ]
        home.save_revision().publish()
    pages = {}
    for title, slug, intro, body in demo_pages():
        page = ContentPage.objects.filter(slug=slug).first()
        if page is None:
            page = add_page(home, ContentPage(title=title, slug=slug, intro=intro, body=body))
        pages[slug] = page
    for slug, _title, _intro, _body in PUBLIC_PAGES:
        page = ContentPage.objects.filter(slug=slug).first()
        if page is None:
            page = add_page(home, public_page(slug, DEMO_CONTACT))
        pages[slug] = page
    return pages


def _site_settings(pages: dict[str, ContentPage]) -> None:
    site = Site.objects.get(is_default_site=True)
    header = HeaderSettings.for_site(site)
    header.service_name = "Lived Experience Platform"
    header.save()
    if not header.navigation_links.exists():
        directory = OffersIndexPage.objects.first()
        links = [("Find support", directory)] + [
            (pages[slug].title, pages[slug]) for slug in ["about", "get-involved"]
        ]
        for order, (label, page) in enumerate(links):
            NavigationLink.objects.create(setting=header, label=label, page=page, sort_order=order)
    add_footer_links(site, [*FOOTER_SLUGS, "about"])


def _offers(organisations: dict[str, Organisation]) -> list[OfferPage]:
    index = offers_index()
    providers = list(organisations.values())
    needs = {need.slug: need for need in Need.objects.all()}
    areas = {name: Area.objects.get_or_create(name=name)[0] for name in ("Northdale", "Southmoor")}
    # Found by slug, which stays the same when a title's capitals are corrected.
    existing = {page.slug: page for page in OfferPage.objects.all()}
    today = timezone.localdate()
    offers = []
    for position, (title, provider, need_slugs, area_names, summary, extras) in enumerate(OFFERS):
        if slugify(title)[:80] in existing:
            offers.append(existing[slugify(title)[:80]])
            continue
        extras = dict(extras)
        times = extras.pop("times", [])
        place_keys = extras.pop("places", [])
        own_times = extras.pop("own_times", {})
        closures = extras.pop("closures", [])
        phone = extras.pop("phone", extras.get("self_referral_phone", ""))
        self_referral = any(
            extras.get(key)
            for key in ("self_referral_drop_in", "self_referral_phone", "self_referral_url")
        )
        page = OfferPage(
            title=title,
            slug=slugify(title)[:80],
            provider=providers[provider],
            summary=summary,
            easy_read_summary=summary.split(".")[0] + ".",
            self_referral=self_referral,
            phone=phone,
            email=f"hello@{slugify(providers[provider].name)[:30].strip('-')}.example.org",
            # A few offers have not been checked for over a year, to show the warning.
            last_reviewed=today - timedelta(days=400 if position % 9 == 4 else 30 + position * 5),
            **extras,
        )
        page.needs = [needs[slug] for slug in need_slugs if slug in needs]
        page.areas = [areas[name] for name in area_names]
        page.opening_times = [
            OpeningTime(
                weekday=day, opens=time.fromisoformat(opens), closes=time.fromisoformat(closes)
            )
            for day, opens, closes in times
        ]
        page.locations = [Location(**place_fields(key)) for key in place_keys]
        page.closures = [
            Closure(first_day=first, last_day=last, reason=reason)
            for first, last, reason in (closure_days(spec, today) for spec in closures)
        ]
        add_page(index, page)
        if own_times:
            # A place's own times name the place, so they follow its first save.
            places = {place.name: place for place in page.locations.all()}
            for key, spans in own_times.items():
                for day, opens, closes in spans:
                    page.opening_times.add(
                        OpeningTime(
                            weekday=day,
                            opens=time.fromisoformat(opens),
                            closes=time.fromisoformat(closes),
                            location=places[place_fields(key)["name"]],
                        )
                    )
            page.save_revision().publish()
        offers.append(page)
    return offers


@transaction.atomic
def _data_requests(people: list[User]) -> None:
    """Two requests in the register admins keep: one answered, one still within its month."""
    by_email = {person.email: person for person in people}
    admin, sam, jo = (
        by_email[e] for e in ("admin@example.org", "member@example.org", "peer@example.org")
    )
    today = timezone.localdate()
    DataRequest.objects.get_or_create(
        person=jo,
        kind=DataRequest.Kind.ACCESS,
        received_on=today - timedelta(days=40),
        defaults={
            "channel": DataRequest.Channel.LETTER,
            "identity_checked": "Called back on the phone number on their staff record",
            "note": "Asked for everything held about their supervision.",
            "status": DataRequest.Status.DONE,
            "recorded_by": admin,
            "completed_at": timezone.now() - timedelta(days=18),
            "outcome": "A copy of all their data was made and sent by recorded post.",
        },
    )
    DataRequest.objects.get_or_create(
        person=sam,
        kind=DataRequest.Kind.ACCESS,
        received_on=today - timedelta(days=6),
        defaults={
            "channel": DataRequest.Channel.PHONE,
            "identity_checked": "Confirmed the email address and phone number we hold for them",
            "note": "Would like a printed copy; large print.",
            "recorded_by": admin,
        },
    )


def load_cms_demo() -> dict:
    organisations = _organisations()
    people = _people(organisations)
    pages = _pages()
    offers = _offers(organisations)
    _site_settings(pages)
    _data_requests(people)
    return {
        "organisations": organisations,
        "people": people,
        "pages": pages,
        "offers": offers,
    }
