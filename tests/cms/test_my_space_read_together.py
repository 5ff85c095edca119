"""My space reads every panel's counts and single values in one query, and each comes back
as the queryset alone would give it: a count as ``.count()`` says, a date as a date (not
SQLite's text), and nothing (None) from a queryset with no rows."""

from datetime import date, timedelta

import pytest
from django.db.models import Sum

from cms.models import Organisation
from cms.myspace import first_value, read_together
from peers.factories import PeerWorkerFactory, SupervisionFactory
from peers.models import PeerWorker, Supervision

pytestmark = pytest.mark.django_db


def test_counts_and_values_are_read_in_one_query_as_each_queryset_gives_them(
    django_assert_num_queries,
):
    worker = PeerWorkerFactory()
    SupervisionFactory(worker=worker, date=date(2026, 3, 1))
    SupervisionFactory(worker=worker, date=date(2026, 5, 9))
    latest = Supervision.objects.filter(worker=worker).order_by("-date")
    counts = {
        "supervisions": Supervision.objects.filter(worker=worker),
        "workers": PeerWorker.objects.all(),
    }
    values = {
        "latest": latest.values_list("date", flat=True),
        "as_dict": latest.values("date"),
        "name": Organisation.objects.filter(pk=worker.organisation_id).values_list(
            "name", flat=True
        ),
        "total": Supervision.objects.filter(worker=worker)
        .order_by()
        .values("worker")
        .annotate(days=Sum("worker_id"))
        .values_list("days", flat=True),
        "none": latest.filter(date__gt=date(2030, 1, 1)).values_list("date", flat=True),
    }
    with django_assert_num_queries(1):
        counted, read = read_together(counts=counts, values=values)
    assert counted == {name: queryset.count() for name, queryset in counts.items()}
    assert read == {name: first_value(queryset) for name, queryset in values.items()}
    assert read["latest"] == date(2026, 5, 9) == read["as_dict"]
    assert read["name"] == worker.organisation.name
    assert read["total"] == 2 * worker.pk
    assert read["none"] is None


def test_a_value_of_more_than_one_column_is_refused():
    with pytest.raises(ValueError, match="one column"):
        read_together(
            counts={"workers": PeerWorker.objects.all()},
            values={"two": Supervision.objects.values("date", "worker")},
        )


def test_a_single_queryset_is_read_on_its_own():
    worker = PeerWorkerFactory()
    SupervisionFactory(worker=worker, date=date.today() - timedelta(days=3))
    counted, read = read_together(
        values={"latest": Supervision.objects.values_list("date", flat=True)}
    )
    assert counted == {}
    assert read == {"latest": date.today() - timedelta(days=3)}
