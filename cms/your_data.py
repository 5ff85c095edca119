"""A person's copy of everything the platform holds about them (UK GDPR Article 15).

Built from the registry of personal data (``cms.data_registry``), so every app's records
are in it without this module knowing any app: ``gather`` collects the person's records,
kind by kind, with the registry's plain words on why each is held and for how long;
``build_zip`` writes them as a readable page, a machine-readable file and copies of the
person's stored files. The copy is made in the background as a report (``your_data``) for
the person, or for a member of staff answering a request received by letter or phone.
"""

import datetime
import decimal
import io
import json
import logging
import posixpath
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import capfirst

from . import data_registry, jobs
from .audit import audit_export
from .dates import date_in_words
from .models import ReportJob
from .permissions import can

logger = logging.getLogger(__name__)

REPORT_KIND = "your_data"
RULE = "cms.handle_data_requests"
# Field names that hold keys, never information about the person: left out of every copy.
SECRET_WORDS = ("password", "secret", "token", "recovery")

NOT_GIVEN = "Not given"
NoProgress: Callable[[int, str], None] = lambda percent, message="": None  # noqa: E731


@dataclass
class Value:
    """One field of one record: its name, label, the value for the machine-readable file
    and the words for the readable page (``file`` is the path of a copied file)."""

    name: str
    label: str
    data: object
    words: str
    file: str = ""
    stored: object = None


@dataclass
class Record:
    model: str
    pk: object
    values: list[Value]


@dataclass
class Section:
    """The person's records of one registered kind, with the registry's plain words."""

    entry: data_registry.PersonalData
    records: list[Record]

    @property
    def words(self) -> dict:
        entry = self.entry
        return {
            "model": entry.model._meta.label_lower,
            "label": entry.label,
            "purpose": entry.purpose,
            "lawful_basis": entry.basis.label,
            "condition": entry.condition.label if entry.condition else "",
            "kept_for": entry.retention.words,
            "why_kept_that_long": entry.retention.reason,
            "shared_with": entry.shared_with,
        }


@dataclass
class Group:
    """Every section of one data class (contact details, payment...)."""

    data_class: data_registry.DataClass
    sections: list[Section] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"class-{self.data_class.value}"

    @property
    def count(self) -> int:
        return sum(len(section.records) for section in self.sections)


# --- Gathering ----------------------------------------------------------------------------


def _is_secret(model_field: models.Field) -> bool:
    return any(word in model_field.name.lower() for word in SECRET_WORDS)


def fields_of(entry: data_registry.PersonalData) -> list[models.Field]:
    """The fields a person's copy shows for ``entry``: what the registry exports, never a
    secret (a password hash, a calendar key)."""
    return [f for f in entry.export_fields() if not _is_secret(f)]


def _rows(entry, person, export_fields) -> models.QuerySet:
    """The person's rows of ``entry`` in one query: linked records joined in, not fetched
    one by one."""
    related = []
    for f in export_fields:
        if f.is_relation and f.many_to_one:
            related.append(f.name)
            # A linked record's name often names its own link ("Meeting 3 (Crisis panel)").
            related.extend(
                f"{f.name}__{g.name}"
                for g in f.related_model._meta.concrete_fields
                if g.is_relation and g.many_to_one
            )
    rows = entry.owned_by(person)
    if related:
        rows = rows.select_related(*related)
    return rows.order_by("pk")


def _choice_words(model_field, value) -> str | None:
    if not model_field.choices:
        return None
    return str(dict(model_field.flatchoices).get(value, value))


def _json_words(value, labels: dict | None = None) -> str:
    """A stored list or mapping in words; codes from a list of choices (``large_print``)
    become their labels ("Large print") when the registry names the choices."""
    labels = labels or {}
    if isinstance(value, list):
        return ", ".join(_json_words(item, labels) for item in value) or NOT_GIVEN
    if isinstance(value, dict):
        return (
            "; ".join(f"{key}: {_json_words(item, labels)}" for key, item in value.items())
            or NOT_GIVEN
        )
    if value in (None, ""):
        return NOT_GIVEN
    return str(labels.get(value, value))


