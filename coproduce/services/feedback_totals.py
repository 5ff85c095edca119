"""Keeping each organisation's monthly feedback totals equal to its feedback.

The trends page (``coproduce.selectors.feedback.feedback_trends``) reads ``FeedbackMonth``
for whole months instead of counting up to hundreds of thousands of pieces of feedback each
time. A totals row is never adjusted by adding or taking away: the whole month is recounted
from ``Feedback`` (through the organisation-and-date index), so a retried or repeated
recount gives the same answer. Recounts of one organisation take turns (its row is locked
on PostgreSQL; SQLite writes one at a time anyway), so two pieces of feedback arriving
together cannot both add their month's rows.

Every change made through the ORM to one piece of feedback that could alter a total — given,
hidden or shown again, its rating, offer or themes changed, deleted — recounts its month
through the receivers connected in ``CoproduceConfig.ready``. Bulk loads (``bulk_create``,
``update``) send no signals, so the demo and the bench call ``feedback_totals_rebuild``
afterwards; ``manage.py rebuild_feedback_totals`` does the same for everyone.
"""

from collections.abc import Iterable
from datetime import date, datetime

from django.db import transaction
from django.db.models import Max, Min
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.utils import timezone

from cms.models import Organisation
from cms.months import month_start

from ..models import Feedback, Theme
from ..models.feedback_totals import FeedbackMonth
from ..selectors.feedback import counted_sums, start_of_day

Kind = FeedbackMonth.Kind
BATCH_SIZE = 2000
# What a recount depends on: a save that changes none of these (a status, a public
# response) leaves the totals as they are.
COUNTED_FIELDS = (
    "organisation_id",
    "created_at",
    "hidden",
    "rating",
    "felt_listened_to",
    "offer_id",
    "offer_title",
)


def month_of(moment: datetime) -> date:
    """The first day of ``moment``'s month, London time."""
    return month_start(timezone.localtime(moment).date())


def _counted(organisation_id: int, month: date):
    return Feedback.objects.filter(
        organisation_id=organisation_id,
        hidden=False,
        created_at__gte=start_of_day(month),
        created_at__lt=start_of_day(month_start(month, months_back=-1)),
    ).order_by()


def _rows_for(organisation_id: int, month: date):
    """The month's totals rows, counted in three grouped queries."""
    counted = _counted(organisation_id, month)
    common = {"organisation_id": organisation_id, "month": month}

    def row(kind, group, **fields):
        return FeedbackMonth(
            **common,
            **fields,
            kind=kind,
            count=group["count"],
            rating_sum=group["rating_sum"] or 0,
            rated=group["rated"],
            listened=group["listened"],
        )

    for group in counted.values("offer_id", "offer_title").annotate(**counted_sums()):
        yield row(Kind.ALL, group, offer_title=group["offer_title"], offer_id=group["offer_id"])
    # A left join to the themes: a piece with none is one group of its own (no theme).
    for group in counted.values("offer_title", "themes").annotate(**counted_sums()):
        kind = Kind.NO_THEME if group["themes"] is None else Kind.THEME
        yield row(kind, group, offer_title=group["offer_title"], theme_id=group["themes"])
    pairs = (
        Feedback.themes.through.objects.filter(feedback__in=counted.values("pk"))
        .order_by()
        .values("theme_id", "feedback__themes")
        .annotate(**counted_sums("feedback__"))
    )
    for group in pairs:
        yield row(
            Kind.PAIR, group, theme_id=group["theme_id"], also_theme_id=group["feedback__themes"]
        )


@transaction.atomic
def feedback_totals_recount(months: Iterable[tuple[int | None, date | None]]) -> None:
    """Recount the totals of each (organisation id, first day of a month)."""
    wanted = sorted({(o, m) for o, m in months if o is not None and m is not None})
    for organisation_id in sorted({o for o, _ in wanted}):
        # Recounts of one organisation take turns (a no-op on SQLite, which writes in turn).
        list(
            Organisation.objects.select_for_update()
            .filter(pk=organisation_id)
            .values_list("pk", flat=True)
        )
    for organisation_id, month in wanted:
        FeedbackMonth.objects.filter(organisation_id=organisation_id, month=month).delete()
        FeedbackMonth.objects.bulk_create(_rows_for(organisation_id, month), batch_size=BATCH_SIZE)


