"""Counting the SQL queries a page costs, for the query-count tests every list and
dashboard has (the same count with 3 rows and 30)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms import page_cache


def queries_for(client, url: str, *, status: int = 200) -> int:
    """How many queries a GET of ``url`` issues; it must answer with ``status``. What a
    page costs to make, so a visitor's copy of it (cms/page_cache.py) is not used."""
    page_cache.copies.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return len(queries)
