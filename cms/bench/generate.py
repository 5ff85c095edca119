"""A partnership at a chosen scale, for the benchmarks: organisations, people and pages.

Built with the factories the tests use (``build`` only, then ``bulk_create`` for the
thousands of rows) so scale 1 takes seconds. Every row has a natural key starting with
"bench", found before anything is created, so running it again adds only what is missing
and a larger scale grows an existing partnership.

Unlike ``load_demo`` this does not refuse to run with DEBUG off, because the benchmark runs
production settings; like the demo, the people it creates share the published demo password.
Never run it against a live site.
"""

from collections.abc import Callable
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from wagtail.search.backends import get_search_backend

from ..demo import load_cms_demo
from ..factories import (
    DEMO_PASSWORD,
    ContentPageFactory,
    OrganisationFactory,
    UserFactory,
    home_page,
)
from ..models import ContentPage, Organisation, User
from ..roles import Role
from .scenarios import discover

ORGANISATIONS_PER_SCALE = 4
PEOPLE_PER_SCALE = 50
# Each unit of scale adds one section page under the home page with 19 pages beneath it,
# so pages sit at two depths as they do on a real site.
PAGES_PER_SECTION = 19

BATCH_SIZE = 500
PREFIX = "bench"

ORGANISATION_NOUNS = {
    Organisation.Kind.NHS_TRUST: "NHS Foundation Trust",
    Organisation.Kind.LOCAL_AUTHORITY: "Council",
    Organisation.Kind.VCSE: "Community Mental Health Group",
    Organisation.Kind.OTHER: "Housing Association",
}
AREAS = ["Northdale", "Southmoor", "Eastfield", "Westbrook", "Kirklees"]

# Of every 50 people: 40 members, 5 peer workers and one of each staff role.
ROLE_MIX = (
    [Role.MEMBER] * 40
    + [Role.PEER_WORKER] * 5
    + [
        Role.SUPERVISOR,
        Role.ENGAGEMENT_LEAD,
        Role.HR,
        Role.FINANCE,
        Role.EDITOR,
    ]
)

TOPICS = [
    ("Money worries", "debt advice, benefits checks and help with bills"),
    ("Somewhere to live", "housing advice and support to keep a tenancy"),
    ("Work and volunteering", "support into paid work, training and volunteering"),
    ("Feeling lonely", "peer groups, befriending and community activities"),
    ("In a crisis", "crisis cafés, safe havens and the mental health helpline"),
    ("Caring for someone", "support for carers of people with mental ill health"),
    ("Talking therapies", "NHS talking therapies for anxiety and depression"),
]

Generator = Callable[..., dict | None]
_generators: list[Generator] = []


def register_generator(generator: Generator) -> Generator:
    """Add ``generator(*, scale)`` to run after the shell's data; it returns its counts."""
    if generator not in _generators:
        _generators.append(generator)
    return generator


class BenchPersonFactory(UserFactory):
    """A person built unsaved with a shared password hash, so thousands need one hashing."""

    # The caller passes the one hash; this replaces the factory's per-person set_password.
    password = ""


@transaction.atomic
def generate_partnership(*, scale: int) -> dict[str, dict[str, int]]:
    """Create (or top up) the bench partnership at ``scale``; returns counts per kind."""
    if scale < 1:
        raise ValueError("The scale must be 1 or more.")
    load_cms_demo()
    counts = {
        "organisations": _organisations(scale),
        "people": _people(scale),
        "content pages": _pages(scale),
    }
    discover()
    for generator in _generators:
        counts.update(generator(scale=scale) or {})
    refresh_planner_statistics()
    return counts


