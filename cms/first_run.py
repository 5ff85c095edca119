"""A new site, from nothing to ready for real content, with no demo data.

``site_first_run`` gives the home page its sections (Find support, You said we did, and the
privacy notice, accessibility statement and contact page every public site needs), puts
them in the header and footer, records the organisation that runs the site, and creates its
first administrator, who is emailed an invitation to choose a password. Running it again
adds whatever is missing, changes nothing that is there, and sends a fresh invitation if
the administrator has not chosen a password yet (the earlier link then stops working).
The needs taxonomy is seeded by ``migrate`` (cms/migrations/0006_seed_needs.py); offers
come from the Open Referral UK import.
"""

from dataclasses import dataclass, field
from html import escape

from django.db import transaction
from wagtail.models import Page, Site
from wagtailnhsukfrontend.settings.models import (
    FooterLinks,
    FooterSettings,
    HeaderSettings,
    NavigationLink,
)

from .models import ContentPage, HomePage, Need, OffersIndexPage, Organisation, User

SERVICE_NAME = "Lived Experience Platform"


class FirstRunRefused(Exception):
    pass


@dataclass
class FirstRun:
    organisation: Organisation
    admin: User | None
    pages_created: list[str] = field(default_factory=list)
    needs: int = 0
    invited: bool = False


def _paragraphs(*texts: str) -> list:
    return [("text", "".join(f"<p>{text}</p>" for text in texts))]


def _privacy(organisation: str, contact: str) -> list:
    return [
        ("heading", "Who looks after your information"),
        *_paragraphs(
            f"{escape(organisation)} runs this website and is responsible for the information "
            "you give it (the data controller). The partnership's other organisations see "
            "only what they need to work with you.",
            f"To ask about your information, write to {escape(contact)}.",
        ),
        ("heading", "What we keep and why"),
        *_paragraphs(
            "We keep your name and how to contact you so that you can join design panels, "
            "give feedback and be paid for your time. Anything about your health or your "
            "lived experience is optional, and we ask before we keep it.",
        ),
        ("heading", "Your rights"),
        *_paragraphs(
            "You can ask to see the information we hold about you, to have it corrected, "
            "and to have it deleted. Some records, such as payments, must be kept by law "
            "for a time; we will tell you which and why.",
            "If you are unhappy with how we use your information, you can complain to the "
            "Information Commissioner's Office (ico.org.uk, 0303 123 1113).",
        ),
    ]


def _accessibility(organisation: str, contact: str) -> list:
    return [
        *_paragraphs(
            f"This website is run by {escape(organisation)}. We want as many people as "
            "possible to be able to use it: to change colours and text size, zoom in to "
            "400% without text spilling off the screen, and move around it using just a "
            "keyboard or a screen reader.",
        ),
        ("heading", "How accessible this website is"),
        *_paragraphs(
            "The website is built to meet the Web Content Accessibility Guidelines (WCAG) "
            "version 2.2 at level AA, using the NHS design system. We have not yet "
            "completed an independent audit, so we cannot yet say that it fully meets them.",
        ),
        ("heading", "Reporting a problem"),
        *_paragraphs(
            f"If something on this website does not work for you, or you need information "
            f"in another format such as easy read, large print or BSL, write to "
            f"{escape(contact)}. We will reply within 5 working days.",
        ),
        ("heading", "Enforcement procedure"),
        *_paragraphs(
            "The Equality and Human Rights Commission (EHRC) is responsible for enforcing "
            "the accessibility regulations. If you are not happy with how we respond to "
            "your complaint, contact the Equality Advisory and Support Service (EASS).",
        ),
    ]


def _contact(organisation: str, contact: str) -> list:
    return _paragraphs(
        f"To contact {escape(organisation)} about this website, panels or peer work, "
        f"write to {escape(contact)}. We will reply within 5 working days.",
        "This address is not watched all the time. If you need help now, use the crisis "
        "numbers shown on every page.",
    )


