"""A new site, from nothing to ready for real content, with no demo data.

``site_first_run`` gives the home page its sections (Find support, You said we did, and the
privacy notice, accessibility statement, contact and cookies pages every public site needs,
whose words the demo uses too), puts them in the header and footer, records the
organisation that runs the site, and creates its first administrator, who is emailed an
invitation to choose a password. Running it again adds whatever is missing (a page, a
footer link), changes nothing that is there, and sends a fresh invitation if the
administrator has not chosen a password yet (the earlier link then stops working).
The needs taxonomy is seeded by ``migrate`` (cms/migrations/0006_seed_needs.py); offers
come from the Open Referral UK import.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from html import escape

from django.db import transaction
from django.utils import timezone
from wagtail import hooks
from wagtail.models import Page, Site
from wagtailnhsukfrontend.settings.models import (
    FooterLinks,
    FooterSettings,
    HeaderSettings,
    NavigationLink,
)

from .dates import date_in_words
from .models import ContentPage, HomePage, Need, OffersIndexPage, Organisation, User
from .refusals import Refused

SERVICE_NAME = "Lived Experience Platform"


@dataclass
class FirstRun:
    organisation: Organisation
    admin: User | None
    pages_created: list[str] = field(default_factory=list)
    needs: int = 0
    invited: bool = False


@dataclass(frozen=True)
class PublicContact:
    """Who runs the site and how to reach them, for the public pages' words."""

    organisation: str
    email: str
    phone: str = ""
    address: str = ""
    # The data protection officer's address; the general one when there is none.
    dpo_email: str = ""
    # The partnership's other organisations, named in the privacy notice.
    partners: tuple[str, ...] = ()

    @property
    def dpo(self) -> str:
        return self.dpo_email or self.email


def _paragraphs(*texts: str) -> list:
    return [("text", "".join(f"<p>{text}</p>" for text in texts))]


def _bullets(*items: str) -> str:
    return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


def _email_link(address: str) -> str:
    return f'<a href="mailto:{escape(address)}">{escape(address)}</a>'


def _phone_link(number: str) -> str:
    return f'<a href="tel:{escape(number.replace(" ", ""))}">{escape(number)}</a>'


def _ways_to_reach(contact: PublicContact, *, email: str | None = None) -> str:
    """Email, phone and post, as a list of what the site was given."""
    ways = [f"email: {_email_link(email or contact.email)}"]
    if contact.phone:
        ways.append(f"phone: {_phone_link(contact.phone)}")
    if contact.address:
        ways.append(f"post: {escape(contact.address)}")
    return _bullets(*ways)


ICO_COMPLAINTS = "https://ico.org.uk/make-a-complaint/"


