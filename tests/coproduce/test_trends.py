"""Leads see trends in their organisation's feedback: counts by theme, offer and month over
the last 18 months, filterable, as a chart readable without colour with the same numbers in
a table beside it, and as a CSV file whose download is audit-logged."""

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from bs4 import BeautifulSoup
from wagtail.models import ModelLogEntry

from cms import audit
from coproduce.factories import FeedbackFactory, ThemeFactory
from coproduce.models import Feedback
from coproduce.selectors.feedback import TrendFilters, feedback_trends
from tests.conftest import sign_in
from tests.coproduce.test_claims import page_text
from tests.factories import OfferPageFactory
from tests.queries import queries_for

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=LONDON)
URL = "/admin/feedback-trends/"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def lead(client, make_person):
    person = make_person("engagement_lead")
    sign_in(client, person)
    return person


def received(feedback, when: datetime) -> Feedback:
    """Move ``feedback`` to ``when`` through the ORM, so its months' totals are recounted."""
    feedback.created_at = when
    feedback.save()
    return feedback


def table(response, heading: str) -> dict[str, str]:
    """The rows of the table under ``heading``: label → count."""
    page = BeautifulSoup(response.content, "html.parser")
    title = page.find("h2", string=heading)
    assert title is not None, f"No {heading!r} section"
    rows = title.find_next("table").select("tbody tr")
    return {row.th.get_text(strip=True): row.find("td").get_text(strip=True) for row in rows}


def chart(response, heading: str) -> dict[str, str]:
    """The bars of the chart under ``heading``: label → the number written beside the bar."""
    page = BeautifulSoup(response.content, "html.parser")
    bars = page.find("h2", string=heading).find_next("ul", class_="lep-bars")
    return {
        item.find("span").get_text(strip=True): item.find(class_="lep-bars__value").get_text(
            strip=True
        )
        for item in bars.find_all("li")
    }


@pytest.fixture
def story(organisation, other_organisation):
    """Feedback on two of our offers and one of another organisation's, over months."""
    waiting, kindness = ThemeFactory(name="Waiting times"), ThemeFactory(name="Kindness")
    cafe = OfferPageFactory(title="Crisis café", provider=organisation)
    line = OfferPageFactory(title="Listening line", provider=organisation)
    theirs = OfferPageFactory(title="Southmoor drop-in", provider=other_organisation)
    made = [
        (cafe, [waiting], 2, datetime(2026, 11, 3, 9, 0, tzinfo=LONDON)),
        (cafe, [waiting, kindness], 4, datetime(2026, 10, 31, 23, 30, tzinfo=LONDON)),
        # Half past midnight on 1 October in London is still 30 September in UTC.
        (line, [kindness], 5, datetime(2026, 10, 1, 0, 30, tzinfo=LONDON)),
        (line, [], 3, datetime(2025, 7, 1, 10, 0, tzinfo=LONDON)),
        (theirs, [waiting], 1, datetime(2026, 11, 1, 10, 0, tzinfo=LONDON)),
    ]
    for offer, themes, rating, when in made:
        received(FeedbackFactory(offer=offer, themes=themes, rating=rating), when)
    # Hidden feedback (spam) is not counted; neither is anything older than 18 months.
    received(
        FeedbackFactory(offer=cafe, hidden=True, hidden_reason="Spam", themes=[waiting]),
        datetime(2026, 11, 2, tzinfo=LONDON),
    )
    received(FeedbackFactory(offer=cafe), datetime(2025, 5, 1, tzinfo=LONDON))
    return {"waiting": waiting, "kindness": kindness, "cafe": cafe, "line": line}


def test_a_lead_sees_their_feedback_counted_by_theme_offer_and_month(client, lead, story):
    response = client.get(URL)
    assert response.status_code == 200
    text = page_text(response)
    assert "received from 1 June 2025 to 20 November 2026" in text
    assert "4 pieces of feedback. Average rating 3.5 out of 5." in text
    assert table(response, "By theme") == {
        "Waiting times": "2",
        "Kindness": "2",
        "No theme chosen": "1",
    }
    assert table(response, "By offer") == {"Crisis café": "2", "Listening line": "2"}
    months = table(response, "By month")
    assert len(months) == 18
    assert list(months)[0] == "June 2025"
    assert months["July 2025"] == "1"
    assert months["October 2026"] == "2"  # months begin and end at midnight in London
    assert months["November 2026"] == "1"
    assert months["December 2025"] == "0"
    assert "Southmoor" not in text


def test_the_chart_shows_the_same_numbers_as_its_table_in_words(client, lead, story):
    response = client.get(URL)
    for heading in ["By theme", "By offer", "By month"]:
        assert chart(response, heading) == table(response, heading), heading
    page = BeautifulSoup(response.content, "html.parser")
    assert all(bars["aria-hidden"] == "true" for bars in page.select("ul.lep-bars"))


