"""The staff dashboard of a charter, made once and kept while nothing it shows has changed.

Making it means reading hundreds of readings and drawing a chart and a table for each
measure: tens of milliseconds of Python, and enough short-lived objects to bring on the
garbage collector's slowest passes. Most requests would make the same page again, so the
part below the buttons (and the sentence above them) is kept in this process's memory,
under a key that holds everything it shows that can change:

- the data: the shared generation number of ``cms.page_cache``, which is replaced when any
  charter model (any public content) is saved or deleted, read afresh on every request so
  a change made through another process shows at once; in this process a change also
  forgets every kept dashboard as it is saved (``forget``), before it is committed;
- the names of the people who entered readings ("Entered by …"), which are not charter
  data: read each time, in the same query as the charter (one row per person);
- today (statuses, overdue actions), the language and time zone, and the organisation's
  address (the link to the public page).

Nothing in it is personal: everyone who may open a charter's dashboard keeps that charter
and sees the same links. The form with its CSRF token is never kept.
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date

from django.core.cache import cache
from django.db.models import F, QuerySet
from django.db.models.signals import post_delete, post_save
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from cms import page_cache

from .models import Charter, CharterAction, Commitment, Evidence, Measure, Reading, Review, Target
from .selectors import charter_progress

# What a dashboard shows, as the models it reads: saving or deleting any of them forgets
# this process's dashboards at once (other processes see the new generation).
SHOWN_MODELS = (Charter, Commitment, Measure, Target, Reading, CharterAction, Evidence, Review)
# A dashboard of 30 measures × 24 readings is about 300 kB.
MAX_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class Dashboard:
    """A charter's dashboard as the view shows it: the charter, and its kept parts."""

    charter: Charter
    summary: SafeString  # "Adopted on …", above the buttons
    body: SafeString  # the summary of statuses and everything after it


class _Kept:
    """Dashboards made in this process, the least recently used forgotten first."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.lock = threading.Lock()
        self.parts: OrderedDict[tuple, tuple[SafeString, SafeString]] = OrderedDict()
        self.size = 0
        # Bumped by ``clear``: a dashboard begun before a change is not kept after it.
        self.epoch = 0

    def get(self, key: tuple):
        with self.lock:
            parts = self.parts.get(key)
            if parts is not None:
                self.parts.move_to_end(key)
            return parts

    def put(self, key: tuple, parts: tuple[SafeString, SafeString], *, epoch: int) -> None:
        size = sum(len(part) for part in parts)
        with self.lock:
            if epoch != self.epoch or size > self.max_bytes or key in self.parts:
                return
            self.parts[key] = parts
            self.size += size
            while self.size > self.max_bytes:
                _, old = self.parts.popitem(last=False)
                self.size -= sum(len(part) for part in old)

    def clear(self) -> None:
        with self.lock:
            self.parts.clear()
            self.size = 0
            self.epoch += 1


kept = _Kept(MAX_BYTES)


def forget(**kwargs) -> None:
    """Forget every dashboard this process keeps (a signal receiver, or called directly
    after a bulk change that sends no signal)."""
    kept.clear()


def connect_signals() -> None:
    for model in SHOWN_MODELS:
        uid = f"charter-dashboard-{model._meta.label}"
        post_save.connect(forget, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(forget, sender=model, dispatch_uid=f"{uid}-delete")


def _generation() -> int:
    """The shared generation as it is now, not as this process last looked (up to a
    second ago): the page HR is sent back to after entering a reading must show it."""
    return cache.get(page_cache.GENERATION_KEY) or page_cache.generation.current()


_ENTERED_BY = "commitments__measures__readings__entered_by"


def _charter_and_people(charters: QuerySet, pk: int) -> tuple[Charter, tuple]:
    """The charter ``pk`` among ``charters`` (any other is a 404, like a missing one), with
    its organisation, and who entered its readings as their rows say it: in one query,
    one row for each of those people (a single row when there is none)."""
    rows = list(
        charters.filter(pk=pk)
        .select_related("organisation")
        .annotate(
            person_id=F(f"{_ENTERED_BY}__id"),
            person_first_name=F(f"{_ENTERED_BY}__first_name"),
            person_last_name=F(f"{_ENTERED_BY}__last_name"),
            person_email=F(f"{_ENTERED_BY}__email"),
        )
        .order_by("person_id")
        .distinct()
    )
    if not rows:
        raise Http404("No charter matches the given query.")
    people = tuple(
        (row.person_id, row.person_first_name, row.person_last_name, row.person_email)
        for row in rows
        if row.person_id is not None
    )
    return rows[0], people


def _render(template: str, context: dict) -> SafeString:
    # The last newline of the template's file is not part of the page.
    return mark_safe(render_to_string(template, context).removesuffix("\n"))  # noqa: S308


def charter_dashboard(charters: QuerySet, pk: int, *, today: date) -> Dashboard:
    """The dashboard of the charter ``pk`` among ``charters`` (the ones the person keeps;
    any other is a 404, like a missing one) on ``today``."""
    # The generation (and this process's count of changes) is read before any data, so a
    # change made in between is never kept under the newer number.
    epoch = kept.epoch
    generation = _generation()
    charter, people = _charter_and_people(charters, pk)
    key = (
        charter.pk,
        generation,
        today,
        translation.get_language(),
        timezone.get_current_timezone_name(),
        charter.organisation.slug,
        people,
    )
    parts = kept.get(key)
    if parts is None:
        context = {
            "progress": charter_progress(charter, today=today),
            "charter": charter,
            "public_url": reverse("charter:progress", args=[charter.organisation.slug]),
        }
        parts = (
            _render("charter/admin/dashboard_summary.html", context),
            _render("charter/admin/dashboard_body.html", context),
        )
        kept.put(key, parts, epoch=epoch)
    return Dashboard(charter, *parts)
