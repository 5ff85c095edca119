"""Every list of messages, and each conversation's page, costs the same queries with 3
conversations (or messages) as with 30."""

import pytest
from django.urls import reverse

from cms.roles import Role
from coproduce.factories import (
    ConversationFactory,
    ConversationMessageFactory,
    InvolvementProfileFactory,
    MeetingFactory,
    MemberFactory,
    PanelFactory,
)
from coproduce.models import Conversation
from tests.conftest import sign_in
from tests.factories import UserFactory
from tests.queries import queries_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(organisation):
    lead = UserFactory(
        first_name="Priya", roles=[Role.ENGAGEMENT_LEAD], organisation=organisation, mfa=True
    )
    finance = UserFactory(roles=[Role.FINANCE], organisation=organisation, mfa=True)
    admin = UserFactory(roles=[Role.ADMIN], mfa=True)
    member = MemberFactory()
    meeting = MeetingFactory(panel=PanelFactory(organisation=organisation, facilitators=[lead]))
    return {"lead": lead, "finance": finance, "admin": admin, "member": member, "meeting": meeting}


def _conversations(setting, n: int, *, member=None) -> None:
    """``n`` conversations to the lead and ``n`` to finance, each from a different member
    (with a chosen name) unless ``member`` is given, each with a staff answer."""
    for _ in range(n):
        who = member or InvolvementProfileFactory().user
        for to in (Conversation.To.LEAD, Conversation.To.FINANCE):
            conversation = ConversationFactory(member=who, meeting=setting["meeting"], to=to)
            ConversationMessageFactory(
                conversation=conversation, author=setting["lead"], from_staff=True
            )


def _same_with_3_and_30(client, url, make) -> None:
    make(3)
    queries_for(client, url)
    few = queries_for(client, url)
    make(27)
    assert queries_for(client, url) == few


@pytest.mark.parametrize(
    "url", [reverse("coproduce:message_list"), reverse("my_space")], ids=["list", "my space"]
)
def test_a_members_messages_cost_the_same_with_3_or_30(client, setting, url):
    sign_in(client, setting["member"])
    _same_with_3_and_30(client, url, lambda n: _conversations(setting, n, member=setting["member"]))


@pytest.mark.parametrize("who", ["lead", "finance", "admin"])
@pytest.mark.parametrize(
    "url",
    [
        reverse("staff_messages"),
        reverse("staff_messages") + "?showing=waiting",
        reverse("wagtailadmin_home"),
        reverse("my_space"),
    ],
    ids=["inbox", "waiting", "admin home", "my space"],
)
def test_the_staff_lists_cost_the_same_with_3_or_30(client, setting, who, url):
    sign_in(client, setting[who])
    _same_with_3_and_30(client, url, lambda n: _conversations(setting, n))


def test_a_conversation_costs_the_same_with_3_or_30_messages(client, setting):
    conversation = ConversationFactory(member=setting["member"], meeting=setting["meeting"])

    def make(n):
        for _ in range(n):
            ConversationMessageFactory(conversation=conversation)
            ConversationMessageFactory(
                conversation=conversation, author=setting["lead"], from_staff=True
            )

    sign_in(client, setting["member"])
    _same_with_3_and_30(client, reverse("coproduce:message_thread", args=[conversation.pk]), make)
    sign_in(client, setting["lead"])
    _same_with_3_and_30(client, reverse("staff_message_thread", args=[conversation.pk]), make)