@transaction.atomic
def feedback_totals_rebuild(*, organisations: Iterable[int] | None = None) -> int:
    """Recount every month of ``organisations`` (ids; everyone when not given) from their
    feedback, after a bulk load or to repair; returns the number of totals rows made."""
    rows = FeedbackMonth.objects.all()
    feedback = Feedback.objects.order_by()
    if organisations is not None:
        ids = list(organisations)
        rows = rows.filter(organisation_id__in=ids)
        feedback = feedback.filter(organisation_id__in=ids)
    rows.delete()
    months = []
    spans = feedback.values("organisation_id").annotate(
        first=Min("created_at"), last=Max("created_at")
    )
    for span in spans:
        month, last = month_of(span["first"]), month_of(span["last"])
        while month <= last:
            months.append((span["organisation_id"], month))
            month = month_start(month, months_back=-1)
    feedback_totals_recount(months)
    return rows.count()


# --- Keeping them up to date as feedback changes ---------------------------------------------


def _stored(pk) -> dict | None:
    return Feedback.objects.filter(pk=pk).values(*COUNTED_FIELDS).first()


def _place(values) -> tuple[int | None, date | None]:
    created_at = values["created_at"]
    return values["organisation_id"], month_of(created_at) if created_at else None


def _remember_what_was_counted(sender, instance: Feedback, raw=False, **kwargs) -> None:
    instance._counted_was = None if raw or instance.pk is None else _stored(instance.pk)


def _feedback_saved(sender, instance: Feedback, created=False, raw=False, **kwargs) -> None:
    if raw:
        return
    now = {name: getattr(instance, name) for name in COUNTED_FIELDS}
    was = getattr(instance, "_counted_was", None)
    if not created and was == now:
        return
    feedback_totals_recount([_place(now), _place(was) if was else (None, None)])


def _feedback_deleting(sender, instance: Feedback, **kwargs) -> None:
    """Where it was counted as stored: the object being deleted may be an older copy."""
    instance._counted_was = _stored(instance.pk)


def _feedback_deleted(sender, instance: Feedback, **kwargs) -> None:
    was = getattr(instance, "_counted_was", None)
    if was:
        feedback_totals_recount([_place(was)])


def _themes_changed(sender, instance, action: str, reverse: bool, pk_set=None, **kwargs) -> None:
    """A piece of feedback's themes were added, removed or cleared (from either side). A
    theme's feedback cleared from the theme's side names no pieces afterwards, so they are
    noted before."""
    if reverse and action == "pre_clear":
        instance._feedback_before_clear = set(instance.feedback.values_list("pk", flat=True))
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        feedback_totals_recount([_place(_counted_values(instance))])
        return
    pks = pk_set if action != "post_clear" else getattr(instance, "_feedback_before_clear", ())
    if pks:
        feedback_totals_recount(
            _place(values)
            for values in Feedback.objects.filter(pk__in=pks).values(
                "organisation_id", "created_at"
            )
        )


def _counted_values(feedback: Feedback) -> dict:
    return {"organisation_id": feedback.organisation_id, "created_at": feedback.created_at}


def _theme_deleted(sender, instance: Theme, **kwargs) -> None:
    """Deleting a theme takes its links with it without a signal per piece of feedback:
    pieces left with no theme move group, so every month is recounted (themes are rarely
    deleted)."""
    feedback_totals_rebuild()


def connect_feedback_totals() -> None:
    """Called once from ``CoproduceConfig.ready`` (through ``coproduce.signals``)."""
    pre_save.connect(
        _remember_what_was_counted, sender=Feedback, dispatch_uid="feedback_totals_pre"
    )
    post_save.connect(_feedback_saved, sender=Feedback, dispatch_uid="feedback_totals_saved")
    pre_delete.connect(_feedback_deleting, sender=Feedback, dispatch_uid="feedback_totals_deleting")
    post_delete.connect(_feedback_deleted, sender=Feedback, dispatch_uid="feedback_totals_deleted")
    m2m_changed.connect(
        _themes_changed, sender=Feedback.themes.through, dispatch_uid="feedback_totals_themes"
    )
    post_delete.connect(_theme_deleted, sender=Theme, dispatch_uid="feedback_totals_theme_gone")
