"""The registry of personal data: what the platform holds about people, why, and for how long.

Each app (the shell too) declares, in its own ``personal_data.py``, every model that holds
information about a person::

    register(
        PersonalData(
            model=InvolvementClaim,
            owner="member",
            data_class=DataClass.PAYMENT,
            label="Claims for payment",
            purpose="To pay you for the time you give and the costs you have.",
            basis=Basis.LEGAL_OBLIGATION,
            retention=Retention(
                years=6, counted_from="created_at", reason="HMRC ...", then=Fate.DELETE
            ),
            on_close=Fate.KEEP,
        )
    )

and every link to a member of staff that records who did something (``approved_by``) with
``register_staff_links``. A test fails when any model with a link to a person is in neither.

One registry answers every question a data protection officer asks, so nothing can drift:
a person's download is built from it (``owned_by``), closing an account erases what it says
(``erase``), the retention task purges what has passed its period (``due_for_retention``), the
audit log knows whose record was looked at (``owner_id_of``), and the privacy notice prints
it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone


class DataClass(models.TextChoices):
    """The kinds of personal data, each with its own reason, basis and time limit."""

    ACCOUNT = "account", "Your account and signing in"
    CONTACT = "contact", "Contact details"
    ACCESS_NEEDS = "access_needs", "Access needs"
    IDENTITY = "identity", "Identity and equality"
    PAYMENT = "payment", "Payment"
    INVOLVEMENT = "involvement", "Involvement in panels"
    FEEDBACK = "feedback", "Feedback"
    EMPLOYMENT = "employment", "Employment and development"
    SESSION_RECORDS = "session_records", "Session records"
    SAFEGUARDING = "safeguarding", "Safeguarding"
    SUPERVISION = "supervision", "Supervision"
    WELLBEING = "wellbeing", "Wellbeing"
    RECRUITMENT = "recruitment", "Recruitment"
    AUDIT = "audit", "Records of who looked at or changed information"


# Special-category data (UK GDPR Article 9) needs a condition as well as a lawful basis.
SPECIAL_CATEGORY = frozenset(
    {
        DataClass.ACCESS_NEEDS,
        DataClass.IDENTITY,
        DataClass.SESSION_RECORDS,
        DataClass.SAFEGUARDING,
        DataClass.WELLBEING,
    }
)


class Basis(models.TextChoices):
    """The lawful basis for processing, UK GDPR Article 6(1)."""

    CONSENT = "consent", "Your consent (Article 6(1)(a))"
    CONTRACT = "contract", "A contract with you, or steps you asked for (Article 6(1)(b))"
    LEGAL_OBLIGATION = "legal_obligation", "A legal obligation we have (Article 6(1)(c))"
    VITAL_INTERESTS = "vital_interests", "Protecting someone's life (Article 6(1)(d))"
    PUBLIC_TASK = "public_task", "A task in the public interest (Article 6(1)(e))"
    LEGITIMATE_INTERESTS = "legitimate_interests", "Our legitimate interests (Article 6(1)(f))"


class Condition(models.TextChoices):
    """The condition for special-category data, UK GDPR Article 9(2) and the Data
    Protection Act 2018, Schedule 1."""

    EXPLICIT_CONSENT = "explicit_consent", "Your explicit consent (Article 9(2)(a))"
    EMPLOYMENT = (
        "employment",
        "Employment law (Article 9(2)(b); Data Protection Act 2018, Schedule 1, paragraph 1)",
    )
    VITAL_INTERESTS = "vital_interests", "Protecting someone's life (Article 9(2)(c))"
    EQUALITY = (
        "equality",
        "Equality of opportunity (Article 9(2)(g); Data Protection Act 2018, Schedule 1, "
        "paragraph 8)",
    )
    SAFEGUARDING = (
        "safeguarding",
        "Safeguarding people at risk (Article 9(2)(g); Data Protection Act 2018, Schedule 1, "
        "paragraph 18)",
    )
    HEALTH_AND_CARE = (
        "health_and_care",
        "Providing health or social care (Article 9(2)(h); Data Protection Act 2018, "
        "Schedule 1, paragraph 2)",
    )


class Fate(models.TextChoices):
    """What happens to a record when its time is up or its person closes their account."""

    DELETE = "delete", "Deleted"
    ANONYMISE = "anonymise", "Kept with the details that identify you removed"
    KEEP = "keep", "Kept until its time limit, no longer linked to your name"


@dataclass(frozen=True)
class Retention:
    """How long a record is kept: a period counted from one of its dates (a lookup such as
    ``"paid_at"`` or ``"worker__left_on"``), and why. With no date to count from, a record
    is kept while the person's account is open and goes when it closes."""

    reason: str
    counted_from: str = ""
    years: int = 0
    months: int = 0
    days: int = 0
    then: Fate = Fate.DELETE
    # Only these rows are on the clock (e.g. claims that were paid); None means all.
    only: Q | None = None

    @property
    def period(self) -> relativedelta:
        return relativedelta(years=self.years, months=self.months, days=self.days)

    def cutoff(self, now: datetime) -> datetime:
        """Records dated before this have passed their time."""
        return now - self.period

    @property
    def words(self) -> str:
        if not self.counted_from:
            return "while your account is open"
        parts = []
        for amount, unit in ((self.years, "year"), (self.months, "month"), (self.days, "day")):
            if amount:
                parts.append(f"{amount} {unit}{'' if amount == 1 else 's'}")
        return " and ".join(parts) or "no time"