def privacy_notice_body(contact: PublicContact, today: date) -> list:
    """Every section the Information Commissioner's Office expects in a privacy notice; what
    we hold, why and for how long comes from the register (the register block)."""
    organisation = escape(contact.organisation)
    partners = (
        [
            "The organisations in the partnership are:"
            + _bullets(*(escape(name) for name in contact.partners))
        ]
        if contact.partners
        else []
    )
    return [
        ("heading", "Who we are"),
        *_paragraphs(
            f"{organisation} runs this website for the local mental health partnership. It "
            "is the controller of the information the website holds: the organisation "
            "responsible, under data protection law, for looking after it.",
            "When another organisation in the partnership works with you (for example, it "
            "runs a panel you join, employs you as a peer worker or pays your claim), it uses "
            "the information it needs for that and is responsible for what it does with it.",
        ),
        *([("text", "".join(f"<p>{text}</p>" for text in partners))] if partners else []),
        ("text", f"<p>You can contact {organisation} by:</p>{_ways_to_reach(contact)}"),
        ("heading", "Our data protection officer"),
        *_paragraphs(
            "Our data protection officer checks that we follow data protection law and is "
            "there to help you with any question about your information. You can write to "
            f"them at {_email_link(contact.dpo)}.",
        ),
        ("heading", "What we hold, why, and for how long"),
        *_paragraphs(
            "We only keep what we need to involve you, support you, employ you or pay you. "
            "Anything about your health, your lived experience or who you are (such as your "
            "ethnicity or disability) is optional, and we ask before we keep it.",
        ),
        ("personal_data_register", None),
        ("heading", "The law that lets us use your information"),
        *_paragraphs(
            "Data protection law (Article 6 of the UK General Data Protection Regulation) "
            "says we need a lawful basis for each use of your information. The list above "
            "shows which one applies. We use: a contract with you (your account), a legal "
            "obligation (for example, keeping payment records for tax), a task in the public "
            "interest (NHS and council services), our legitimate interests (keeping the "
            "website working and safe) and, for things you choose to tell us, your consent.",
            "Information about health, ethnicity, disability or beliefs is special category "
            "information. For it, the law (Article 9, and Schedule 1 of the Data Protection "
            "Act 2018) also asks for a condition, such as your explicit consent, providing "
            "health or social care, employment law, equality of opportunity, or safeguarding "
            "people at risk. The list above shows which condition applies.",
        ),
        ("heading", "Who we share it with"),
        (
            "text",
            "<p>We share your information only when we need to, and only what is needed:</p>"
            + _bullets(
                "the organisation in the partnership that runs the panel, service or job you "
                "take part in",
                "the finance team that pays your claims, and HM Revenue and Customs when the "
                "law says we must",
                "safeguarding teams at the council, or the police, if someone is at risk of "
                "serious harm",
                "the companies that host this website and send its emails, who work under a "
                "contract, only on our instructions, and may not use it for anything else",
            )
            + "<p>We never sell your information and never use it for advertising.</p>",
        ),
        ("heading", "Your rights"),
        (
            "text",
            "<p>You have these rights over your information. Using them is free, and we "
            "answer within one month.</p>"
            + _bullets(
                "<strong>See it (the right of access).</strong> Download everything we hold "
                'about you from <a href="/my-space/your-data/">Your data</a> in My space, or '
                "write to us.",
                "<strong>Correct it (rectification).</strong> Change your details in My space, "
                "or tell us what is wrong.",
                "<strong>Have it deleted (erasure).</strong> "
                '<a href="/my-space/close-account/">Close your account</a>. We tell you what '
                "the law makes us keep, and why; it is no longer linked to your name.",
                "<strong>Limit how we use it (restriction).</strong> Ask us to stop using it "
                "while a question about it is settled.",
                "<strong>Object to how we use it (objection).</strong> Where we rely on a task "
                "in the public interest or our legitimate interests, you can ask us to stop.",
                "<strong>Take it with you (portability).</strong> The download from "
                '<a href="/my-space/your-data/">Your data</a> includes a file other software '
                "can read.",
                "<strong>Withdraw your consent.</strong> Where we asked for your consent, you "
                "can withdraw it at any time in My space, and we delete what you agreed to.",
            )
            + "<p>You can also see "
            '<a href="/my-space/who-looked/">who has looked at your records</a>, and why.</p>'
            + "<p>To use any of these rights without the website, write to us:</p>"
            + _ways_to_reach(contact),
        ),
        ("heading", "Decisions made by computer"),
        *_paragraphs(
            "We do not make decisions about you by computer alone (automated decision-making), "
            "and we do not use your information to build a profile of you. A person makes "
            "every decision, such as who joins a panel or whether a claim is paid.",
        ),
        ("heading", "Sending information outside the UK"),
        *_paragraphs(
            "We do not send your information to other countries.",
        ),
        ("heading", "How to complain"),
        *_paragraphs(
            "If you are unhappy with how we have used your information, please tell our data "
            f"protection officer first, at {_email_link(contact.dpo)}. We will try to put "
            "it right.",
            "You can also complain to the Information Commissioner's Office (ICO), which "
            f'makes sure organisations follow data protection law: <a href="{ICO_COMPLAINTS}">'
            "make a complaint on the ICO website</a>, call 0303 123 1113, or write to "
            "Information Commissioner's Office, Wycliffe House, Water Lane, Wilmslow, "
            "Cheshire, SK9 5AF.",
        ),
        ("heading", "Changes to this notice"),
        *_paragraphs(
            f"We last updated this notice on {date_in_words(today)}. The list of what we "
            "hold comes straight from the website's register of personal data, so it changes "
            "as soon as the website does.",
        ),
    ]


