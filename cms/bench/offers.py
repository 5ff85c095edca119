"""The offers directory at scale, for the benchmarks: thousands of offers and the pages that
list, filter and show them.

Adding thousands of Wagtail pages one ``add_child`` at a time takes minutes (each one locks
and rewrites the tree and saves two tables), so the offers are written in bulk: the tree
paths are worked out here, after the directory's last child, the ``Page`` rows go in with
``bulk_create`` and each offer's own row (multi-table inheritance, which ``bulk_create``
refuses) with one batched INSERT. Like the shell's pages they are live without revisions.
Natural keys (slugs ``bench-offer-00001`` …) make it idempotent and let a larger scale grow
an existing directory.
"""

import uuid
from datetime import time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.http import urlencode
from wagtail.models import Page
from wagtail.search.backends import get_search_backend

from ..factories import offers_index
from ..models import Area, Need, OfferPage, OffersIndexPage, OpeningTime, Organisation
from ..offer_search import reindex_offers
from .big import register_big_generator
from .generate import AREAS, BATCH_SIZE, PREFIX, register_generator
from .scenarios import register

# `make bench` (scale 1) measures the directory with 2,000 offers, as the issue asks.
OFFERS_PER_SCALE = 2000
BIG_OFFERS = 20_000  # ten times the data (big.py)
SLUG_PREFIX = f"{PREFIX}-offer-"

KINDS = [
    ("Crisis Café", ["crisis", "peer-support"]),
    ("Safe Haven", ["crisis"]),
    ("Talking Therapies", ["talking-therapies", "low-or-anxious"]),
    ("Peer Support Group", ["peer-support", "loneliness"]),
    ("Befriending Service", ["loneliness"]),
    ("Debt Advice Clinic", ["money-and-debt"]),
    ("Tenancy Support", ["housing", "money-and-debt"]),
    ("Employment Support", ["work"]),
    ("Carers' Network", ["caring", "peer-support"]),
    ("Recovery College", ["low-or-anxious", "work", "physical-health"]),
    ("Drug and Alcohol Service", ["substance-use"]),
    ("Mental Health Helpline", ["crisis", "low-or-anxious"]),
]
EVERY_DAY = range(7)
WEEKDAYS = range(5)
# (weekday, opens, closes) spans: office hours, evenings, day and night, a weekly group.
TIMETABLES = [
    [(day, time(9), time(17)) for day in WEEKDAYS],
    [(day, time(18), time(23)) for day in EVERY_DAY],
    [(day, time(0), time(23, 59)) for day in EVERY_DAY],
    [(2, time(10), time(12)), (2, time(13, 30), time(15, 30))],
    [(day, time(8), time(20)) for day in WEEKDAYS] + [(5, time(10), time(14))],
]
REVIEW_SPREAD_DAYS = 500  # some offers are overdue for their yearly check


def generate_offers(*, scale: int, per_scale: int = OFFERS_PER_SCALE) -> dict:
    """Create (or top up) ``per_scale × scale`` bench offers in the directory."""
    with transaction.atomic():
        index = offers_index()
        areas = [Area.objects.get_or_create(name=name)[0] for name in AREAS]
        needs = {need.slug: need for need in Need.objects.all()}
        providers = list(
            Organisation.objects.filter(name__startswith="Bench ").order_by("name")
        ) or list(Organisation.objects.order_by("name"))
        existing = set(
            OfferPage.objects.filter(slug__startswith=SLUG_PREFIX).values_list("slug", flat=True)
        )
        wanted = [
            number
            for number in range(1, per_scale * scale + 1)
            if f"{SLUG_PREFIX}{number:05d}" not in existing
        ]
        if wanted:
            _add_offers(index, wanted, areas=areas, needs=needs, providers=providers)
    return {"offers": {"created": len(wanted), "total": OfferPage.objects.count()}}


