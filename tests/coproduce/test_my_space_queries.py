"""My space for a member with everything (claims, meetings, applications, messages,
sign-offs, feedback) costs at most 15 queries, the same with 3 of each or 30; and the
totals its panels read in one go agree with a plain recount."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coproduce.factories import (
    ConsentRecordFactory,
    ConversationFactory,
    ConversationMessageFactory,
    ExpenseFactory,
    FeedbackFactory,
    InvolvementClaimFactory,
    InvolvementProfileFactory,
    MeetingFactory,
    MeetingReplyFactory,
    MemberFactory,
    PanelApplicationFactory,
    PanelFactory,
    service_change_in_sign_off,
)
from coproduce.models import InvolvementClaim
from coproduce.myspace.person import person_of
from coproduce.selectors.claims import member_payments, tax_year_start
from coproduce.services import messages as message_services
from tests.conftest import sign_in
from tests.queries import queries_for

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
BUDGET = 15  # issue 19: every page at most 15 queries, the same whatever the data size
EVERY_PANEL = [
    "Your involvement",
    "Changes for you to sign off",
    "Your next meetings",
    "Your panel applications",
    "Your payments",
    "Your feedback",
    "Your messages",
    "How we contact you",
    "Your account",
]


def headings(response) -> list[str]:
    page = BeautifulSoup(response.content, "html.parser")
    return [h.get_text(strip=True) for h in page.select(".lep-panels h2")]


def give_everything(member, *, lead, organisation, n: int):
    """``n`` of each thing My space shows a member, on panels they were accepted to."""
    for i in range(n):
        panel = PanelFactory(organisation=organisation, facilitators=[lead])
        PanelApplicationFactory(panel=panel, applicant=member, accepted=True)
        PanelApplicationFactory(applicant=member)  # still pending, another panel
        meeting = MeetingFactory(panel=panel, starts_at=timezone.now() + timedelta(days=i + 1))
        MeetingReplyFactory(meeting=meeting, member=member, maybe=i % 2 == 0)
        service_change_in_sign_off(panel=panel, submitted_by=lead, title=f"Change {n} {i}")
        draft = InvolvementClaimFactory(attendance__member=member)
        ExpenseFactory(claim=draft)
        InvolvementClaimFactory(attendance__member=member, returned=True)
        submitted = InvolvementClaimFactory(attendance__member=member, submitted=True)
        ExpenseFactory(claim=submitted)
        InvolvementClaimFactory(attendance__member=member, paid=True)
        conversation = ConversationFactory(member=member, meeting__panel=panel)
        ConversationMessageFactory(conversation=conversation, from_staff=True, author=lead)
        FeedbackFactory(author=member)


def test_a_member_with_everything_sees_my_space_in_15_queries_with_3_or_30_of_each(
    client, make_person, organisation
):
    lead = make_person("engagement_lead")
    member = MemberFactory(first_name="Asha")
    InvolvementProfileFactory(user=member, display_name="Ash")
    ConsentRecordFactory(user=member)
    sign_in(client, member)
    give_everything(member, lead=lead, organisation=organisation, n=3)
    response = client.get("/my-space/")  # the first request after signing in does more
    assert all(heading in headings(response) for heading in EVERY_PANEL), headings(response)
    few = queries_for(client, "/my-space/")
    give_everything(member, lead=lead, organisation=organisation, n=27)
    client.get("/my-space/")  # new pages were published: the site's shell is read again
    many = queries_for(client, "/my-space/")
    text = " ".join(BeautifulSoup(client.get("/my-space/").content, "html.parser").text.split())
    assert "Hello Ash." in text
    assert "60 claims are waiting for you to check" in text
    assert "You have replies you have not read in 30 conversations." in text
    assert "30 changes your panel worked on are ready to be published" in text
    assert many == few
    assert few <= BUDGET


@pytest.mark.parametrize("role", ["member", "peer_worker", "engagement_lead", "finance", "hr"])
def test_my_space_keeps_to_the_budget_for_each_role(role, client, make_person):
    """Peer workers' panels belong to peers/ (held to their own counts there): here only
    a peer worker's own share of the page is held to the budget, with no worker record."""
    sign_in(client, make_person(role))
    client.get("/my-space/")
    assert queries_for(client, "/my-space/") <= BUDGET


def test_the_person_is_read_once_however_many_panels_ask(rf, make_person):
    member = make_person("member")
    InvolvementProfileFactory(user=member, display_name="Ash")
    PanelApplicationFactory(applicant=member, accepted=True)
    person = person_of(member)
    assert person is person_of(member)
    assert person.chosen_name == "Ash"
    assert len(person.accepted_panels) == 1
    assert len(person.latest_applications) == 1


