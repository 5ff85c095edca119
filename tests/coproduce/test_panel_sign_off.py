"""Sign-off by the panel: when a "You said, we did" change reaches panel sign-off, the
members of its panel are asked to read the draft on the front end and agree it or ask for
changes; the facilitator can sign it off (and so publish it) only once enough members agreed
the version that would go live and none asked for changes; and the published page says how
many members of which panel signed it off, and when, never who."""

import json

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from wagtail.models import TaskState

from coproduce.factories import PanelMemberSignOffFactory, service_change_in_sign_off
from coproduce.models import PanelMemberSignOff, ServiceChangePage
from coproduce.services.sign_off import sign_off_progress
from tests.conftest import sign_in
from tests.coproduce.test_sign_off import (
    XHR,
    action_url,
    change_form,
    submitted_change,
    task_state_of,
)
from tests.factories import (
    MemberFactory,
    PanelApplicationFactory,
    PanelFactory,
    ServiceChangePageFactory,
    service_changes_index,
)
from tests.queries import queries_for

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return BeautifulSoup(response.content, "html.parser").get_text(" ", strip=True)


def draft_url(change) -> str:
    return reverse("coproduce:sign_off_draft", args=[change.pk])


@pytest.fixture
def lead(make_person):
    return make_person("engagement_lead", first_name="Lee", email="lee@example.org")


@pytest.fixture
def facilitator(make_person):
    return make_person("engagement_lead", first_name="Fran", email="fran@example.org")


@pytest.fixture
def panel(organisation, facilitator):
    return PanelFactory(
        organisation=organisation,
        title="Crisis Café panel",
        facilitators=[facilitator],
        sign_offs_needed=2,
    )


def member_of(panel, **kwargs):
    member = MemberFactory(**kwargs)
    PanelApplicationFactory(panel=panel, applicant=member, accepted=True)
    return member


@pytest.fixture
def members(panel):
    return [
        member_of(panel, first_name="Asha", last_name="Begum", email="asha@example.org"),
        member_of(panel, first_name="Ben", last_name="Okafor", email="ben@example.org"),
        member_of(panel, first_name="Cath", last_name="Jones", email="cath@example.org"),
    ]


def answer(client, member, change, decision="agree", comment="", *, revision=None):
    sign_in(client, member)
    revision = revision or change.get_latest_revision()
    return client.post(
        draft_url(change),
        {"decision": decision, "comment": comment, "revision": revision.pk},
    )


def editor(client, person, change) -> str:
    sign_in(client, person)
    return client.get(f"/admin/pages/{change.pk}/edit/").content.decode()


# --- The whole journey ---------------------------------------------------------------------------


