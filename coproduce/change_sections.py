"""The "Changes made because people spoke" section of every offer page, added through the
shell's ``construct_offer_page_sections`` hook (the shell does not import co-production).

It lists the latest published service changes to the offer, with a link to all of them in
"You said, we did", in at most two queries whatever the number of changes; an offer no
change has touched shows nothing.
"""

from django.template.loader import render_to_string
from django.utils.http import urlencode

from .models import ServiceChangePage
from .selectors import changes as selectors
from .views.changes import STATUS_TAGS


def changes_section(request, offer) -> str:
    changes = selectors.changes_for_offer(request.user, offer)
    if not changes:
        return ""
    for change in changes:
        change.status_tag = STATUS_TAGS.get(change.status, "")
    shown = changes[: selectors.SHOWN_ON_OFFER]
    index = selectors.changes_index()
    all_url = (
        f"{index.get_url(request)}?{urlencode({'offer': offer.slug})}" if index is not None else ""
    )
    return render_to_string(
        "coproduce/changes/offer_section.html",
        {
            "offer": offer,
            "changes": shown,
            "more": len(changes) > selectors.SHOWN_ON_OFFER,
            # A planned change has not been made yet: the section says so.
            "all_done": all(change.status == ServiceChangePage.Status.DONE for change in shown),
            "all_url": all_url,
        },
        request=request,
    )


def add_changes_section(request, offer, sections):
    section = changes_section(request, offer)
    if section:
        sections.append(section)
