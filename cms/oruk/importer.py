"""The importer service: offers created or updated from Open Referral UK services, all of
a file's records or (if any is bad) none.

An import never destroys what an editor has. A record changes only the fields it
carries: a field absent from it leaves the offer's value alone. Records in a list or a
page of services (the summary shape of /services, or a council's bulk file) never clear
anything: an empty value or an empty list in them is read as "not given". Only a single
full service (the /services/{id} shape, one object in the file) may clear a field, by
carrying it empty: ``"contacts": []`` there means the service has no phone now.

Places (ORUK locations) are matched to the offer's by ORUK id and updated, never
duplicated; a place several services share becomes a place of each. A place's own
schedules become its own opening times; dated schedules with no times (and older
versions' closed holiday schedules) become closures.

What an import changes is saved as a draft revision of each offer, built on the offer's
latest revision (an editor's unpublished draft is kept), for an editor to check and
publish; it is published at once only when the editor asks. The result lists, per
offer, each field that changed (before → after) and what in the record was not kept.
The file is read by ``cms.oruk.import_file``, each record by ``cms.oruk.import_records``.
"""

import uuid
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.text import capfirst

from ..models import Closure, Location, OfferPage, OffersIndexPage, Organisation
from ..slugs import unique_slug
from .export import address_lines
from .ids import derived_location_id, derived_service_id, oruk_uuid
from .import_file import OrukImportError, records_in
from .import_records import (
    BadRecord,
    Lookups,
    PlacePlan,
    Plan,
    opening_time,
    read_record,
    short,
)

# (service id, location id in the file) -> the id that place is stored under, when not its own.
PlaceIds = dict[tuple[uuid.UUID, uuid.UUID], uuid.UUID]
PLACE_FIELDS = (
    "name",
    "address",
    "postcode",
    "latitude",
    "longitude",
    "step_free",
    "how_to_get_there",
)

# Services that are not running are reported and left out rather than published.
CLOSED_STATUSES = ("inactive", "defunct", "temporarily closed")


# Fields an ORUK service can express. Everything else on an offer (easy read, how to get in,
# who it is for) belongs to the editors and is never touched by an import.
IMPORTED_FIELDS = [
    "title",
    "summary",
    "website",
    "email",
    "phone",
    "address",
    "postcode",
    "venue_accessibility",
    "cost",
    "age_from",
    "age_to",
    "last_reviewed",
    "languages",
    "bsl",
    "open_24_hours",
]


@dataclass(frozen=True)
class RecordError:
    index: int  # 1-based: "record 3" as a person counts
    name: str
    reason: str

    def __str__(self):
        label = f"Record {self.index}"
        if self.name:
            label += f" ({self.name})"
        return f"{label}: {self.reason}"


@dataclass(frozen=True)
class FieldChange:
    """One field of an offer an import changed, in short, as the result screen shows it."""

    label: str
    before: str
    after: str

    def __str__(self):
        return f"{self.label}: {self.before or '(none)'} → {self.after or '(none)'}"


@dataclass
class OfferChange:
    """What an import did to one offer, and what in its record was not kept."""

    title: str
    page_id: int | None
    created: bool = False
    changes: list[FieldChange] = field(default_factory=list)
    not_kept: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    published: bool = False
    offers: list[OfferChange] = field(default_factory=list)
    skipped: list[RecordError] = field(default_factory=list)
    errors: list[RecordError] = field(default_factory=list)
    unmatched_terms: list[str] = field(default_factory=list)
    unmatched_areas: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def _span_words(span, place_names: dict[int, str]) -> str:
    dates = " ".join(
        f"{label} {day:%Y-%m-%d}"
        for label, day in (("from", span.valid_from), ("to", span.valid_to))
        if day
    )
    words = f"{span} ({dates})" if dates else str(span)
    place = getattr(span, "_place", None)
    name = place.name if place is not None else place_names.get(span.location_id)
    return f"{words} at {name}" if name else words


def _place_words(place: Location) -> str:
    words = f"{place.name}, {', '.join(address_lines(place.address))} {place.postcode}"
    if place.latitude is not None and place.longitude is not None:
        words += f" ({place.latitude:f}, {place.longitude:f})"
    if place.step_free is not None:
        words += ", step-free" if place.step_free else ", not step-free"
    return words