def test_accepted_panels_are_known_however_old_the_acceptance(make_person):
    member = make_person("member")
    old = PanelApplicationFactory(applicant=member, accepted=True)
    for _ in range(8):
        PanelApplicationFactory(applicant=member)
    type(old).objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=400))
    person = person_of(member)
    assert old.panel_id in person.accepted_panels
    assert old.pk not in [a.pk for a in person.latest_applications]
    assert len(person.latest_applications) == 6


# --- One query for the payments panel, checked against a plain recount ----------------------

CLAIM = st.fixed_dictionaries(
    {
        "status": st.sampled_from([s.value for s in InvolvementClaim.Status]),
        "not_paid": st.booleans(),
        "expense": st.booleans(),
        "paid_days_ago": st.integers(min_value=0, max_value=500),
        "amount": st.decimals(min_value=0, max_value=500, places=2),
        "meeting_days_ago": st.integers(min_value=1, max_value=60),
    }
)


def _claim(member, spec):
    claim = InvolvementClaimFactory(
        attendance__member=member,
        attendance__meeting__starts_at=timezone.now() - timedelta(days=spec["meeting_days_ago"]),
        payment_choice="not_paid" if spec["not_paid"] else "paid",
    )
    if spec["expense"]:
        ExpenseFactory(claim=claim)
    InvolvementClaim.objects.filter(pk=claim.pk).update(
        status=spec["status"],
        paid_at=timezone.now() - timedelta(days=spec["paid_days_ago"]),
        amount_approved=spec["amount"],
    )


def _recount(member, *, limit):
    """What the panel should say, counted the plain way in Python."""
    claims = list(
        InvolvementClaim.objects.filter(member=member).select_related("attendance__meeting")
    )
    needs_member = {InvolvementClaim.Status.DRAFT, InvolvementClaim.Status.RETURNED}

    def waits(claim):
        nothing = (
            claim.status == InvolvementClaim.Status.DRAFT
            and claim.payment_choice == "not_paid"
            and not claim.expenses.exists()
        )
        return claim.status in needs_member and not nothing

    to_do = sorted(
        (c for c in claims if waits(c)),
        key=lambda c: (c.attendance.meeting.starts_at, c.pk),
        reverse=True,
    )
    recent = sorted(
        (c for c in claims if c.status not in needs_member),
        key=lambda c: (c.updated_at, c.pk),
        reverse=True,
    )
    start = timezone.make_aware(
        datetime.combine(tax_year_start(timezone.localdate()), datetime.min.time())
    )
    paid = (
        InvolvementClaim.objects.filter(
            member=member, status=InvolvementClaim.Status.PAID, paid_at__gte=start
        ).aggregate(total=Sum("amount_approved"))["total"]
        or 0
    )
    return (
        [c.pk for c in to_do[:limit]],
        len(to_do),
        [c.pk for c in recent[:limit]],
        Decimal(paid).quantize(Decimal("0.01")),
    )


@time_machine.travel(datetime(2026, 11, 20, 12, 0, tzinfo=LONDON), tick=False)
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(specs=st.lists(CLAIM, max_size=9), limit=st.integers(min_value=1, max_value=4))
def test_the_payments_panel_agrees_with_a_plain_recount(specs, limit):
    member = MemberFactory()
    for spec in specs:
        _claim(member, spec)
    payments = member_payments(member, limit=limit)
    assert (
        [c.pk for c in payments.to_do],
        payments.to_do_count,
        [c.pk for c in payments.recent],
        payments.paid_this_tax_year,
    ) == _recount(member, limit=limit)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(unread=st.lists(st.integers(min_value=0, max_value=2), max_size=6))
def test_the_unread_count_agrees_with_a_plain_recount(unread):
    member = MemberFactory()
    staff = MemberFactory()
    for count in unread:
        conversation = ConversationFactory(member=member)
        for _ in range(count):
            ConversationMessageFactory(conversation=conversation, from_staff=True, author=staff)
        ConversationMessageFactory(
            conversation=conversation, from_staff=True, author=staff, read_at=timezone.now()
        )
    latest, count = message_services.member_latest_conversations(member, limit=3)
    assert count == sum(1 for n in unread if n) == message_services.member_unread_count(member)
    assert [c.pk for c in latest] == [
        c.pk for c in message_services.conversations_of_member(member)[:3]
    ]
