"""The privacy notice's list of the personal data we hold, read from the register.

``cms.data_registry`` is the one statement of what the platform keeps about people, why,
on what lawful basis and for how long. The privacy notice's "Personal data we hold" block
shows ``register_sections()``, so the notice says whatever the apps have registered and
cannot drift from what the site really does with people's information.
"""

from dataclasses import dataclass

from . import data_registry
from .data_registry import Fate, PersonalData


@dataclass(frozen=True)
class Row:
    """One line of an entry's summary: a question and its answer."""

    question: str
    answer: str


@dataclass(frozen=True)
class Entry:
    """One registered kind of record, in words."""

    label: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Section:
    """One data class (contact details, payment, wellbeing...) and its records."""

    key: str
    title: str
    special_category: bool
    entries: tuple[Entry, ...]


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else f"{text}."


def how_long_in_words(entry: PersonalData) -> str:
    """``"6 years. HMRC needs payment records..."``: the time limit, then the reason."""
    retention = entry.retention
    words = _sentence(retention.words)
    if retention.counted_from and retention.then == Fate.ANONYMISE:
        words = _sentence(f"{retention.words}, then the details that identify you are removed")
    return f"{words} {_sentence(retention.reason)}".strip()


def on_close_in_words(entry: PersonalData) -> str:
    return _sentence(Fate(entry.on_close).label)


def _rows(entry: PersonalData) -> tuple[Row, ...]:
    rows = [
        Row("Why we keep it", _sentence(entry.purpose)),
        Row("Lawful basis", data_registry.Basis(entry.basis).label),
    ]
    if entry.condition is not None:
        rows.append(
            Row(
                "Condition for sensitive information",
                data_registry.Condition(entry.condition).label,
            )
        )
    if entry.shared_with:
        rows.append(Row("Who we share it with", _sentence(entry.shared_with)))
    rows.append(Row("How long we keep it", how_long_in_words(entry)))
    rows.append(Row("If you close your account", on_close_in_words(entry)))
    return tuple(rows)


def register_sections() -> list[Section]:
    """Every data class with something registered, in the register's order."""
    return [
        Section(
            key=str(data_class.value),
            title=str(data_class.label),
            special_category=data_class in data_registry.SPECIAL_CATEGORY,
            entries=tuple(Entry(label=entry.label, rows=_rows(entry)) for entry in group),
        )
        for data_class, group in data_registry.by_class()
    ]


__all__ = ["Entry", "Row", "Section", "how_long_in_words", "register_sections"]
