"""Exports that people open in spreadsheets: the one way the project writes CSV and Excel.

Text people typed could start with "=", "+", "-", "@", a tab or a carriage return and run
as a formula when a CSV or Excel file is opened; such values are exported with a leading
apostrophe. Two doors, and no other:

- a Wagtail index view or report with ``list_export`` gets ``SpreadsheetSafeExportMixin``
  (``ScopedModelViewSet`` and ``SafeIndexView`` carry it already);
- a hand-written download returns ``csv_response(rows, filename)``, which streams.

``tests/cms/test_every_export_is_safe.py`` finds every export the site serves and checks a
formula-shaped value comes out inert, so a new export that skips both doors fails there.
Exports are logged against the exporter's organisation (or themselves).
"""

import csv
import io
from collections import OrderedDict
from collections.abc import Iterable

from django.db.models import BooleanField, F, Func, Value
from django.http import StreamingHttpResponse
from wagtail.admin.views import generic
from wagtail.coreutils import multigetattr

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A byte order mark, so spreadsheet programs read "£" and accented names as UTF-8.
BYTE_ORDER_MARK = "\ufeff"


def spreadsheet_safe(value):
    """``value``, made safe to open in a spreadsheet when it is text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _value_at(item, path: str):
    """``item``'s value at a dotted ``path``; an empty cell where a link is missing (a
    worker with no team), where Wagtail's own lookup would fail the whole download."""
    for part in path.split("."):
        if item is None:
            return None
        item = multigetattr(item, part)
    return item


class SpreadsheetSafeExportMixin:
    """For Wagtail index views and reports with ``list_export``: every exported value, in
    CSV and Excel, made safe after any per-field formatting the view does."""

    def to_row_dict(self, item):
        return OrderedDict((field, _value_at(item, field)) for field in self.list_export)

    def preprocess_field_value(self, field, value, export_format):
        return spreadsheet_safe(super().preprocess_field_value(field, value, export_format))


class SafeIndexView(SpreadsheetSafeExportMixin, generic.IndexView):
    """Wagtail's model listing with spreadsheet-safe exports, for viewsets that are not
    scoped to an organisation (``ScopedModelViewSet`` has its own)."""


# Rows are sent in pieces of about this many characters: one write per row would cost a
# million trips through the response and the server for a million rows.
PIECE_SIZE = 64 * 1024


def csv_rows(
    rows: Iterable[Iterable], *, byte_order_mark: bool = True, piece_size: int = PIECE_SIZE
) -> Iterable[str]:
    """The CSV file in pieces of about ``piece_size`` characters (each ending at the end of a
    row), byte order mark first, every cell spreadsheet-safe. Only one piece is held at once."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if byte_order_mark:
        buffer.write(BYTE_ORDER_MARK)
    for row in rows:
        # spreadsheet_safe, written out: a million rows of a dozen cells each would spend
        # more time calling it than writing.
        writer.writerow(
            [
                "'" + value
                if isinstance(value, str) and value.startswith(FORMULA_STARTS)
                else value
                for value in row
            ]
        )
        if buffer.tell() >= piece_size:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


class RowsBefore(Func):
    """``(a, b) < (x, y)``: the rows that come before a place in (a, b) order, as one
    comparison an index on (…, a, b) seeks to. Large exports read a chunk at a time, each
    after the last row of the one before: ``rows_before(("date", "pk"), (day, pk))``."""

    output_field = BooleanField()
    conditional = True

    def as_sql(self, compiler, connection, **extra):
        parts, params = [], []
        for expression in self.get_source_expressions():
            sql, found = compiler.compile(expression)
            parts.append(sql)
            params.extend(found)
        half = len(parts) // 2
        return f"({', '.join(parts[:half])}) < ({', '.join(parts[half:])})", params


def rows_before(fields: tuple[str, ...], values: tuple) -> RowsBefore:
    """The condition for rows before ``values`` in ``fields`` order (see RowsBefore)."""
    if len(fields) != len(values):
        raise ValueError("rows_before needs one value for each field.")
    return RowsBefore(*(F(name) for name in fields), *(Value(value) for value in values))


def csv_response(
    rows: Iterable[Iterable], filename: str, *, byte_order_mark: bool = True
) -> StreamingHttpResponse:
    """A CSV download streamed from ``rows`` (a heading row first, then the data).

    Rows are read lazily, so a large export starts at once and never sits in memory. The
    file is never cached: exports hold people's records. Files for other programs than
    spreadsheets (a bank's importer) go without the byte order mark.
    """
    response = StreamingHttpResponse(
        csv_rows(rows, byte_order_mark=byte_order_mark), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def export_audit_subject(user):
    """What an export is logged against: the person's organisation, else the person."""
    return user.organisation if getattr(user, "organisation_id", None) else user
