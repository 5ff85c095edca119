"""The pieces every app's Wagtail admin home panel is made of, so staff admin homes read alike.

An app's ``construct_homepage_panels`` hook builds ``Section``s (one kind of work: how many
wait, the first few, the filtered list holding them all) and appends a ``WorkPanel`` of them.
A panel with nothing waiting says so in one calm line; a person in the admin whom no panel
speaks to gets ``NothingWaitingPanel``, so nobody meets an empty page (issue 21).
"""

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.forms import Media
from django.template.loader import render_to_string
from django.urls import reverse
from wagtail.admin.ui.components import Component

from . import selectors
from .dates import day_in_words

ROWS_SHOWN = 3
NOTHING_WAITING = "Nothing needs you today."


@dataclass(frozen=True)
class Row:
    """One record waiting: what it is, a line about it, and where to act on it (none: the
    row is said, not linked)."""

    title: str
    detail: str
    url: str = ""


@dataclass(frozen=True)
class Section:
    """One kind of work: how many wait, the first few, and the list that holds them all.
    With ``count`` but no rows, only the number is shown (for records whose details the
    reader may not see)."""

    heading: str
    count: int
    count_text: str  # "2 applications are waiting for a decision"
    none_text: str  # "No applications are waiting for a decision."
    list_url: str
    list_text: str
    rows: list[Row] = field(default_factory=list)
    note: str = ""  # said under the count, e.g. why no details are shown


def first_and_count(queryset: QuerySet, limit: int = ROWS_SHOWN) -> tuple[list, int]:
    """The first ``limit`` rows and how many there are in all: two queries whenever there
    is anything (one when there is nothing), however many there are."""
    first = list(queryset[:limit])
    return first, (queryset.count() if first else 0)


def counted(count: int, one: str, many: str) -> str:
    """``1 claim is`` / ``2 claims are``: a number with the words that agree with it."""
    return f"{count} {one if count == 1 else many}"


class WorkPanel(Component):
    """A Wagtail panel of sections of waiting work; when nothing waits, one calm line
    instead of a column of zeros. ``links`` are (text, url) shown under it either way."""

    template_name = "cms/admin/home_work_panel.html"

    def __init__(
        self,
        *,
        name: str,
        heading: str,
        order: int,
        sections: list[Section],
        links: list[tuple[str, str]] = (),
    ):
        self.name = name
        self.heading = heading
        self.order = order
        self.sections = sections
        self.links = list(links)

    @property
    def nothing_waiting(self) -> bool:
        return not any(section.count for section in self.sections)

    def render_html(self, parent_context=None):
        return render_to_string(
            self.template_name,
            {
                "panel_id": self.name.replace("_", "-"),
                "heading": self.heading,
                "sections": self.sections,
                "nothing_waiting": self.nothing_waiting,
                "nothing_waiting_text": NOTHING_WAITING,
                "links": self.links,
            },
        )


class NothingWaitingPanel(Component):
    """For someone in the admin whom no other panel speaks to: one calm line."""

    name = "nothing_waiting"
    order = 1000

    def render_html(self, parent_context=None):
        return render_to_string("cms/admin/nothing_waiting_panel.html", {"text": NOTHING_WAITING})


class WithoutPageSearch(Component):
    """Takes Wagtail's "Search all pages…" box off the admin home of people who may not
    work on pages: Wagtail's home template always shows it, so a stylesheet hides it. The
    home page gathers every panel's media; this panel brings only that, and no markup."""

    name = "without_page_search"
    order = 0

    @property
    def media(self):
        return Media(css={"all": ["cms/css/admin-home-without-page-search.css"]})

    def render_html(self, parent_context=None):
        return ""


# --- The shell's own panel, and the last word -------------------------------------------------


def offers_to_check_section(*, today) -> Section:
    overdue = selectors.offers_overdue_for_review(today=today)
    first, count = first_and_count(overdue)
    return Section(
        heading="Offers to check",
        count=count,
        count_text=counted(count, "offer was", "offers were")
        + " last checked more than a year ago",
        none_text="Every offer has been checked in the last year.",
        list_url=reverse("offers_overdue_report"),
        list_text="See all offers overdue for review",
        rows=[
            Row(
                title=offer.title,
                detail=f"{offer.provider.name}, last checked on "
                f"{day_in_words(offer.last_reviewed)}",
                url=reverse("wagtailadmin_pages:edit", args=[offer.pk]),
            )
            for offer in first
        ],
    )


def editor_work_panel(*, today) -> WorkPanel:
    return WorkPanel(
        name="editor_work",
        heading="The directory",
        order=22,
        sections=[offers_to_check_section(today=today)],
    )


def speaks_to_nobody(panels) -> bool:
    """Whether none of ``panels`` is one of the site's own (Wagtail's built-in ones show
    nothing unless the person has pages of their own in progress)."""
    return not any(
        not type(panel).__module__.startswith("wagtail.") and panel.name != "without_page_search"
        for panel in panels
    )