def test_the_panel_signs_a_change_off_before_the_facilitator_publishes_it(
    client, lead, facilitator, panel, members
):
    asha, ben, cath = members
    mail.outbox.clear()
    with time_machine.travel("2026-11-04 10:00 +0000", tick=False):
        change = submitted_change(client, lead, panel=panel)

        # Every member of the panel is asked, with a link to the draft.
        subject = "Please check a change Crisis Café panel worked on"
        asked = [m for m in mail.outbox if m.subject == subject]
        assert sorted(m.to[0] for m in asked) == [m.email for m in members]
        assert draft_url(change) in asked[0].body
        assert "Evening opening at the café" in asked[0].body

        # The member reads the draft and agrees.
        sign_in(client, asha)
        page = text(client.get(draft_url(change)))
        assert "Evening opening at the café" in page
        assert "People said the café closed too early." in page
        assert "Open until 11pm." in page
        assert "The café will open until 11pm." in page
        assert "0 of the 2 members needed have agreed" in page
        response = answer(client, asha, change)
        assert response.status_code == 302
        assert "you agreed" in text(client.get(draft_url(change)))

        # One of two: the facilitator can only ask for changes, and is told why.
        html = editor(client, facilitator, change)
        assert "Waiting for the panel: 1 of 2 agreed." in html
        assert "Sign off for the panel" not in html
        assert "Ask for changes" in html
        client.post(action_url(change, "sign_off"), {"comment": ""})
        change.refresh_from_db()
        assert not change.live

        mail.outbox.clear()
        answer(client, ben, change, comment="Good to see the later hours.")
        # The facilitator hears the panel agreed.
        ready = [m for m in mail.outbox if m.to == [facilitator.email]]
        assert len(ready) == 1
        assert "you can sign it off" in ready[0].subject

        html = editor(client, facilitator, change)
        assert "Sign off for the panel" in html
        response = client.post(action_url(change, "sign_off"), {"comment": "Thank you all."})
        assert response.status_code == 302
        change.refresh_from_db()
        assert change.live
        state = TaskState.objects.get(workflow_state__object_id=str(change.pk))
        assert state.comment == "Signed off for the panel: 2 members agreed. Thank you all."

    client.logout()
    public = text(client.get(change.url))
    assert "Signed off by 2 members of Crisis Café panel on 4 November 2026" in public
    for member in members:
        assert member.first_name not in public
    listing = text(client.get(service_changes_index().url))
    assert "Signed off by 2 panel members" in listing
    assert cath.email not in public


def test_a_facilitator_cannot_sign_off_by_a_crafted_request_before_the_panel_agrees(
    client, lead, facilitator, panel, members
):
    change = submitted_change(client, lead, panel=panel)
    answer(client, members[0], change)
    sign_in(client, facilitator)
    # The action's own address, and the page editor's form, with the action named.
    client.post(action_url(change, "sign_off"), {"comment": "Signing anyway"})
    client.post(
        f"/admin/pages/{change.pk}/edit/",
        change_form(
            panel=panel,
            **{
                "action-workflow-action": "true",
                "workflow-action-name": "sign_off",
                "workflow-action-extra-data": json.dumps({"comment": ""}),
            },
        ),
    )
    change.refresh_from_db()
    assert not change.live
    assert task_state_of(change).status == TaskState.STATUS_IN_PROGRESS
    # Straight to the task: refused too.
    task_state = task_state_of(change)
    with pytest.raises(PermissionDenied):
        task_state.task.specific.on_action(task_state, facilitator, "sign_off")
    change.refresh_from_db()
    assert not change.live


def test_the_sign_off_modal_is_refused_until_the_panel_agrees(
    client, lead, facilitator, panel, members
):
    change = submitted_change(client, lead, panel=panel)
    sign_in(client, facilitator)
    assert client.get(action_url(change, "sign_off"), **XHR).status_code in (302, 403)


# --- Asking for changes ------------------------------------------------------------------------


def test_a_member_asking_for_changes_blocks_sign_off_and_tells_the_facilitator(
    client, lead, facilitator, panel, members
):
    asha, ben, cath = members
    change = submitted_change(client, lead, panel=panel)
    answer(client, asha, change)
    answer(client, ben, change)
    mail.outbox.clear()
    answer(client, cath, change, "changes", "Say it is open on Sundays too.")
    told = [m for m in mail.outbox if m.to == [facilitator.email]]
    assert len(told) == 1
    assert "Cath Jones asked for changes" in told[0].body
    assert "Say it is open on Sundays too." in told[0].body

    html = editor(client, facilitator, change)
    assert "Sign off for the panel" not in html
    assert "The panel asked for changes: 1 member asked for changes, 2 of 2 agreed." in html
    assert "Cath Jones asked for changes: “Say it is open on Sundays too.”" in html
    client.post(action_url(change, "sign_off"), {"comment": ""})
    change.refresh_from_db()
    assert not change.live

    # The facilitator sends it back to the author: the reject path stays.
    client.post(action_url(change, "reject"), {"comment": "Add Sunday opening."})
    assert TaskState.objects.get(workflow_state__object_id=str(change.pk)).status == (
        TaskState.STATUS_REJECTED
    )