def test_a_lead_filters_trends_by_offer_theme_and_dates(client, lead, story):
    by_offer = client.get(f"{URL}?offer={story['line'].pk}")
    assert table(by_offer, "By offer") == {"Listening line": "2"}

    by_theme = client.get(f"{URL}?theme={story['kindness'].pk}")
    # The feedback about kindness, and every theme it raised.
    assert table(by_theme, "By theme") == {"Kindness": "2", "Waiting times": "1"}
    assert "about Kindness" in page_text(by_theme)

    by_dates = client.get(f"{URL}?date_from=2026-10-01&date_to=2026-10-31")
    assert table(by_dates, "By offer") == {"Listening line": "1", "Crisis café": "1"}
    assert list(table(by_dates, "By month")) == ["October 2026"]


def date_box(response, name: str) -> str:
    return BeautifulSoup(response.content, "html.parser").select_one(f"input[name={name}]")["value"]


def test_the_date_boxes_show_the_period_shown(client, lead):
    first_visit = client.get(URL)
    assert date_box(first_visit, "date_from") == "01/06/2025"
    assert date_box(first_visit, "date_to") == "20/11/2026"
    chosen = client.get(f"{URL}?date_from=1/10/2026&date_to=2026-10-31")
    # What was typed stays as it was typed.
    assert date_box(chosen, "date_from") == "1/10/2026"
    assert date_box(chosen, "date_to") == "2026-10-31"


def test_the_date_boxes_are_the_admins_text_boxes_with_a_hint(client, lead, story):
    response = client.get(f"{URL}?date_from=1/10/2026&date_to=31 October 2026")
    page = BeautifulSoup(response.content, "html.parser")
    box = page.select_one("input[name=date_from]")
    assert box["type"] == "text"
    assert "For example, 31/3/2026." in page_text(response)
    assert date_box(response, "date_to") == "31 October 2026"
    assert list(table(response, "By month")) == ["October 2026"]


def test_a_date_that_is_not_one_is_explained(client, lead):
    response = client.get(f"{URL}?date_from=31/2/2026")
    assert response.status_code == 200
    assert "Enter the start date as a real date, for example 31/3/2026" in page_text(response)
    assert date_box(response, "date_from") == "31/2/2026"


def test_dates_the_wrong_way_round_are_explained_and_the_last_18_months_shown(client, lead, story):
    response = client.get(f"{URL}?date_from=2026-10-01&date_to=2026-09-01")
    assert response.status_code == 200
    text = page_text(response)
    assert "The end date must be the same as or after the start date." in text
    assert "Until then, the last 18 months are shown." in text
    assert len(table(response, "By month")) == 18


def test_no_feedback_says_so(client, lead):
    text = page_text(client.get(URL))
    assert "No feedback matches these filters." in text


def test_the_numbers_download_as_a_csv_written_to_the_audit_log(client, lead, story):
    response = client.get(f"{URL}?offer={story['cafe'].pk}&export=csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "feedback-trends-2025-06-01-to-2026-11-20.csv" in response["Content-Disposition"]
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0] == [
        "Counted by",
        "Name",
        "Feedback",
        "Average rating (1 to 5)",
        "Felt listened to (%)",
    ]
    assert ["Theme", "Waiting times", "2", "3.0", "100"] in rows
    assert ["Offer", "Crisis café", "2", "3.0", "100"] in rows
    assert ["Month", "November 2026", "1", "2.0", "100"] in rows
    assert ["Month", "December 2025", "0", "", ""] in rows
    entry = ModelLogEntry.objects.get(action=audit.EXPORT)
    assert entry.user == lead
    assert entry.data["count"] == 2


def test_names_that_look_like_formulas_are_made_safe_in_the_csv(client, lead, organisation):
    FeedbackFactory(
        offer=OfferPageFactory(title="=1+1 club", slug="formula-club", provider=organisation)
    )
    content = b"".join(client.get(f"{URL}?export=csv").streaming_content).decode("utf-8-sig")
    assert ["Offer", "'=1+1 club", "1", "4.0", "100"] in list(csv.reader(io.StringIO(content)))


def test_a_lead_with_partnership_wide_access_sees_every_organisations_trends(
    client, make_person, story
):
    sign_in(client, make_person("engagement_lead", partnership_wide=True))
    assert "Southmoor drop-in" in table(client.get(URL), "By offer")


@pytest.mark.parametrize("role", ["hr", "finance", "editor"])
def test_other_staff_are_sent_back_to_the_dashboard(client, make_person, role, story):
    sign_in(client, make_person(role))
    for path in [URL, f"{URL}?export=csv"]:
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == "/admin/"
    assert not ModelLogEntry.objects.filter(action=audit.EXPORT).exists()


def test_trends_cost_the_same_queries_with_3_or_30_pieces_of_feedback(client, lead, organisation):
    themes = [ThemeFactory(name="Waiting times"), ThemeFactory(name="Kindness")]
    offers = [OfferPageFactory(provider=organisation) for _ in range(3)]

    def count():
        return queries_for(client, URL)

    def add(how_many):
        for n in range(how_many):
            FeedbackFactory(offer=offers[n % 3], themes=themes[: n % 3], rating=1 + n % 5)

    add(3)
    count()
    few = count()
    add(27)
    assert count() == few


def test_the_selector_counts_only_what_the_lead_moderates(lead, organisation, story):
    trends = feedback_trends(
        lead,
        TrendFilters(
            first=datetime(2026, 11, 1).date(), last=datetime(2026, 11, 30).date(), offer=None
        ),
    )
    assert trends.total == 1
    assert trends.listened_percent == 100
