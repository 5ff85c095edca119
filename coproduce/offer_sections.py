"""The feedback section of every offer page, added through the shell's
``construct_offer_page_sections`` hook (the shell does not import co-production).

It shows the ratings only once there are enough to say nothing about anyone, the latest
published comments with the provider's replies, and the way to give feedback, in at most
two queries whatever the number of comments.
"""

from django.template.loader import render_to_string
from django.urls import reverse

from .selectors import feedback as selectors


def feedback_section(request, offer) -> str:
    ratings = selectors.offer_ratings(offer)
    latest = (
        list(selectors.published_on(offer)[: selectors.LATEST_ON_OFFER_PAGE])
        if ratings.published
        else []
    )
    # Rendered with the request, so Wagtail reads the site's root paths once for every
    # link to a service change.
    return render_to_string(
        "coproduce/feedback/offer_section.html",
        {
            "offer": offer,
            "ratings": ratings,
            "latest": latest,
            "provider_name": offer.provider.name,
            "give_url": reverse("coproduce:feedback_give", kwargs={"offer_id": offer.pk}),
            "all_url": reverse("coproduce:feedback_on_offer", kwargs={"offer_id": offer.pk}),
        },
        request=request,
    )


def add_feedback_section(request, offer, sections):
    sections.append(feedback_section(request, offer))