def test_asking_for_changes_needs_a_comment(client, lead, panel, members):
    change = submitted_change(client, lead, panel=panel)
    response = answer(client, members[0], change, "changes", "   ")
    assert response.status_code == 200
    page = text(response)
    assert "There is a problem" in page
    assert "Say what needs to change, so it can be put right" in page
    assert BeautifulSoup(response.content, "html.parser").title.get_text().startswith("Error: ")
    assert not PanelMemberSignOff.objects.exists()


def test_a_choice_is_needed(client, lead, panel, members):
    change = submitted_change(client, lead, panel=panel)
    sign_in(client, members[0])
    response = client.post(
        draft_url(change), {"comment": "Hmm", "revision": change.get_latest_revision().pk}
    )
    assert "Choose whether you agree or want something changed" in text(response)
    assert "Hmm</textarea>" in response.content.decode()
    assert not PanelMemberSignOff.objects.exists()


@pytest.mark.parametrize("revision", ["", "abc", "-1", "999999999"])
def test_a_bad_version_changes_nothing(client, lead, panel, members, revision):
    change = submitted_change(client, lead, panel=panel)
    sign_in(client, members[0])
    response = client.post(draft_url(change), {"decision": "agree", "revision": revision})
    assert response.status_code == 200
    assert "There is a problem" in text(response)
    assert not PanelMemberSignOff.objects.exists()


def test_a_member_changes_their_answer_for_the_same_version(client, lead, panel, members):
    change = submitted_change(client, lead, panel=panel)
    answer(client, members[0], change, "changes", "Too vague.")
    answer(client, members[0], change, "agree", "")
    answers = PanelMemberSignOff.objects.filter(member=members[0])
    assert [(a.decision, a.comment) for a in answers] == [("agree", "")]
    page = text(client.get(draft_url(change)))
    assert "you agreed" in page
    assert "Change my answer" in page


# --- A new version -------------------------------------------------------------------------------


def test_a_new_version_asks_the_members_again_and_keeps_the_history(
    client, lead, facilitator, panel, members
):
    asha, ben, cath = members
    change = submitted_change(client, lead, panel=panel)
    first = change.get_latest_revision()
    answer(client, asha, change)
    answer(client, ben, change)
    assert sign_off_progress(change).ready

    # The facilitator rewords it while the panel is looking (the author cannot edit it
    # during sign-off; they edit it after the facilitator asks for changes, below).
    mail.outbox.clear()
    sign_in(client, facilitator)
    response = client.post(
        f"/admin/pages/{change.pk}/edit/",
        change_form(panel=panel, title="Evening and Sunday opening", slug=change.slug),
    )
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.get_latest_revision() != first
    assert not sign_off_progress(change).ready
    # Those who answered are asked to look again; Cath, who had not answered, is not re-sent.
    again = sorted(m.to[0] for m in mail.outbox if m.subject.startswith("The draft has changed"))
    assert again == [asha.email, ben.email]
    # The history stays.
    assert PanelMemberSignOff.objects.filter(revision=first).count() == 2

    html = editor(client, facilitator, change)
    assert "Waiting for the panel: 0 of 2 agreed." in html
    assert "Sign off for the panel" not in html

    sign_in(client, asha)
    page = text(client.get(draft_url(change)))
    assert "The draft has changed since you answered" in page
    assert "Title" in page
    assert "Send my answer" in page

    # Saving again does not ask them a third time.
    mail.outbox.clear()
    sign_in(client, facilitator)
    client.post(
        f"/admin/pages/{change.pk}/edit/",
        change_form(panel=panel, title="Evening and Sunday opening, from May", slug=change.slug),
    )
    assert not [m for m in mail.outbox if m.subject.startswith("The draft has changed")]


