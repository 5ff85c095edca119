"""Outcome figures a partner collated for an offer, entered in the admin: saved with who
entered them and when, by the editors and engagement leads of the offer's provider only."""

from django.db import transaction
from django.utils import timezone

from cms.permissions import require

from ..models import OfferOutcomeFigures

RULE = "peers.keep_offer_outcomes"
# What the figures say, as against who entered them and when.
_FIGURES = [
    field.attname
    for field in OfferOutcomeFigures._meta.concrete_fields
    if field.name not in ("id", "entered_by", "entered_at")
]


def outcome_figures_save(*, by, figures: OfferOutcomeFigures) -> OfferOutcomeFigures:
    """Save new or changed ``figures`` (already checked by their form), recording ``by``
    as the person who entered them. Refused (``Refused``) unless ``by`` keeps the offer's
    figures, and when changed, the figures as they were too (another organisation's
    figures cannot be moved onto an offer of one's own)."""
    require(by, RULE, figures.offer)
    if figures.pk is not None:
        before = OfferOutcomeFigures.objects.select_related("offer").get(pk=figures.pk)
        require(by, RULE, before)
        if not any(getattr(before, name) != getattr(figures, name) for name in _FIGURES):
            # Sent back unchanged: whoever entered them still did.
            return figures
    figures.full_clean()
    with transaction.atomic():
        figures.entered_by = by
        figures.entered_at = timezone.now()
        figures.save()
    return figures
