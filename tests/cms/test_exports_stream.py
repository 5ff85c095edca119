"""Exports stream in pieces of about 64 KB, not a row at a time, and the sessions download
reads the worker's history a chunk at a time, so a million rows fit in constant memory."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.exports import BYTE_ORDER_MARK, csv_response, csv_rows
from peers.models.sessions import OutcomeMeasure, Setting
from peers.selectors import activity
from tests.factories import (
    NeedFactory,
    OfferPageFactory,
    PeerWorkerFactory,
    SafeguardingConcernFactory,
    SessionLogFactory,
)


def test_rows_are_sent_in_pieces_that_end_with_a_whole_row():
    rows = [["Name", "Note"]] + [
        [f"Person {n}", "=SUM(A1)" if n == 7 else "x" * 50] for n in range(5000)
    ]
    pieces = list(csv_rows(rows, piece_size=4096))
    assert 10 < len(pieces) < 200  # far fewer pieces than rows
    assert pieces[0].startswith(BYTE_ORDER_MARK)
    assert all(piece.endswith("\r\n") for piece in pieces)
    assert all(len(piece) < 4096 + 200 for piece in pieces)
    read = list(csv.reader(io.StringIO("".join(pieces).removeprefix(BYTE_ORDER_MARK))))
    assert len(read) == 5001
    assert read[8] == ["Person 7", "'=SUM(A1)"]  # still inert in a spreadsheet


def test_an_empty_export_is_only_its_byte_order_mark_or_nothing():
    assert list(csv_rows([])) == [BYTE_ORDER_MARK]
    assert list(csv_rows([], byte_order_mark=False)) == []


def test_the_response_streams_and_is_never_kept():
    response = csv_response(iter([["a"], ["b"]]), "x.csv")
    assert response.streaming
    assert response["Cache-Control"] == "no-store"
    assert b"".join(response.streaming_content).decode("utf-8-sig") == "a\r\nb\r\n"


@pytest.mark.django_db
def test_the_sessions_download_reads_in_chunks_and_misses_no_row_at_their_edges(monkeypatch):
    monkeypatch.setattr(activity, "EXPORT_CHUNK", 4)
    worker = PeerWorkerFactory()
    money, housing = NeedFactory(name="Money worries"), NeedFactory(name="Somewhere to live")
    café = OfferPageFactory(title="Crisis café")
    today = date(2026, 4, 10)
    made = []
    # Several on one day, so chunks split a day and must go on by id.
    for n in range(11):
        made.append(
            SessionLogFactory(
                worker=worker,
                date=today - timedelta(days=n // 3),
                duration_minutes=30 + n,
                setting=Setting.PHONE,
                offer=café if n % 2 else None,
                topics=[housing, money] if n == 5 else [],
                signposted_to=[café] if n == 6 else [],
                outcome_measure=OutcomeMeasure.GOAL if n == 2 else "",
                outcome_score=7 if n == 2 else None,
            )
        )
    SafeguardingConcernFactory(session=made[9])
    SessionLogFactory(date=today)  # someone else's

    count, rows = activity.session_export_rows(worker)
    with CaptureQueriesContext(connection) as queries:
        rows = list(rows)
    assert count == 11
    # Newest day first; on one day, the last logged first.
    assert [row[1] for row in rows] == [
        30 + n for n in sorted(range(11), key=lambda n: (n // 3, -n))
    ]
    by_minutes = {row[1]: row for row in rows}
    assert by_minutes[35][6] == "Money worries; Somewhere to live"
    assert by_minutes[36][7] == "Crisis café"
    assert by_minutes[31][3] == "Crisis café" and by_minutes[30][3] == ""
    assert by_minutes[32][8:10] == ["Goal-based outcome (0 to 10)", 7]
    assert by_minutes[39][10] == "Yes" and by_minutes[38][10] == "No"
    # Three chunks of four: each costs the same few queries, never one per row.
    assert len(queries) <= 3 * 5 + 1