@dataclass(frozen=True)
class PersonalData:
    """One model's records of one kind of personal data."""

    model: type[models.Model]
    # The lookup from this model to the person's user ("" for the user itself).
    owner: str
    data_class: DataClass
    label: str
    purpose: str
    basis: Basis
    retention: Retention
    on_close: Fate
    condition: Condition | None = None
    # What the person's download shows; empty means every field but ids and people links.
    fields: tuple[str, ...] = ()
    # What "anonymise" blanks; empty means ``fields``. Values here override the blank.
    erase_fields: tuple[str, ...] = ()
    blank_values: dict = field(default_factory=dict)
    # Words for codes kept in lists (a JSON list of access needs), by field name:
    # {"access_needs": AccessNeed} — any TextChoices, or a dict of code to words.
    choice_labels: dict = field(default_factory=dict)
    # Other people's accounts linked from these records, and who the data is shared with.
    staff_links: tuple[str, ...] = ()
    shared_with: str = ""
    # Only these rows of the model are this kind of record (a job application that led to a
    # job is part of the staff record; one that did not is a recruitment record).
    scope: Q | None = None
    # For records found some other way than a link (an email address in a message).
    owner_q: Callable[[models.Model], Q] | None = None
    # When records past their time need more than deleting or blanking (closing a dormant
    # account): called with the due rows, returns how many it dealt with.
    expire: Callable[[models.QuerySet], int] | None = None

    def __post_init__(self):
        labels = {
            name: dict(choices.choices) if hasattr(choices, "choices") else dict(choices)
            for name, choices in self.choice_labels.items()
        }
        object.__setattr__(self, "choice_labels", labels)

    @property
    def key(self) -> str:
        return f"{self.model._meta.label_lower}:{self.data_class}"

    def owned_by(self, person) -> models.QuerySet:
        """The records of this kind about ``person``."""
        rows = self.rows()
        if self.owner_q is not None:
            return rows.filter(self.owner_q(person))
        if not self.owner:
            return rows.filter(pk=person.pk)
        return rows.filter(**{self.owner: person})

    def rows(self) -> models.QuerySet:
        """Every record of this kind, whoever it is about."""
        rows = self.model._default_manager.all()
        return rows if self.scope is None else rows.filter(self.scope)

    def export_fields(self) -> list[models.Field]:
        opts = self.model._meta
        if self.fields:
            return [opts.get_field(name) for name in self.fields]
        skip = {self.owner.split("__")[0], *self.staff_links}
        return [
            f
            for f in opts.concrete_fields
            if not f.primary_key
            and f.name not in skip
            and not (f.is_relation and f.related_model is _user_model())
            and not isinstance(f, models.OneToOneField | models.AutoField)
            and not f.name.endswith("_ptr")
        ]

    def blanks(self) -> dict:
        """Field values that leave a record with nothing that identifies its person."""
        names = self.erase_fields or tuple(f.name for f in self.export_fields())
        values = {}
        for name in names:
            if name in self.blank_values:
                values[name] = self.blank_values[name]
                continue
            values[name] = _blank_for(self.model._meta.get_field(name), self)
        return values

    def due_for_retention(self, now: datetime) -> models.QuerySet:
        """Records past their time limit that still need purging or anonymising."""
        if not self.retention.counted_from:
            return self.model._default_manager.none()
        cutoff = self.retention.cutoff(now)
        if not isinstance(
            _final_field(self.model, self.retention.counted_from), models.DateTimeField
        ):
            cutoff = timezone.localdate(cutoff) if timezone.is_aware(cutoff) else cutoff.date()
        rows = self.rows().filter(**{f"{self.retention.counted_from}__lt": cutoff})
        if self.retention.only is not None:
            rows = rows.filter(self.retention.only)
        if self.retention.then == Fate.ANONYMISE and self.expire is None:
            # Rows already anonymised are not due again.
            rows = rows.exclude(self._already_blank())
        return rows

    def _already_blank(self) -> Q:
        """Rows already anonymised, so they are not counted again: every erasable field
        with a plain blank value is blank."""
        already = Q()
        for name, value in self.blanks().items():
            if hasattr(value, "resolve_expression"):
                continue
            already &= Q(**{f"{name}__isnull": True}) if value is None else Q(**{name: value})
        if not already:
            raise ImproperlyConfigured(
                f"{self.key}: anonymising needs one erasable field with a plain blank value."
            )
        return already