def _facts(offer: OfferPage) -> dict[str, str]:
    """What an import may change on ``offer``, in short words, by label: compared before
    and after to tell "unchanged" and to list what changed."""
    facts = {"Provider": offer.provider.name if offer.provider_id else ""}
    for name in IMPORTED_FIELDS:
        model_field = OfferPage._meta.get_field(name)
        value = getattr(offer, name)
        if name == "address":
            value = ", ".join(address_lines(value or ""))
        elif isinstance(value, bool):
            value = "Yes" if value else "No"
        facts[capfirst(model_field.verbose_name)] = "" if value is None else str(value)
    facts["Needs"] = ", ".join(sorted(need.name for need in offer.needs.all()))
    facts["Areas"] = ", ".join(sorted(area.name for area in offer.areas.all()))
    place_names = {place.pk: place.name for place in offer.locations.all() if place.pk}
    facts["Opening times"] = "; ".join(
        _span_words(span, place_names)
        for span in sorted(offer.opening_times.all(), key=lambda s: (s.weekday, s.opens))
    )
    facts["Places"] = "; ".join(_place_words(place) for place in offer.locations.all())
    facts["Closures"] = "; ".join(
        f"{c.first_day:%Y-%m-%d} to {c.until:%Y-%m-%d} {c.reason}".strip()
        for c in sorted(offer.closures.all(), key=lambda c: c.first_day)
    )
    return facts


def _field_changes(before: dict[str, str], after: dict[str, str]) -> list[FieldChange]:
    return [
        FieldChange(label, short(before.get(label, "")), short(value))
        for label, value in after.items()
        if before.get(label, "") != value
    ]


def _provider(plan: Plan) -> Organisation:
    provider = Organisation.objects.filter(name__iexact=plan.provider_name).first()
    if provider is None:
        provider = Organisation.objects.create(
            name=plan.provider_name, website=plan.provider_website
        )
    return provider


def _place_key(place: Location) -> uuid.UUID:
    return place.oruk_id or derived_location_id(place.pk)


def _apply(
    offer: OfferPage, plan: Plan, lookups: Lookups, place_ids: dict[uuid.UUID, uuid.UUID]
) -> list[tuple]:
    """Set on ``offer`` (in memory) what the record carries, and nothing else. Returns
    the opening times that belong to a place not yet saved, with that place, for the
    caller to link once the place has a row (``place_ids``: the id each new place is
    stored under)."""
    for name, value in plan.values.items():
        if name == "address" and address_lines(offer.address) == address_lines(value):
            continue  # the same address: keep the editor's line breaks
        setattr(offer, name, value)
    current = offer.provider.name.lower() if offer.provider_id else None
    if plan.provider_name and plan.provider_name.lower() != current:
        offer.provider = _provider(plan)
    if plan.need_ids is not None:
        offer.needs = [lookups.needs[pk] for pk in sorted(plan.need_ids)]
    if plan.area_ids is not None:
        offer.areas = [lookups.areas[pk] for pk in sorted(plan.area_ids)]
    places = _places(offer, plan, place_ids)
    pending = []
    if plan.opening_times is not None or plan.places is not None:
        spans = [
            opening_time(span)
            for span in sorted(
                plan.opening_times
                if plan.opening_times is not None
                else {_span(t) for t in offer.opening_times.all() if t.location_id is None},
                key=lambda span: (span[0], span[1]),
            )
        ]
        for place, wanted in places:
            own = wanted.spans if wanted is not None else None
            if own is None and place.pk is not None:
                own = {_span(t) for t in offer.opening_times.all() if t.location_id == place.pk}
            for span in sorted(own or (), key=lambda span: (span[0], span[1])):
                time = opening_time(span)
                if place.pk is not None:
                    time.location = place
                else:
                    time._place = place
                    pending.append((time, place))
                spans.append(time)
        offer.opening_times = spans
    if plan.closures is not None:
        offer.closures = [
            Closure(first_day=first, last_day=last, reason=reason)
            for first, last, reason in sorted(plan.closures, key=lambda c: (c[0], str(c[1])))
        ]
    return pending


def _span(time) -> tuple:
    return (time.weekday, time.opens, time.closes, time.valid_from, time.valid_to)


