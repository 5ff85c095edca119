"""The "What we changed because people spoke" section of every offer page, added through
the shell's ``construct_offer_page_sections`` hook (the shell does not import co-production).

It lists the latest published service changes to the offer, with a link to all of them in
"You said, we did", in at most two queries whatever the number of changes; an offer no
change has touched shows nothing. Its heading and first sentence are in the tense of the
changes listed, as each change's own page is (``ServiceChangePage.what_changed_heading``):
a planned change is never called made.
"""

from django.template.loader import render_to_string
from django.utils.http import urlencode

from .models import ServiceChangePage
from .selectors import changes as selectors
from .views.changes import STATUS_TAGS

Status = ServiceChangePage.Status

# How the heading ("What we …") and the first sentence ("<offer> … these changes") say each
# status, in the order they are listed: made, being made, not made yet.
_IN_THE_TENSE_OF = {
    Status.DONE: ("changed", "has made"),
    Status.IN_PROGRESS: ("are changing", "is making"),
    Status.PLANNED: ("plan to change", "plans to make"),
}


def _and(parts: list[str]) -> str:
    return " and ".join(filter(None, [", ".join(parts[:-1]), parts[-1]]))


def changes_in_words(statuses) -> tuple[str, str]:
    """The section's heading and the verb of its first sentence for changes in
    ``statuses``: ("What we plan to change because people spoke", "plans to make")."""
    present = set(statuses)
    said = [words for status, words in _IN_THE_TENSE_OF.items() if status in present]
    heading = _and([done for done, _ in said])
    return f"What we {heading} because people spoke", _and([verb for _, verb in said])


def changes_section(request, offer) -> str:
    changes = selectors.changes_for_offer(request.user, offer)
    if not changes:
        return ""
    for change in changes:
        change.status_tag = STATUS_TAGS.get(change.status, "")
    shown = changes[: selectors.SHOWN_ON_OFFER]
    index = selectors.changes_index()
    heading, verb = changes_in_words(change.status for change in shown)
    all_url = (
        f"{index.get_url(request)}?{urlencode({'offer': offer.slug})}" if index is not None else ""
    )
    return render_to_string(
        "coproduce/changes/offer_section.html",
        {
            "offer": offer,
            "changes": shown,
            "more": len(changes) > selectors.SHOWN_ON_OFFER,
            "heading": heading,
            "verb": verb,
            "all_url": all_url,
        },
        request=request,
    )


def add_changes_section(request, offer, sections):
    section = changes_section(request, offer)
    if section:
        sections.append(section)