def accessibility_statement_body(contact: PublicContact, today: date) -> list:
    """The public-sector model accessibility statement (GOV.UK's sample), honest about
    what is not yet accessible."""
    organisation = escape(contact.organisation)
    return [
        (
            "text",
            f"<p>This website is run by {organisation}. We want as many people as possible "
            "to be able to use it. For example, that means you should be able to:</p>"
            + _bullets(
                "change colours, contrast levels and fonts using your browser or device settings",
                "zoom in up to 400% without the text spilling off the screen",
                "move around the website using just a keyboard or speech recognition software",
                "listen to the website using a screen reader (including recent versions of "
                "JAWS, NVDA and VoiceOver)",
            )
            + "<p>We have also made the text as simple as possible to understand.</p>"
            '<p><a href="https://mcmw.abilitynet.org.uk/">AbilityNet</a> has advice on '
            "making your device easier to use if you have a disability.</p>",
        ),
        ("heading", "How accessible this website is"),
        (
            "text",
            "<p>We know some parts of this website are not fully accessible:</p>"
            + _bullets(
                "the control for attaching a file (such as a receipt to a payment claim) may "
                "not work well with some screen readers",
                "documents we make as PDFs, such as the peer worker portfolio, board reports "
                "and remittance advice, may not be fully accessible to screen reader software",
                "documents that staff upload, such as meeting papers, may not all be accessible",
            ),
        ),
        ("heading", "What to do if you cannot use parts of this website"),
        (
            "text",
            "<p>If you need information on this website in a different format, such as an "
            "accessible PDF, large print, easy read, an audio recording, braille or British "
            "Sign Language, contact us by:</p>"
            + _ways_to_reach(contact)
            + "<p>We will consider your request and get back to you within 5 working days.</p>",
        ),
        ("heading", "Reporting accessibility problems with this website"),
        *_paragraphs(
            "We are always looking to improve the accessibility of this website. If you find "
            "a problem that is not listed on this page, or think we are not meeting "
            f"accessibility requirements, email {_email_link(contact.email)}. We will reply "
            "within 5 working days.",
        ),
        ("heading", "Enforcement procedure"),
        *_paragraphs(
            "The Equality and Human Rights Commission (EHRC) is responsible for enforcing the "
            "Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility "
            "Regulations 2018 (the accessibility regulations).",
            "If you are not happy with how we respond to your complaint, contact the "
            '<a href="https://www.equalityadvisoryservice.com/">Equality Advisory and '
            "Support Service (EASS)</a>. If you live in Northern Ireland, contact the "
            '<a href="https://www.equalityni.org/">Equality Commission for Northern Ireland '
            "(ECNI)</a>.",
        ),
        ("heading", "Technical information about this website's accessibility"),
        *_paragraphs(
            f"{organisation} is committed to making its website accessible, in accordance "
            "with the Public Sector Bodies (Websites and Mobile Applications) (No. 2) "
            "Accessibility Regulations 2018.",
        ),
        ("heading", "Compliance status"),
        *_paragraphs(
            "This website is partially compliant with the Web Content Accessibility "
            "Guidelines (WCAG) version 2.2 AA standard, because of the non-compliances "
            "listed below.",
        ),
        ("heading", "Non-accessible content"),
        (
            "text",
            "<p>The content listed below is not accessible, for these reasons.</p>"
            "<h3>Non-compliance with the accessibility regulations</h3>"
            + _bullets(
                "The control for attaching a file comes from the NHS design system. Automated "
                "checks (axe) flag it, and some screen readers may not say clearly which file "
                "you chose. This may fail WCAG 2.2 success criterion 4.1.2 (name, role, "
                "value). You can send us the file by email instead.",
                "PDF documents the website makes (the peer worker portfolio, board reports "
                "and remittance advice) may not have headings, reading order or text "
                "descriptions of charts marked up for screen readers. This may fail WCAG 2.2 "
                "success criteria 1.1.1 (non-text content) and 1.3.1 (info and "
                "relationships). The same information is shown on the website's pages, or "
                "we can send it to you in another format.",
                "Documents that staff upload, such as meeting papers and charter evidence, "
                "may not all meet WCAG 2.2. If you cannot use one, ask us for another format.",
            )
            + "<h3>Content that is not within the scope of the accessibility regulations</h3>"
            "<p>Maps: there are no maps on this website. Offers in the directory give their "
            "address in words.</p>",
        ),
        ("heading", "What we are doing to improve accessibility"),
        *_paragraphs(
            "Every page of the main journeys is checked automatically with axe each time the "
            "website changes, and we check the journeys with a keyboard. We plan to replace "
            "the file upload control, make the PDFs we produce tagged for screen readers, and "
            "have the website audited independently. We will update this statement as we fix "
            "each problem.",
        ),
        ("heading", "Preparation of this accessibility statement"),
        *_paragraphs(
            f"This statement was prepared on {date_in_words(today)}. It was last reviewed on "
            f"{date_in_words(today)}.",
            "This website was last tested on the same day, by the team that builds it, using "
            "automated checks (axe) and a keyboard on the main journeys: finding support, "
            "signing up, joining a panel, claiming a payment and the staff pages.",
        ),
    ]