def _places(
    offer: OfferPage, plan: Plan, place_ids: dict[uuid.UUID, uuid.UUID]
) -> list[tuple[Location, PlacePlan | None]]:
    """The offer's places as the record leaves them: each it names, matched to the one
    the offer has by ORUK id and updated, or new; with the record's plan for each."""
    existing = list(offer.locations.all())
    if plan.places is None:
        return [(place, None) for place in existing]
    by_key = {_place_key(place): place for place in existing}
    chosen = []
    for wanted in plan.places:
        stored_id = place_ids.get((plan.oruk_id, wanted.oruk_id), wanted.oruk_id)
        place = by_key.get(wanted.oruk_id) or by_key.get(stored_id)
        if place is None:
            place = Location(oruk_id=stored_id)
        for name in PLACE_FIELDS:
            setattr(place, name, getattr(wanted, name))
        chosen.append((place, wanted))
    offer.locations = [place for place, _ in chosen]
    return chosen


def _plans(records, lookups: Lookups, result: ImportResult, *, full: bool) -> list[Plan]:
    plans: list[Plan] = []
    first_seen: dict[uuid.UUID, int] = {}
    for index, record in enumerate(records, start=1):
        name = str(record.get("name") or "")[:80] if isinstance(record, dict) else ""
        status = (record.get("status") or "active") if isinstance(record, dict) else "active"
        if status in CLOSED_STATUSES:
            result.skipped.append(RecordError(index, name, f"Not imported: it is {status}."))
            continue
        try:
            if status != "active":
                raise BadRecord(f"The status '{status}' is not one ORUK knows.")
            plan = read_record(record, lookups, index=index, full=full)
            if plan.oruk_id in first_seen:
                raise BadRecord(f"It has the same id as record {first_seen[plan.oruk_id]}.")
            first_seen[plan.oruk_id] = index
            plans.append(plan)
        except BadRecord as bad:
            result.errors.append(RecordError(index, name, str(bad)))
    return plans


def _new_offers_are_complete(plans, existing, result: ImportResult) -> None:
    """A record that makes a new offer must say what an offer cannot be without."""
    for plan in plans:
        if plan.oruk_id in existing:
            continue
        name = plan.values["title"][:80]
        if "summary" not in plan.values:
            reason = "The service has no description: every offer needs a summary."
            result.errors.append(RecordError(plan.index, name, reason))
        elif not plan.provider_name:
            reason = "Say which organisation provides the service (organization.name)."
            result.errors.append(RecordError(plan.index, name, reason))
    result.errors.sort(key=lambda error: error.index)


def _offer_created(
    index_page: OffersIndexPage,
    plan: Plan,
    lookups: Lookups,
    taken_slugs: set[str],
    place_ids: PlaceIds,
) -> tuple[OfferPage, OfferChange]:
    """A new offer, not live, under the directory: with a slug no offer there has and no
    earlier record of this import took (added to ``taken_slugs``)."""
    offer = OfferPage(oruk_id=plan.oruk_id, live=False, has_unpublished_changes=True)
    pending = _apply(offer, plan, lookups, place_ids)
    offer.slug = unique_slug(
        index_page.get_children(),
        offer.title,
        max_length=200,
        fallback="offer",
        taken=taken_slugs,
    )
    taken_slugs.add(offer.slug)
    index_page.add_child(instance=offer)
    # Saving the offer saved its places; now their own opening times can name them.
    for time, place in pending:
        time.location = place
        time.save(update_fields=["location"])
    change = OfferChange(offer.title, offer.pk, created=True)
    change.changes = _field_changes({}, _facts(offer))
    return offer, change


def _offer_updated(
    offer: OfferPage,
    plan: Plan,
    lookups: Lookups,
    place_ids: PlaceIds,
    *,
    publish: bool,
) -> tuple[OfferPage, OfferChange]:
    """The offer as the record would leave it (in memory, not saved), and what changed."""
    live = offer.live
    # The latest revision, so an editor's unpublished draft is built on, not lost.
    offer = offer.get_latest_revision_as_object()
    before = _facts(offer)
    pending = _apply(offer, plan, lookups, place_ids)
    change = OfferChange(offer.title, offer.pk)
    change.changes = _field_changes(before, _facts(offer))
    if pending and (publish or not live):
        # A new place's row is made now (nobody sees it before the offer is published)
        # so that its own opening times can name it in the revision.
        for place in {id(place): place for _, place in pending}.values():
            place.offer = offer
            place.save()
        for time, place in pending:
            time.location = place
    elif pending:
        # On a live offer a new place's row would show at once: its own times wait.
        names = sorted({place.name for _, place in pending})
        offer.opening_times = [
            time for time in offer.opening_times.all() if getattr(time, "_place", None) is None
        ]
        plan.not_kept.append(
            f"service_at_locations: the opening times at {', '.join(names)} (a new place): "
            "publish the offer, then import the file again to add them"
        )
        change.changes = _field_changes(before, _facts(offer))
    return offer, change