def _add_offers(index: OffersIndexPage, numbers: list[int], *, areas, needs, providers) -> None:
    # Lock the directory's row: a concurrent add_child would otherwise take the same paths.
    index = OffersIndexPage.objects.select_for_update().get(pk=index.pk)
    last = index.get_last_child()
    step = Page._str2int(last.path[-Page.steplen :]) if last else 0
    depth = index.depth + 1
    content_type = ContentType.objects.get_for_model(OfferPage)
    now = timezone.now()
    today = timezone.localdate()

    offers = []
    for position, number in enumerate(numbers, start=step + 1):
        kind, need_slugs = KINDS[number % len(KINDS)]
        area = areas[number % len(areas)]
        slug = f"{SLUG_PREFIX}{number:05d}"
        title = f"{area.name} {kind} {number}"
        offer = OfferPage(
            title=title,
            draft_title=title,
            slug=slug,
            path=Page._get_path(index.path, depth, position),
            depth=depth,
            numchild=0,
            url_path=f"{index.url_path}{slug}/",
            content_type=content_type,
            locale_id=index.locale_id,
            translation_key=uuid.uuid4(),
            live=True,
            has_unpublished_changes=False,
            first_published_at=now,
            last_published_at=now,
            provider=providers[number % len(providers)],
            summary=(
                f"{kind} for people in {area.name}. Friendly, confidential and free; "
                "co-produced with people who have used it."
            ),
            easy_read_summary=f"We help people in {area.name}. It is free.",
            self_referral=number % 3 != 0,
            self_referral_phone="0300 123 4000" if number % 3 != 0 else "",
            self_referral_drop_in=number % 4 == 0,
            via_gp=number % 2 == 0,
            phone=f"01632 {number % 1000:03d} {number % 10000:04d}",
            in_person=number % 5 != 0,
            online=number % 3 == 1,
            by_phone=number % 4 == 1,
            bsl=number % 10 == 0,
            languages="Urdu, Polish" if number % 7 == 0 else "",
            last_reviewed=today - timedelta(days=number % REVIEW_SPREAD_DAYS),
        )
        offer._bench_needs = [needs[slug] for slug in need_slugs if slug in needs]
        offer._bench_area = area
        offer._bench_times = TIMETABLES[number % len(TIMETABLES)]
        offers.append(offer)

    page_fields = [field.attname for field in Page._meta.concrete_fields]
    pages = [Page(**{name: getattr(offer, name) for name in page_fields}) for offer in offers]
    Page.objects.bulk_create(pages, batch_size=BATCH_SIZE)
    # SQLite and PostgreSQL return the new ids; fetch them by path where a backend does not.
    if any(page.pk is None for page in pages):
        ids = dict(Page.objects.filter(path__in=[p.path for p in pages]).values_list("path", "id"))
        for page in pages:
            page.pk = ids[page.path]
    for offer, page in zip(offers, pages, strict=True):
        offer.pk = offer.page_ptr_id = offer.id = page.pk
    _insert_own_rows(OfferPage, offers)
    Page.objects.filter(pk=index.pk).update(numchild=F("numchild") + len(offers))

    needs_through = OfferPage.needs.through
    needs_through.objects.bulk_create(
        [needs_through(offerpage_id=o.pk, need_id=n.pk) for o in offers for n in o._bench_needs],
        batch_size=BATCH_SIZE,
    )
    areas_through = OfferPage.areas.through
    areas_through.objects.bulk_create(
        [areas_through(offerpage_id=o.pk, area_id=o._bench_area.pk) for o in offers],
        batch_size=BATCH_SIZE,
    )
    OpeningTime.objects.bulk_create(
        [
            OpeningTime(offer_id=o.pk, weekday=day, opens=opens, closes=closes, sort_order=n)
            for o in offers
            for n, (day, opens, closes) in enumerate(o._bench_times)
        ],
        batch_size=BATCH_SIZE,
    )
    get_search_backend().add_bulk(
        OfferPage,
        OfferPage.objects.filter(pk__in=[o.pk for o in offers])
        .select_related("provider")
        .prefetch_related("needs"),
    )
    # The directory's own search entries, as publishing an offer would write them.
    reindex_offers([o.pk for o in offers])


def _insert_own_rows(model, objects) -> None:
    """INSERT only ``model``'s own table's columns, for rows whose parent rows exist.

    This is what ``bulk_create`` would do if it allowed multi-table inheritance.
    """
    fields = model._meta.local_concrete_fields
    quote = connection.ops.quote_name
    # Names from the model's metadata, quoted; every value is a query parameter.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        quote(model._meta.db_table),
        ", ".join(quote(field.column) for field in fields),
        ", ".join(["%s"] * len(fields)),
    )
    rows = [
        [field.get_db_prep_save(getattr(obj, field.attname), connection) for field in fields]
        for obj in objects
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH_SIZE):
            cursor.executemany(sql, rows[start : start + BATCH_SIZE])


@register_generator
def _bench_offers(*, scale: int) -> dict:
    return generate_offers(scale=scale)


@register_big_generator
def _big_offers() -> dict:
    return generate_offers(scale=BIG_OFFERS // OFFERS_PER_SCALE)


# --- Scenarios -----------------------------------------------------------------------------


def _directory_url(**filters) -> str:
    url = OffersIndexPage.objects.get().get_url()
    return f"{url}?{urlencode(filters, doseq=True)}" if filters else url


def _bench_offer_url() -> str:
    """An offer from the middle of the bench directory, with alternatives to find."""
    slugs = OfferPage.objects.filter(slug__startswith=SLUG_PREFIX).order_by("slug")
    count = slugs.count()
    return slugs[count // 2].get_url()


register("directory", _directory_url)
register("directory-filter", lambda: _directory_url(need="crisis", open_now="on"))
register("directory-search", lambda: _directory_url(q="peer support", area="northdale"))
register("offer", _bench_offer_url)