def _machine_value(value):
    if isinstance(value, datetime.datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    return value


def file_path(record_model: str, pk, name: str) -> str:
    return f"files/{record_model}/{pk}/{posixpath.basename(name)}"


def _value_of(row, model_field: models.Field, record_model: str, labels=None) -> Value:
    label = capfirst(str(model_field.verbose_name))
    name = model_field.name
    if model_field.is_relation:
        related = getattr(row, name)
        text = str(related) if related is not None else None
        return Value(name, label, text, text or NOT_GIVEN)
    raw = getattr(row, model_field.attname)
    if isinstance(model_field, models.FileField):
        if not raw:
            return Value(name, label, None, "No file")
        path = file_path(record_model, row.pk, raw.name)
        return Value(name, label, path, posixpath.basename(raw.name), file=path, stored=raw)
    choice = _choice_words(model_field, raw)
    if choice is not None and raw not in (None, ""):
        return Value(name, label, choice, choice)
    if raw is None or raw == "":
        return Value(name, label, raw, NOT_GIVEN)
    if isinstance(raw, bool):
        return Value(name, label, raw, "Yes" if raw else "No")
    if isinstance(raw, datetime.date):
        return Value(name, label, _machine_value(raw), date_in_words(raw))
    if isinstance(model_field, models.JSONField):
        return Value(name, label, raw, _json_words(raw, labels))
    return Value(name, label, _machine_value(raw), str(raw))


def gather(person, progress=NoProgress) -> list[Group]:
    """Everything registered as held about ``person``, grouped by data class in the
    registry's order. One query per registered kind, however many records each has."""
    entries = data_registry.entries()
    sections: dict[str, list[Section]] = {}
    for done, entry in enumerate(entries):
        progress(5 + int(75 * done / max(len(entries), 1)), f"Gathering: {entry.label}")
        export_fields = fields_of(entry)
        record_model = entry.model._meta.label_lower
        records = [
            Record(
                record_model,
                row.pk,
                [
                    _value_of(row, f, record_model, entry.choice_labels.get(f.name))
                    for f in export_fields
                ],
            )
            for row in _rows(entry, person, export_fields)
        ]
        if records:
            sections.setdefault(entry.data_class, []).append(Section(entry, records))
    return [
        Group(data_class, sections[data_class])
        for data_class in data_registry.DataClass
        if data_class in sections
    ]


# --- Writing ------------------------------------------------------------------------------


def as_json(person, groups: list[Group], made_at) -> dict:
    """The machine-readable copy: stable keys (model labels, field names)."""
    return {
        "about": "Everything the Lived Experience Platform holds about you.",
        "person": {"id": person.pk, "email": person.email},
        "made_at": _machine_value(made_at),
        "data_classes": [
            {
                "data_class": group.data_class.value,
                "label": group.data_class.label,
                "kinds": [
                    {
                        **section.words,
                        "records": [
                            {value.name: value.data for value in record.values}
                            for record in section.records
                        ],
                    }
                    for section in group.sections
                ],
            }
            for group in groups
        ],
    }


def as_html(person, groups: list[Group], made_at) -> str:
    """The readable copy: one page, no outside resources, for anyone to follow."""
    return render_to_string(
        "cms/your_data/document.html",
        {
            "person": person,
            "name": person.get_full_name() or person.email,
            "made_on": date_in_words(made_at),
            "groups": groups,
            "site_name": settings.WAGTAIL_SITE_NAME,
            "total": sum(group.count for group in groups),
        },
    )


def _copy_files(archive: zipfile.ZipFile, groups: list[Group]) -> int:
    """Copies of the person's stored files (receipts...), under ``files/``. A file that
    cannot be read is named in a note rather than stopping the copy."""
    copied, missing = 0, []
    for group in groups:
        for section in group.sections:
            for record in section.records:
                for value in record.values:
                    if value.file:
                        content = _read_file(value.stored)
                        if content is None:
                            missing.append(value.file)
                            value.words = f"{value.words} (the file could not be found)"
                            continue
                        archive.writestr(value.file, content)
                        copied += 1
    if missing:
        archive.writestr(
            "files/MISSING.txt",
            "These files are listed in your records but could not be found:\n"
            + "\n".join(missing)
            + "\n",
        )
    return copied


def _read_file(stored) -> bytes | None:
    try:
        with stored.open("rb") as handle:
            return handle.read()
    except Exception:
        # Any storage (local disk, object storage) raises its own errors when a file is gone.
        logger.warning("A stored file for a copy of someone's data is missing: %s", stored.name)
        return None


def build_zip(person, progress=NoProgress) -> tuple[bytes, int]:
    """The person's copy as a zip file, and how many records it holds."""
    made_at = timezone.now()
    groups = gather(person, progress)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        progress(82, "Copying your files")
        _copy_files(archive, groups)
        progress(92, "Writing your copy")
        archive.writestr("your-data.html", as_html(person, groups, made_at))
        archive.writestr(
            "your-data.json",
            json.dumps(as_json(person, groups, made_at), indent=2, ensure_ascii=False),
        )
    return buffer.getvalue(), sum(group.count for group in groups)


# --- The report ---------------------------------------------------------------------------


def _person_id(params) -> int | None:
    value = params.get("person") if isinstance(params, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def may_request(user, params) -> bool:
    """A person may ask for their own copy; those who handle requests about personal
    data, for anyone's. The copy is always made for the person named as asking (``by``)."""
    if not getattr(user, "is_authenticated", False):
        return False
    person_id = _person_id(params)
    if person_id is None or params.get("by") != user.pk:
        return False
    return person_id == user.pk or can(user, RULE)


def _reason(person, by, params) -> str:
    if by.pk == person.pk:
        return "The person downloaded a copy of their own data"
    received = params.get("received_on")
    return (
        f"A copy of their data for their subject access request received on {received}"
        if received
        else "A copy of their data for their subject access request"
    )


def generate(params: dict, progress) -> tuple[str, bytes]:
    """Made by the worker: the copy, audited against the person it is about."""
    users = get_user_model()._default_manager
    person = users.get(pk=_person_id(params))
    by = users.get(pk=params["by"])
    progress(2, "Starting")
    content, count = build_zip(person, progress)
    audit_export(user=by, instance=person, reason=_reason(person, by, params), count=count)
    return f"your-data-{timezone.localdate():%Y-%m-%d}.zip", content


def register_your_data_report() -> None:
    """Called from CmsConfig.ready, so the worker knows the kind before any task."""
    jobs.register_report(REPORT_KIND, generate=generate, may_request=may_request)


@transaction.atomic
def copy_request(*, person, by, data_request=None) -> ReportJob:
    """Ask for a copy of ``person``'s data, made by ``by``; refused (``jobs.ReportRefused``)
    unless ``may_request`` allows it. Staff answering a request name it."""
    params = {"person": person.pk, "by": by.pk}
    if by.pk == person.pk:
        title = "A copy of your data"
    else:
        title = f"A copy of the data of {person.email}"[:200]
    if data_request is not None:
        params["data_request"] = data_request.pk
        params["received_on"] = date_in_words(data_request.received_on)
    return jobs.report_request(kind=REPORT_KIND, title=title, params=params, user=by)


def copies_of(person) -> models.QuerySet:
    """The person's own recent copies (not those staff made of other people's)."""
    return ReportJob.objects.filter(
        kind=REPORT_KIND, requested_by=person, params__person=person.pk
    ).order_by("-created_at")