def offers_import_oruk(*, data, user=None, publish: bool = False) -> ImportResult:
    """Create or update offers from ORUK services: all of them, or (if any is bad) none.

    Records are matched to offers by ORUK id: the id an earlier import stored, or the id
    our own feed gives an offer. Each new or changed offer gets a draft revision by
    ``user``, published only when ``publish`` is true; the caller must have checked
    ``can(user, "cms.import_offers")``. Raises OrukImportError when the data as a whole
    is not ORUK services.
    """
    records, full = records_in(data)
    lookups = Lookups.load()
    result = ImportResult(published=publish)
    plans = _plans(records, lookups, result, full=full)
    existing = _existing_offers([plan.oruk_id for plan in plans])
    _new_offers_are_complete(plans, existing, result)
    result.unmatched_terms = sorted(lookups.unmatched_terms)
    result.unmatched_areas = sorted(lookups.unmatched_areas)
    if result.errors:
        return result

    with transaction.atomic():
        index_page = OffersIndexPage.objects.first()
        if index_page is None:
            raise OrukImportError(
                "There is no offers directory to import into. Add the directory page first."
            )
        taken_slugs: set[str] = set()
        place_ids = _place_ids(plans, existing)
        for plan in plans:
            offer = existing.get(plan.oruk_id)
            if offer is None:
                offer, change = _offer_created(index_page, plan, lookups, taken_slugs, place_ids)
                result.created += 1
            else:
                offer, change = _offer_updated(offer, plan, lookups, place_ids, publish=publish)
                if not change.changes:
                    result.unchanged += 1
                else:
                    result.updated += 1
            change.not_kept = plan.not_kept
            result.offers.append(change)
            if not (change.created or change.changes):
                continue
            # Who may import (and so publish what they import) is decided once, by the
            # "cms.import_offers" rule, before this is called; the command line has no user
            # for Wagtail's page permissions to check.
            revision = offer.save_revision(user=user, log_action=True)
            if publish:
                revision.publish(user=user, skip_permission_checks=True)
    return result


def _existing_offers(ids: list[uuid.UUID]) -> dict[uuid.UUID, OfferPage]:
    """Offers (live or not) that these ORUK ids name, by stored or derived id."""
    wanted = set(ids)
    found: dict[uuid.UUID, int] = {}
    for pk, translation_key, stored in OfferPage.objects.values_list(
        "pk", "translation_key", "oruk_id"
    ):
        key = stored or derived_service_id(translation_key)
        if key in wanted:
            found[key] = pk
    offers = (
        OfferPage.objects.filter(pk__in=found.values())
        .select_related("provider")
        .prefetch_related("needs", "areas", "opening_times")
        .in_bulk()
    )
    return {key: offers[pk] for key, pk in found.items()}


def _place_ids(plans: list[Plan], existing: dict) -> PlaceIds:
    """The id each place in the file is stored under. ORUK locations are shared (one
    library, several services) but each of our places belongs to one offer: a place
    whose id another offer's place already has, or an earlier service in the file
    named, is stored under an id derived from both (and found by it next time)."""
    wanted = [(plan, place) for plan in plans for place in plan.places or ()]
    owners = dict(
        Location.objects.filter(oruk_id__in=[place.oruk_id for _, place in wanted]).values_list(
            "oruk_id", "offer_id"
        )
    )
    ids: PlaceIds = {}
    claimed: set[uuid.UUID] = set()
    for plan, place in wanted:
        offer = existing.get(plan.oruk_id)
        owner = owners.get(place.oruk_id)
        shared = (owner is not None and (offer is None or owner != offer.pk)) or (
            owner is None and place.oruk_id in claimed
        )
        if shared:
            ids[(plan.oruk_id, place.oruk_id)] = oruk_uuid(
                f"location:{place.oruk_id}:service:{plan.oruk_id}"
            )
        claimed.add(place.oruk_id)
    return ids
