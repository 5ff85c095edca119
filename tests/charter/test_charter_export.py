"""The charters export says "Published" or "Draft" in words, as the list does (issue 21)."""

import csv
import io

import pytest
from openpyxl import load_workbook

from tests.conftest import sign_in
from tests.factories import CharterFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hr_client(client, make_person):
    return sign_in(client, make_person("hr"))


@pytest.fixture
def charters(organisation):
    CharterFactory(organisation=organisation, title="This year", published=True)
    CharterFactory(organisation=organisation, title="Next year", version=2, published=False)


def test_the_charters_csv_says_published_or_draft(hr_client, charters):
    response = hr_client.get("/admin/charters/?export=csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    rows = {row["Title"]: row for row in csv.DictReader(io.StringIO(body))}
    assert rows["This year"]["Status"] == "Published"
    assert rows["Next year"]["Status"] == "Draft"
    assert "True" not in body and "False" not in body


def test_the_charters_spreadsheet_says_published_or_draft(hr_client, charters):
    response = hr_client.get("/admin/charters/?export=xlsx")
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = load_workbook(io.BytesIO(content)).active
    heading, *rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    status = heading.index("Status")
    assert sorted(row[status] for row in rows) == ["Draft", "Published"]