def contact_page_body(contact: PublicContact, today: date) -> list:
    """How to reach the partnership, its data protection officer, and urgent help."""
    return [
        (
            "warning_callout",
            {
                "title": "If you need help now",
                "heading_level": 2,
                "body": "<p>This inbox is not watched all the time. If you need help with "
                'your mental health now, <a href="/help-now/">find out where to get help '
                "now</a>. In an emergency, call 999.</p>",
            },
        ),
        ("heading", "Contact the partnership"),
        (
            "text",
            f"<p>To contact {escape(contact.organisation)} about this website, design panels, "
            "payments or peer work, get in touch by:</p>"
            + _ways_to_reach(contact)
            + "<p>We aim to reply within 5 working days.</p>",
        ),
        ("heading", "Questions about your information"),
        *_paragraphs(
            f"Write to our data protection officer at {_email_link(contact.dpo)}. The "
            '<a href="/privacy/">privacy notice</a> explains what we hold and your rights.',
        ),
        ("heading", "Problems using this website"),
        *_paragraphs(
            "If something does not work for you, or you need information in another format, "
            'tell us using the details above. Our <a href="/accessibility/">accessibility '
            "statement</a> lists the problems we know about.",
        ),
    ]


def cookies_page_body(contact: PublicContact, today: date) -> list:
    """The cookies the site sets (the cookie list block) and why no banner asks first."""
    return [
        *_paragraphs(
            "Cookies are small files saved on your phone, tablet or computer when you visit "
            "a website. We use only the cookies this website needs to work.",
        ),
        ("heading", "Cookies we use"),
        *_paragraphs(
            "These cookies keep you signed in and keep your forms safe. They are strictly "
            "necessary: without them you could not sign in or send a form.",
        ),
        ("cookie_list", None),
        ("heading", "No cookies that measure you or advertise"),
        *_paragraphs(
            "We do not use cookies to measure how you use the website (analytics) or for "
            "advertising, and we do not let other websites set cookies on ours.",
            "The law (regulation 6(4) of the Privacy and Electronic Communications "
            "Regulations 2003) says a website does not need to ask before setting cookies "
            "that are strictly necessary, so we do not ask you to accept cookies.",
        ),
        ("heading", "How to manage cookies"),
        *_paragraphs(
            "You can block or delete cookies in your browser's settings. If you block these "
            "cookies, you can still read the website, but you will not be able to sign in or "
            "send forms.",
            'Our <a href="/privacy/">privacy notice</a> explains what we hold about you and why.',
        ),
    ]


PublicPage = tuple[str, str, str, Callable[[PublicContact, date], list]]

# slug, title, intro, body builder: the pages every public site needs, seeded by first_run
# and by the demo from the same words.
PUBLIC_PAGES: list[PublicPage] = [
    (
        "privacy",
        "Privacy notice",
        "What we keep about you, why, and how to see it, correct it or have it deleted.",
        privacy_notice_body,
    ),
    (
        "accessibility",
        "Accessibility statement",
        "How accessible this website is, and how to tell us about a problem.",
        accessibility_statement_body,
    ),
    (
        "contact",
        "Contact us",
        "How to get in touch with the people who run this website.",
        contact_page_body,
    ),
    (
        "cookies",
        "Cookies",
        "The small files this website saves on your device, and why.",
        cookies_page_body,
    ),
]
# The footer links to every public page, in this order.
FOOTER_SLUGS = ["accessibility", "privacy", "cookies", "contact"]


def public_page(slug: str, contact: PublicContact, today: date | None = None) -> ContentPage:
    """An unsaved content page for one of ``PUBLIC_PAGES``, with its words."""
    today = today or timezone.localdate()
    for page_slug, title, intro, body in PUBLIC_PAGES:
        if page_slug == slug:
            return ContentPage(title=title, slug=slug, intro=intro, body=body(contact, today))
    raise KeyError(slug)


