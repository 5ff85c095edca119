"""An admin sees every staff panel on My space (claims, messages, feedback, access needs,
calls and letters, peer workers' pathways and supervision compliance): it costs at most 15
queries, the same with 3 of everything or 30."""

import pytest
from bs4 import BeautifulSoup

from coproduce.factories import MemberFactory
from tests.conftest import sign_in
from tests.coproduce.test_my_space_queries import give_everything
from tests.peers.test_my_space_queries import oversee
from tests.queries import queries_for

pytestmark = pytest.mark.django_db

BUDGET = 15  # issue 19: every page at most 15 queries, the same whatever the data size
STAFF_PANELS = [
    "Progression and induction",
    "Messages from members",
    "Claims waiting for approval",
    "New feedback",
    "Supervision compliance",
    "Staff tools",
    "Your account",
]


def headings(response) -> list[str]:
    page = BeautifulSoup(response.content, "html.parser")
    return [h.get_text(strip=True) for h in page.select(".lep-panels h2")]


def test_an_admin_sees_my_space_in_15_queries_with_3_or_30_of_everything(
    client, make_person, organisation
):
    admin = make_person("admin")
    lead = make_person("engagement_lead")
    supervisor = make_person("supervisor")
    member = MemberFactory()
    sign_in(client, admin)
    give_everything(member, lead=lead, organisation=organisation, n=3)
    oversee(supervisor, organisation=organisation, n=3)
    response = client.get("/my-space/")
    assert all(heading in headings(response) for heading in STAFF_PANELS), headings(response)
    few = queries_for(client, "/my-space/")
    give_everything(member, lead=lead, organisation=organisation, n=27)
    oversee(supervisor, organisation=organisation, n=27)
    client.get("/my-space/")  # new pages were published: the site's shell is read again
    many = queries_for(client, "/my-space/")
    text = " ".join(BeautifulSoup(client.get("/my-space/").content, "html.parser").text.split())
    assert "You can see the pathways of 30 peer workers." in text
    assert "30 are still in induction:" in text
    assert many == few
    assert few <= BUDGET