PAGES = [
    # slug, title, intro, body builder
    (
        "privacy",
        "Privacy notice",
        "What we keep about you, why, and how to ask to see it or have it deleted.",
        _privacy,
    ),
    (
        "accessibility",
        "Accessibility statement",
        "How accessible this website is, and how to tell us about a problem.",
        _accessibility,
    ),
    ("contact", "Contact us", "How to get in touch with the people who run this site.", _contact),
]


def _publish(parent: Page, page: Page) -> Page:
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _site_tree(home: HomePage, organisation: str, contact: str) -> list[str]:
    from coproduce.models import ServiceChangeIndexPage

    created = []
    if not OffersIndexPage.objects.exists():
        _publish(
            home,
            OffersIndexPage(
                title="Find support",
                slug="find-support",
                intro="Support for your mental health from the NHS, the council and local "
                "charities, whichever door you come in by.",
            ),
        )
        created.append("Find support")
    if not ServiceChangeIndexPage.objects.exists():
        _publish(
            home,
            ServiceChangeIndexPage(
                title="You said, we did",
                slug="you-said-we-did",
                intro="What has changed in local mental health services because people "
                "with lived experience spoke up.",
            ),
        )
        created.append("You said, we did")
    for slug, title, intro, body in PAGES:
        if not ContentPage.objects.child_of(home).filter(slug=slug).exists():
            _publish(
                home,
                ContentPage(title=title, slug=slug, intro=intro, body=body(organisation, contact)),
            )
            created.append(title)
    return created


def _menus(site: Site) -> None:
    from coproduce.models import ServiceChangeIndexPage

    header = HeaderSettings.for_site(site)
    if not header.service_name:
        header.service_name = SERVICE_NAME
        header.save()
    if not header.navigation_links.exists():
        for order, page in enumerate(
            [OffersIndexPage.objects.first(), ServiceChangeIndexPage.objects.first()]
        ):
            NavigationLink.objects.create(
                setting=header, label=page.title, page=page, sort_order=order
            )
    footer = FooterSettings.for_site(site)
    if not footer.footer_links.exists():
        for order, slug in enumerate(["accessibility", "privacy", "contact"]):
            page = ContentPage.objects.get(slug=slug, depth=3)
            FooterLinks.objects.create(
                setting=footer, link_label=page.title, link_url=page.url, sort_order=order
            )


@transaction.atomic
def site_first_run(
    *,
    organisation_name: str,
    organisation_kind: str,
    admin_email: str,
    admin_first_name: str,
    admin_last_name: str,
    contact_email: str,
) -> FirstRun:
    """Make a new site ready for real content (see the module's notes)."""
    from . import staff_accounts

    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    home = site.root_page.specific if site else None
    if not isinstance(home, HomePage):
        raise FirstRunRefused("Run `python manage.py migrate` first: it creates the home page.")
    organisation, _ = Organisation.objects.get_or_create(
        name=organisation_name, defaults={"kind": organisation_kind}
    )
    result = FirstRun(organisation=organisation, admin=None)
    result.pages_created = _site_tree(home, organisation.name, contact_email)
    _menus(site)
    result.needs = Need.objects.count()

    email = User.objects.normalize_email(admin_email).lower()
    admin = User.objects.filter(email__iexact=email).first()
    if admin is not None and not admin.is_superuser:
        raise FirstRunRefused(
            f"{email} already has an account that is not an administrator's. Make them an "
            "administrator in the Wagtail admin, or choose another address."
        )
    if admin is None:
        admin = User.objects.create_user(
            email,
            first_name=admin_first_name,
            last_name=admin_last_name,
            organisation=organisation,
            is_superuser=True,
            is_staff=True,
        )
    result.admin = admin
    if not admin.has_usable_password():
        staff_accounts.person_invite(person=admin, by=admin)
        result.invited = True
    return result