def refresh_planner_statistics() -> None:
    """Let PostgreSQL's planner see the rows just loaded in bulk, as autovacuum would a few
    minutes later on a real site: without it, plans made for empty tables read every row
    (the sessions export took 580 s instead of 61). SQLite's planner needs no statistics."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _organisations(scale: int) -> dict[str, int]:
    kinds = list(Organisation.Kind)
    wanted = []
    for number in range(1, ORGANISATIONS_PER_SCALE * scale + 1):
        kind = kinds[number % len(kinds)]
        area = AREAS[number % len(AREAS)]
        name = f"Bench {area} {ORGANISATION_NOUNS[kind]} {number:04d}"
        wanted.append((name, kind, area))
    existing = set(
        Organisation.objects.filter(name__startswith="Bench ").values_list("name", flat=True)
    )
    new = []
    for name, kind, area in wanted:
        if name not in existing:
            organisation = OrganisationFactory.build(name=name, kind=kind, area=area)
            # bulk_create skips save(), which is where the slug is usually made.
            organisation.slug = slugify(name)
            new.append(organisation)
    Organisation.objects.bulk_create(new, batch_size=BATCH_SIZE)
    if new:
        get_search_backend().add_bulk(Organisation, new)
    return {"created": len(new), "total": Organisation.objects.count()}


def _people(scale: int) -> dict[str, int]:
    organisation_ids = list(
        Organisation.objects.filter(name__startswith="Bench ")
        .order_by("name")
        .values_list("id", flat=True)
    )
    existing = set(
        User.objects.filter(email__startswith=f"{PREFIX}-").values_list("email", flat=True)
    )
    now = timezone.now()
    password = None
    new, roles = [], {}
    for number in range(1, PEOPLE_PER_SCALE * scale + 1):
        email = f"{PREFIX}-person-{number:05d}@example.org"
        if email in existing:
            continue
        role = ROLE_MIX[number % len(ROLE_MIX)]
        password = password or make_password(DEMO_PASSWORD)
        new.append(
            BenchPersonFactory.build(
                email=email,
                password=password,
                organisation_id=(
                    None
                    if role is Role.MEMBER
                    else organisation_ids[number % len(organisation_ids)]
                ),
                date_joined=now - timedelta(days=number % 730),
            )
        )
        roles[email] = role
    User.objects.bulk_create(new, batch_size=BATCH_SIZE)

    ids = dict(User.objects.filter(email__in=roles).values_list("email", "id")) if new else {}
    EmailAddress.objects.bulk_create(
        [
            EmailAddress(user_id=ids[email], email=email, verified=True, primary=True)
            for email in roles
        ],
        batch_size=BATCH_SIZE,
    )
    groups = dict(Group.objects.filter(name__in=set(roles.values())).values_list("name", "id"))
    membership = User.groups.through
    membership.objects.bulk_create(
        [membership(user_id=ids[email], group_id=groups[role]) for email, role in roles.items()],
        batch_size=BATCH_SIZE,
    )
    return {"created": len(new), "total": User.objects.count()}


def _pages(scale: int) -> dict[str, int]:
    home = home_page()
    existing = {
        page.slug: page for page in ContentPage.objects.filter(slug__startswith=f"{PREFIX}-")
    }
    created = 0
    for section_number in range(1, scale + 1):
        title, about = TOPICS[section_number % len(TOPICS)]
        slug = f"{PREFIX}-section-{section_number:03d}"
        section = existing.get(slug)
        if section is None:
            section = _add_page(home, f"{title} {section_number}", slug, about)
            created += 1
        for number in range(1, PAGES_PER_SECTION + 1):
            slug = f"{PREFIX}-page-{section_number:03d}-{number:02d}"
            if slug not in existing:
                title, about = TOPICS[(section_number + number) % len(TOPICS)]
                _add_page(section, f"{title}: page {section_number}.{number}", slug, about)
                created += 1
    return {"created": created, "total": ContentPage.objects.count()}


def _add_page(parent, title: str, slug: str, about: str) -> ContentPage:
    """Add a live page without a revision: publishing each one would take most of the time."""
    now = timezone.now()
    page = ContentPageFactory.build(
        title=title,
        slug=slug,
        intro=f"Where to find {about} in our area.",
        body=[
            ("heading", "Who it is for"),
            (
                "text",
                f"<p>Anyone who would like {about}, whatever their mental health. You can "
                "refer yourself; you do not need to see your GP first.</p>",
            ),
            ("heading", "How we designed it"),
            (
                "text",
                "<p>Experts by experience on our design panels helped shape this support "
                "and check every year that it still works for the people who use it.</p>",
            ),
        ],
        first_published_at=now,
        last_published_at=now,
    )
    parent.add_child(instance=page)
    return page