def test_a_change_sent_back_and_submitted_again_asks_the_panel_again(
    client, lead, facilitator, panel, members
):
    asha, ben, cath = members
    change = submitted_change(client, lead, panel=panel)
    answer(client, asha, change)
    answer(client, ben, change, "changes", "Say it is open on Sundays too.")
    sign_in(client, facilitator)
    client.post(action_url(change, "reject"), {"comment": "Add Sunday opening."})

    mail.outbox.clear()
    sign_in(client, lead)
    response = client.post(
        f"/admin/pages/{change.pk}/edit/",
        change_form(
            panel=panel,
            title="Evening and Sunday opening",
            slug=change.slug,
            **{"action-restart-workflow": "Resubmit"},
        ),
    )
    assert response.status_code == 302
    change.refresh_from_db()
    progress = sign_off_progress(change)
    assert (progress.agreed, progress.changes_asked) == (0, [])
    again = sorted(m.to[0] for m in mail.outbox if m.subject.startswith("The draft has changed"))
    assert again == [asha.email, ben.email]
    first_time = [m.to[0] for m in mail.outbox if m.subject.startswith("Please check a change")]
    assert first_time == [cath.email]
    assert "Waiting for the panel: 0 of 2 agreed." in editor(client, facilitator, change)


def test_an_answer_to_a_version_since_replaced_is_refused(client, lead, panel, members):
    change = submitted_change(client, lead, panel=panel)
    read = change.get_latest_revision()
    change.title = "Evening opening, new wording"
    change.save_revision(user=lead)
    response = answer(client, members[0], change, comment="Fine by me", revision=read)
    assert response.status_code == 200
    page = text(response)
    assert "The draft changed while you were reading it" in page
    assert "Evening opening, new wording" in page
    assert "Fine by me" in response.content.decode()
    assert not PanelMemberSignOff.objects.exists()


def test_a_facilitator_who_edits_the_draft_while_signing_off_needs_the_panel_again(
    client, lead, facilitator, panel, members
):
    change = submitted_change(client, lead, panel=panel)
    answer(client, members[0], change)
    answer(client, members[1], change)
    sign_in(client, facilitator)
    client.post(
        f"/admin/pages/{change.pk}/edit/",
        change_form(
            panel=panel,
            title="Evening opening at the café, until 11pm",
            **{
                "action-workflow-action": "true",
                "workflow-action-name": "sign_off",
                "workflow-action-extra-data": json.dumps({"comment": ""}),
            },
        ),
    )
    change.refresh_from_db()
    assert not change.live


# --- How many must agree -------------------------------------------------------------------------


def test_a_panel_smaller_than_the_number_needed_needs_all_its_members(
    client, lead, facilitator, organisation
):
    small = PanelFactory(organisation=organisation, facilitators=[facilitator], sign_offs_needed=3)
    only = member_of(small)
    change = service_change_in_sign_off(panel=small, submitted_by=lead)
    assert sign_off_progress(change).needed == 1
    answer(client, only, change)
    assert "Sign off for the panel" in editor(client, facilitator, change)


def test_a_panel_with_no_members_cannot_sign_off(client, lead, facilitator, organisation):
    empty = PanelFactory(organisation=organisation, title="New panel", facilitators=[facilitator])
    change = service_change_in_sign_off(panel=empty, submitted_by=lead)
    html = editor(client, facilitator, change)
    assert "Sign off for the panel" not in html
    assert "Nobody can sign this change off for New panel yet: the panel has no members." in html


def test_answers_of_people_who_left_the_panel_do_not_count(lead, panel, members):
    change = service_change_in_sign_off(panel=panel, submitted_by=lead)
    outsider = MemberFactory()
    PanelMemberSignOffFactory(page=change, member=outsider)
    PanelMemberSignOffFactory(page=change, member=members[0])
    assert sign_off_progress(change).agreed == 1