def _publish(parent: Page, page: Page) -> Page:
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


# Each app that owns a top-level section of the site (co-production's "You said, we did")
# adds it with this hook, so the shell never imports a domain app::
#
#     @hooks.register(FIRST_RUN_SECTIONS_HOOK)
#     def you_said_we_did(home, publish):
#         return section(ServiceChangeIndexPage, home, publish, title=..., slug=...)
#
# It returns the section's page and whether it made it; sections go in the header in order.
FIRST_RUN_SECTIONS_HOOK = "register_first_run_sections"


def section(page_model, home: HomePage, publish, **fields) -> tuple[Page, bool]:
    """The site's one page of ``page_model`` (an index page), published under the home
    page with ``fields`` if there is none yet; and whether it was made now."""
    page = page_model.objects.first()
    if page is not None:
        return page, False
    return publish(home, page_model(**fields)), True


def _find_support(home: HomePage, publish) -> tuple[Page, bool]:
    return section(
        OffersIndexPage,
        home,
        publish,
        title="Find support",
        slug="find-support",
        intro="Support for your mental health from the NHS, the council and local "
        "charities, whichever door you come in by.",
    )


def _sections(home: HomePage) -> list[tuple[Page, bool]]:
    """The site's top-level sections, made where missing: the directory, then each app's."""
    makers = [_find_support, *hooks.get_hooks(FIRST_RUN_SECTIONS_HOOK)]
    return [make(home, _publish) for make in makers]


def _site_tree(home: HomePage, contact: PublicContact) -> tuple[list[str], list[Page]]:
    sections = _sections(home)
    created = [page.title for page, made in sections if made]
    for slug, title, _intro, _body in PUBLIC_PAGES:
        if not ContentPage.objects.child_of(home).filter(slug=slug).exists():
            _publish(home, public_page(slug, contact))
            created.append(title)
    return created, [page for page, _made in sections]


def _menus(site: Site, sections: list[Page]) -> None:
    header = HeaderSettings.for_site(site)
    if not header.service_name:
        header.service_name = SERVICE_NAME
        header.save()
    if not header.navigation_links.exists():
        for order, page in enumerate(sections):
            NavigationLink.objects.create(
                setting=header, label=page.title, page=page, sort_order=order
            )
    add_footer_links(site, FOOTER_SLUGS)


def add_footer_links(site: Site, slugs: list[str]) -> None:
    """Link each of these top-level content pages in the footer, after the links there
    already; a page already linked (by its address) is left as the editors arranged it."""
    footer = FooterSettings.for_site(site)
    links = list(footer.footer_links.all())
    linked = {link.link_url for link in links}
    order = max((link.sort_order or 0 for link in links), default=-1) + 1
    pages = {page.slug: page for page in ContentPage.objects.filter(slug__in=slugs, depth=3)}
    for slug in slugs:
        page = pages.get(slug)
        if page is None or page.url in linked:
            continue
        FooterLinks.objects.create(
            setting=footer, link_label=page.title, link_url=page.url, sort_order=order
        )
        order += 1


@transaction.atomic
def site_first_run(
    *,
    organisation_name: str,
    organisation_kind: str,
    admin_email: str,
    admin_first_name: str,
    admin_last_name: str,
    contact_email: str,
    contact_phone: str = "",
    postal_address: str = "",
    dpo_email: str = "",
) -> FirstRun:
    """Make a new site ready for real content (see the module's notes)."""
    from . import staff_accounts

    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    home = site.root_page.specific if site else None
    if not isinstance(home, HomePage):
        raise Refused("Run `python manage.py migrate` first: it creates the home page.")
    organisation, _ = Organisation.objects.get_or_create(
        name=organisation_name, defaults={"kind": organisation_kind}
    )
    result = FirstRun(organisation=organisation, admin=None)
    contact = PublicContact(
        organisation=organisation.name,
        email=contact_email,
        phone=contact_phone,
        address=postal_address,
        dpo_email=dpo_email,
    )
    result.pages_created, sections = _site_tree(home, contact)
    _menus(site, sections)
    result.needs = Need.objects.count()

    email = User.objects.normalize_email(admin_email).lower()
    admin = User.objects.filter(email__iexact=email).first()
    if admin is not None and not admin.is_superuser:
        raise Refused(
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
