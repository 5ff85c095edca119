"""Monthly totals of each organisation's feedback, kept beside the feedback so the trends
page adds up a few thousand rows instead of every piece of feedback received.

The totals are a copy worked out from ``Feedback`` and never typed by anyone: a change to
a piece of feedback recounts its organisation's month (``coproduce.services.feedback_totals``),
and ``manage.py rebuild_feedback_totals`` recounts them all after a bulk load. Hidden
feedback (spam, abuse) is never counted, as on the trends page.
"""

from django.db import models


class FeedbackMonth(models.Model):
    """One group of an organisation's shown feedback in one London month, with the sums the
    trends page adds together (count, ratings, felt listened to).

    Which feedback a row counts depends on its ``kind``:

    - ``ALL``: every piece on the offer titled ``offer_title``, each once;
    - ``THEME``: the pieces on that offer given ``theme``;
    - ``NO_THEME``: the pieces on that offer given no theme at all;
    - ``PAIR``: the pieces (on any offer) given both ``theme`` and ``also_theme``, the theme
      itself included as its own pair, so "feedback about waiting times" can still be broken
      down by every theme it raised.
    """

    class Kind(models.IntegerChoices):
        ALL = 1, "All feedback on an offer"
        THEME = 2, "Feedback on an offer with a theme"
        NO_THEME = 3, "Feedback on an offer with no theme"
        PAIR = 4, "Feedback with two themes"

    organisation = models.ForeignKey(
        "cms.Organisation", on_delete=models.CASCADE, related_name="feedback_months"
    )
    month = models.DateField(help_text="The first day of the month, London time.")
    kind = models.PositiveSmallIntegerField(choices=Kind.choices)
    offer_title = models.CharField(max_length=255, blank=True)
    # On ``ALL`` rows only: the offers with feedback, for the trends' offer filter.
    offer = models.ForeignKey(
        "cms.OfferPage", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    theme = models.ForeignKey(
        "coproduce.Theme", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    also_theme = models.ForeignKey(
        "coproduce.Theme", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    count = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)
    listened = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(
                fields=["organisation", "kind", "month", "theme"],
                name="coproduce_feedback_month",
            )
        ]

    def __str__(self) -> str:
        return f"{self.count} pieces of feedback in {self.month:%B %Y}"