def test_a_change_no_panel_worked_on_keeps_the_editors_approval(client, lead, make_person):
    editor_person = make_person("editor")
    change = submitted_change(client, lead, panel=None)
    html = editor(client, editor_person, change)
    assert "Approve and publish" in html
    assert "Waiting for the panel" not in html
    client.post(action_url(change, "approve"), {"comment": ""})
    change.refresh_from_db()
    assert change.live
    assert "Signed off by" not in text(client.get(change.url))


# --- Who may read and answer the draft -----------------------------------------------------------


def test_a_draft_is_not_for_the_public(client, lead, panel, members):
    change = submitted_change(client, lead, panel=panel)
    response = client.get(draft_url(change))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert client.get(change.url).status_code == 404


@pytest.mark.parametrize(
    "who", ["member_elsewhere", "applicant", "other_lead", "other_hr", "peer_worker", "unverified"]
)
def test_people_outside_the_panel_cannot_read_the_draft(
    client, make_person, lead, panel, members, other_organisation, who
):
    change = submitted_change(client, lead, panel=panel)
    if who == "member_elsewhere":
        person = member_of(PanelFactory(organisation=other_organisation))
    elif who == "applicant":
        person = MemberFactory()
        PanelApplicationFactory(panel=panel, applicant=person)
    elif who == "other_lead":
        person = make_person("engagement_lead", organisation=other_organisation)
    elif who == "other_hr":
        person = make_person("hr", organisation=other_organisation)
    elif who == "peer_worker":
        person = make_person("peer_worker")
    else:
        person = make_person("unverified")
    sign_in(client, person)
    response = client.get(draft_url(change))
    assert response.status_code in (302, 404)
    assert "Evening opening" not in response.content.decode()
    client.post(draft_url(change), {"decision": "agree", "revision": change.latest_revision_id})
    assert not PanelMemberSignOff.objects.exists()


@pytest.mark.parametrize("role", ["engagement_lead", "hr", "editor", "finance", "admin"])
def test_staff_of_the_organisation_may_read_the_draft_but_not_answer(
    client, make_person, lead, panel, members, role
):
    change = submitted_change(client, lead, panel=panel)
    answer(client, members[0], change, "changes", "Mention the bus route.")
    staff = make_person(role)
    sign_in(client, staff)
    response = client.get(draft_url(change))
    assert response.status_code == 200
    page = text(response)
    assert "Evening opening at the café" in page
    assert "Asha Begum" in page
    assert "Mention the bus route." in page
    assert "Send my answer" not in page
    client.post(draft_url(change), {"decision": "agree", "revision": change.latest_revision_id})
    assert not PanelMemberSignOff.objects.filter(member=staff).exists()


def test_a_member_cannot_answer_a_change_not_waiting_for_the_panel(client, panel, members):
    published = ServiceChangePageFactory(panel=panel, title="Quiet room")
    sign_in(client, members[0])
    response = client.get(draft_url(published))
    assert response.status_code == 200
    assert "not waiting for the panel's sign-off now" in text(response)
    client.post(
        draft_url(published), {"decision": "agree", "revision": published.latest_revision_id}
    )
    assert not PanelMemberSignOff.objects.exists()


def test_a_guessed_address_is_not_found(client, members):
    sign_in(client, members[0])
    assert client.get(reverse("coproduce:sign_off_draft", args=[987654])).status_code == 404


def test_the_draft_page_is_never_kept_by_a_cache(client, lead, panel, members):
    change = submitted_change(client, lead, panel=panel)
    sign_in(client, members[0])
    response = client.get(draft_url(change))
    assert "no-store" in response["Cache-Control"] or "private" in response["Cache-Control"]


def test_titles_and_comments_are_shown_as_typed(client, lead, panel, members):
    change = service_change_in_sign_off(
        panel=panel, submitted_by=lead, title="Open <b>late</b>", slug="open-late"
    )
    answer(client, members[0], change, "changes", "<script>alert(1)</script>")
    sign_in(client, lead)
    html = client.get(draft_url(change)).content.decode()
    assert "Open &lt;b&gt;late&lt;/b&gt;" in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# --- My space ------------------------------------------------------------------------------------


