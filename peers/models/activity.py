"""Daily totals of each peer worker's session logs, kept beside the logs so the hours and
activity summary reads a few thousand rows instead of every session a worker ever logged.

A busy worker sees hundreds of people and signposts to hundreds of offers each day, so a
year of daily rows is still too many to count distinct people or rank offers on every page
view: the people are also kept per month (whole months are read from the monthly rows, the
days of a part month from the daily ones), and the offers per twelve months.

The totals are a copy worked out from ``SessionLog`` and never typed by anyone: a change to
a session recounts its day and month (``peers.services.activity_totals``), and
``manage.py rebuild_activity_totals`` recounts them all after a bulk load.
"""

from django.db import models


class ActivityDay(models.Model):
    """One worker's sessions on one day in one setting: minutes, sessions, group sessions."""

    worker = models.ForeignKey(
        "peers.PeerWorker", on_delete=models.CASCADE, related_name="activity_days"
    )
    date = models.DateField()
    setting = models.CharField(max_length=12)
    minutes = models.PositiveIntegerField(default=0)
    sessions = models.PositiveIntegerField(default=0)
    group_sessions = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "date", "setting"], name="peers_activity_day_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sessions} sessions on {self.date}"


class ActivityPersonDay(models.Model):
    """A person (by the worker's reference) the worker supported on a day, and how often:
    distinct people over a period are counted from these rows."""

    worker = models.ForeignKey(
        "peers.PeerWorker", on_delete=models.CASCADE, related_name="activity_people"
    )
    date = models.DateField()
    person_reference = models.CharField(max_length=40)
    sessions = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "date", "person_reference"],
                name="peers_activity_person_unique",
            )
        ]
        # A person's days in a month, read when their monthly row is counted again.
        indexes = [
            models.Index(
                fields=["worker", "person_reference", "date"], name="peers_person_day_by_ref"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_reference} on {self.date}"


class ActivityTopicDay(models.Model):
    """How many of a worker's sessions on a day touched a need (topic)."""

    worker = models.ForeignKey(
        "peers.PeerWorker", on_delete=models.CASCADE, related_name="activity_topics"
    )
    date = models.DateField()
    need = models.ForeignKey("cms.Need", on_delete=models.CASCADE, related_name="+")
    sessions = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "date", "need"], name="peers_activity_topic_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sessions} sessions on {self.date}"


class ActivitySignpostDay(models.Model):
    """How many of a worker's sessions on a day signposted someone to an offer."""

    worker = models.ForeignKey(
        "peers.PeerWorker", on_delete=models.CASCADE, related_name="activity_signposts"
    )
    date = models.DateField()
    offer = models.ForeignKey("cms.OfferPage", on_delete=models.CASCADE, related_name="+")
    sessions = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "date", "offer"], name="peers_activity_signpost_unique"
            )
        ]
        # An offer's days in twelve months, read when its yearly rows are counted again.
        indexes = [
            models.Index(fields=["worker", "offer", "date"], name="peers_signpost_day_by_offer")
        ]

    def __str__(self) -> str:
        return f"{self.sessions} sessions on {self.date}"


class ActivityPersonMonth(models.Model):
    """A person (by the worker's reference) the worker supported in a calendar month, and
    how often: the month's ``ActivityPersonDay`` rows added up."""

    worker = models.ForeignKey(
        "peers.PeerWorker", on_delete=models.CASCADE, related_name="activity_people_months"
    )
    month = models.DateField(help_text="The first day of the month.")
    person_reference = models.CharField(max_length=40)
    sessions = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "month", "person_reference"],
                name="peers_activity_person_month_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_reference} in {self.month:%B %Y}"


class ActivitySignpostYear(models.Model):
    """How many of a worker's sessions in the twelve calendar months ending with ``month``
    signposted someone to an offer. A worker may signpost to thousands of offers in a year:
    kept per twelve months, the summary's leading offers are the first few rows of an
    index, not a count over every day's rows."""

    worker = models.ForeignKey(
        "peers.PeerWorker", on_delete=models.CASCADE, related_name="activity_signpost_years"
    )
    month = models.DateField(help_text="The first day of the last of the twelve months.")
    offer = models.ForeignKey("cms.OfferPage", on_delete=models.CASCADE, related_name="+")
    sessions = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "month", "offer"], name="peers_activity_signpost_year_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=["worker", "month", "-sessions"], name="peers_signpost_year_leaders"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sessions} sessions in the year to {self.month:%B %Y}"