def _final_field(model, lookup: str) -> models.Field:
    """The field a lookup such as ``"worker__left_on"`` ends at."""
    *path, last = lookup.split("__")
    for step in path:
        model = model._meta.get_field(step).related_model
    return model._meta.get_field(last)


def _user_model():
    from django.contrib.auth import get_user_model

    return get_user_model()


def _blank_for(model_field: models.Field, entry: PersonalData):
    if model_field.null:
        return None
    if isinstance(model_field, models.JSONField):
        default = model_field.default
        return default() if callable(default) else {}
    if isinstance(model_field, models.CharField | models.TextField | models.FileField):
        return ""
    if isinstance(model_field, models.BooleanField):
        return False
    raise ImproperlyConfigured(
        f"{entry.key}: {model_field.name} cannot be blanked; give it a blank_values entry."
    )


@dataclass(frozen=True)
class StaffLinks:
    """Links from a model to the staff accounts that did something, not personal data about
    the person in the record: kept as the record's history. When a member of staff closes
    their account, their name leaves the account, so these links no longer name them."""

    model: type[models.Model]
    fields: tuple[str, ...]
    why: str


_entries: list[PersonalData] = []
_staff_links: list[StaffLinks] = []


def register(*entries: PersonalData) -> None:
    for entry in entries:
        if any(e.key == entry.key for e in _entries):
            raise ImproperlyConfigured(f"{entry.key} is registered twice.")
        if entry.data_class in SPECIAL_CATEGORY and entry.condition is None:
            raise ImproperlyConfigured(
                f"{entry.key} is special-category data: give its Article 9 condition."
            )
        _entries.append(entry)


def register_staff_links(model, *fields: str, why: str) -> None:
    _staff_links.append(StaffLinks(model=model, fields=tuple(fields), why=why))


def entries() -> list[PersonalData]:
    return list(_entries)


def staff_links() -> list[StaffLinks]:
    return list(_staff_links)


def entries_for(model) -> list[PersonalData]:
    model = getattr(model, "_meta", None) and model._meta.concrete_model or model
    return [e for e in _entries if e.model._meta.concrete_model is model]


def by_class() -> Iterator[tuple[DataClass, list[PersonalData]]]:
    """The registry grouped by data class, in the classes' order (for the privacy notice)."""
    for data_class in DataClass:
        group = [e for e in _entries if e.data_class == data_class]
        if group:
            yield data_class, group


def owner_id_of(instance) -> int | None:
    """The id of the person a record is about, or None when it is about nobody in
    particular. Used by the audit log so each person can see who looked at their records."""
    user_model = _user_model()
    if isinstance(instance, user_model):
        return instance.pk
    found = entries_for(type(instance))
    if not found or not found[0].owner:
        return None
    value = instance
    for step in found[0].owner.split("__"):
        value = getattr(value, step, None)
        if value is None:
            return None
    return value.pk


def erase(entry: PersonalData, rows: models.QuerySet, fate: Fate) -> int:
    """Apply ``fate`` to ``rows`` of ``entry``; returns how many records it touched. Deleting
    also removes the rows' stored files (receipts, reports) once the deletion commits."""
    if fate == Fate.KEEP:
        return rows.count()
    if fate == Fate.ANONYMISE:
        return rows.update(**entry.blanks())
    file_fields = [
        f.name for f in entry.model._meta.concrete_fields if isinstance(f, models.FileField)
    ]
    files = []
    if file_fields:
        for row in rows.only("pk", *file_fields):
            files.extend(getattr(row, name) for name in file_fields if getattr(row, name))
    count = rows.count()
    rows.delete()
    for stored in files:
        transaction.on_commit(lambda stored=stored: stored.storage.delete(stored.name))
    return count


def discover() -> None:
    """Import every app's ``personal_data`` module (from ``CmsConfig.ready``)."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("personal_data")


__all__ = [
    "Basis",
    "Condition",
    "DataClass",
    "Fate",
    "PersonalData",
    "Retention",
    "SPECIAL_CATEGORY",
    "by_class",
    "discover",
    "entries",
    "entries_for",
    "erase",
    "owner_id_of",
    "register",
    "register_staff_links",
    "staff_links",
]