def test_members_see_changes_to_sign_off_in_my_space(client, lead, panel, members):
    change = submitted_change(client, lead, panel=panel)
    sign_in(client, members[0])
    page = text(client.get(reverse("my_space")))
    assert "Changes for you to sign off" in page
    assert "Evening opening at the café" in page
    assert "Waiting for your answer" in page
    answer(client, members[0], change)
    page = text(client.get(reverse("my_space")))
    assert "You agreed" in page
    change.title = "Evening opening, changed"
    change.save_revision(user=lead)
    page = text(client.get(reverse("my_space")))
    assert "Changed since you answered: please look again" in page


def test_people_not_on_the_panel_see_no_changes_to_sign_off(client, make_person, lead, panel):
    submitted_change(client, lead, panel=panel)
    for person in (MemberFactory(), make_person("engagement_lead")):
        sign_in(client, person)
        assert "Changes for you to sign off" not in text(client.get(reverse("my_space")))


# --- What pages cost -----------------------------------------------------------------------------


def _panel_with(organisation, facilitator, lead, size: int):
    panel = PanelFactory(organisation=organisation, facilitators=[facilitator])
    people = [member_of(panel) for _ in range(size)]
    changes = [
        service_change_in_sign_off(panel=panel, submitted_by=lead, title=f"Change {size} {n}")
        for n in range(3 if size == 3 else 10)
    ]
    for person in people:
        PanelMemberSignOffFactory(page=changes[0], member=person)
    return panel, people, changes


def test_my_space_costs_the_same_with_3_members_or_30(client, organisation, facilitator, lead):
    counts = []
    for size in (3, 30):
        _panel, people, _changes = _panel_with(organisation, facilitator, lead, size)
        sign_in(client, people[0])
        client.get(reverse("my_space"))  # the first request after signing in does more
        counts.append(queries_for(client, reverse("my_space")))
    assert counts[0] == counts[1]


def test_the_draft_page_costs_the_same_with_3_members_or_30(
    client, organisation, facilitator, lead
):
    member_counts, staff_counts = [], []
    for size in (3, 30):
        _panel, people, changes = _panel_with(organisation, facilitator, lead, size)
        # The first request after signing in does more (the session, the site's shell).
        sign_in(client, people[0])
        client.get(draft_url(changes[0]))
        member_counts.append(queries_for(client, draft_url(changes[0])))
        sign_in(client, facilitator)
        client.get(draft_url(changes[0]))
        staff_counts.append(queries_for(client, draft_url(changes[0])))
    assert member_counts[0] == member_counts[1]
    assert staff_counts[0] == staff_counts[1]


def test_the_list_of_changes_costs_the_same_with_3_signed_off_or_30(client, organisation):
    counts = []
    for size in (3, 30):
        panel = PanelFactory(organisation=organisation)
        for n in range(size):
            change = ServiceChangePageFactory(panel=panel, title=f"Published {size} {n}")
            PanelMemberSignOffFactory(page=change)
        client.get(service_changes_index().url)
        counts.append(queries_for(client, service_changes_index().url))
    assert counts[0] == counts[1]


def test_the_card_counts_only_the_version_that_is_live(client, panel, members):
    change = ServiceChangePageFactory(panel=panel, title="Signs at the door")
    PanelMemberSignOffFactory(page=change, member=members[0])
    assert ServiceChangePage.objects.get(pk=change.pk).live
    listing = text(client.get(service_changes_index().url))
    assert "Signed off by 1 panel member" in listing
    change.title = "Signs at the door, and a map"
    change.save_revision().publish()
    listing = text(client.get(service_changes_index().url))
    assert "Signed off by" not in listing
