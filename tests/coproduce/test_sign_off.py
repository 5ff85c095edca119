"""Panel sign-off, through the real Wagtail admin: leads draft service changes and submit
them; the facilitator of the panel that co-produced a change is asked to sign it off, can
do so once enough of the panel's members agreed it (tests/coproduce/test_panel_sign_off.py
covers the members' side), and signing off publishes it. Nobody else can sign it off, and
nobody can publish a panel's change around its sign-off. A change no panel worked on is
approved by an editor."""

import json

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from wagtail.models import Page, TaskState, Workflow, WorkflowState
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from coproduce.factories import PanelMemberSignOffFactory
from coproduce.models import PanelSignOffTask, ServiceChangePage
from coproduce.models.changes import SIGN_OFF_WORKFLOW_NAME
from tests.conftest import sign_in
from tests.factories import (
    MemberFactory,
    PanelApplicationFactory,
    PanelFactory,
    ServiceChangePageFactory,
    service_changes_index,
)
from tests.forms_as_sent import as_sent

pytestmark = pytest.mark.django_db

XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def text(response) -> str:
    return soup(response).get_text(" ", strip=True)


def change_form(*, panel=None, **overrides) -> dict:
    """What the page editor sends for a new service change."""
    data = nested_form_data(
        {
            "title": "Evening opening at the café",
            "slug": "evening-opening",
            "status": "planned",
            "what_people_said": rich_text("<p>People said the café closed too early.</p>"),
            "recommendations": inline_formset([{"text": "Open until 11pm."}]),
            "what_changed": rich_text("<p>The café will open until 11pm.</p>"),
            "updates": inline_formset(
                [{"date": "2026-11-20", "status": "planned", "note": "Agreed at the panel."}],
                min=1,
            ),
            "panel": str(panel.pk) if panel else "",
            "coproduction_level": "",
        }
    )
    data.update(overrides)
    return data


def add_url() -> str:
    return f"/admin/pages/add/coproduce/servicechangepage/{service_changes_index().pk}/"


@pytest.fixture
def lead(make_person):
    return make_person("engagement_lead", first_name="Lee", email="lee@example.org")


@pytest.fixture
def facilitator(make_person):
    return make_person("engagement_lead", first_name="Fran", email="fran@example.org")


@pytest.fixture
def panel(organisation, facilitator):
    return PanelFactory(
        organisation=organisation, title="Crisis café panel", facilitators=[facilitator]
    )


def submitted_change(client, lead, *, panel) -> ServiceChangePage:
    """A change the lead has written and submitted to sign-off, through the admin."""
    sign_in(client, lead)
    response = client.post(add_url(), change_form(panel=panel, **{"action-submit": "Submit"}))
    assert response.status_code == 302, soup(response).get_text(" ", strip=True)[:3000]
    client.logout()
    return ServiceChangePage.objects.get(slug="evening-opening")


def panel_agrees(page, panel, *, members: int = 2, of: int = 2) -> None:
    """``members`` of ``of`` members of ``panel`` agree the latest version of ``page``
    (the panel's side of sign-off, which the facilitator waits for)."""
    for number in range(of):
        member = MemberFactory()
        PanelApplicationFactory(panel=panel, applicant=member, accepted=True)
        if number < members:
            PanelMemberSignOffFactory(page=page, member=member, revision=page.get_latest_revision())


def task_state_of(page) -> TaskState:
    return TaskState.objects.get(
        workflow_state__object_id=str(page.pk), status=TaskState.STATUS_IN_PROGRESS
    )


def action_url(page, action: str) -> str:
    return f"/admin/pages/workflow/action/{page.pk}/{action}/{task_state_of(page).pk}/"


# --- The workflow ---------------------------------------------------------------------------------


def test_service_changes_go_through_the_sign_off_workflow():
    workflow = Workflow.objects.get(name=SIGN_OFF_WORKFLOW_NAME)
    assert workflow.active
    assert [task.specific.__class__ for task in workflow.tasks] == [PanelSignOffTask]
    index = service_changes_index()
    assert index.get_workflow() == workflow
    change = ServiceChangePageFactory()
    assert change.get_workflow() == workflow
    assert change.has_workflow


# --- Leads draft ----------------------------------------------------------------------------------


def test_a_lead_drafts_a_change_and_submits_it_for_sign_off(client, lead, panel):
    mail.outbox.clear()
    change = submitted_change(client, lead, panel=panel)
    assert not change.live
    assert change.owner == lead
    assert change.workflow_in_progress
    assert isinstance(change.current_workflow_task, PanelSignOffTask)
    draft = change.get_latest_revision_as_object()
    assert draft.panel == panel
    assert [step.note for step in draft.updates.all()] == ["Agreed at the panel."]
    # Taken from the panel, as none was given.
    assert draft.coproduction_level == panel.coproduction_level


def test_the_facilitator_is_asked_to_sign_off_by_email(client, lead, panel, facilitator):
    mail.outbox.clear()
    change = submitted_change(client, lead, panel=panel)
    to_facilitator = [message for message in mail.outbox if message.to == [facilitator.email]]
    assert len(to_facilitator) == 1
    message = to_facilitator[0]
    assert message.subject == (
        "Please sign off a change for Crisis café panel: Evening opening at the café"
    )
    assert "Hello Fran," in message.body
    assert "members of the panel are asked to read it" in message.body
    assert f"http://testserver/admin/pages/{change.pk}/edit/" in message.body
    assert f"/admin/pages/workflow/preview/{change.pk}/" in message.body
    assert not [message for message in mail.outbox if message.to == [lead.email]]


def test_a_lead_cannot_publish_a_change(client, lead, panel):
    sign_in(client, lead)
    response = client.post(add_url(), change_form(panel=panel, **{"action-publish": "Publish"}))
    assert "published when the panel's facilitator signs it off" in text(response)
    assert not ServiceChangePage.objects.live().exists()
    response = client.post(add_url(), change_form(**{"action-publish": "Publish"}))
    assert response.status_code == 302
    assert not ServiceChangePage.objects.get(slug="evening-opening").live


def test_leads_add_pages_only_under_you_said_we_did(client, lead):
    sign_in(client, lead)
    home = Page.objects.get(depth=2)
    response = client.get(f"/admin/pages/add/cms/contentpage/{home.pk}/")
    assert response.status_code in (302, 403)
    response = client.get(add_url())
    assert response.status_code == 200


# --- Facilitators sign off ------------------------------------------------------------------------


def test_the_facilitator_sees_sign_off_for_the_panel_once_it_agreed(
    client, lead, panel, facilitator
):
    change = submitted_change(client, lead, panel=panel)
    panel_agrees(change, panel)
    sign_in(client, facilitator)
    response = client.get(f"/admin/pages/{change.pk}/edit/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sign off for the panel" in html
    assert "Ask for changes" in html
    form = client.get(action_url(change, "sign_off"), **XHR)
    assert form.status_code == 200
    assert "The panel has seen this change" not in form.content.decode()


def test_signing_off_needs_the_panels_agreement(client, lead, panel, facilitator):
    change = submitted_change(client, lead, panel=panel)
    panel_agrees(change, panel, members=1, of=2)
    sign_in(client, facilitator)
    assert (
        "Sign off for the panel"
        not in client.get(f"/admin/pages/{change.pk}/edit/").content.decode()
    )
    client.post(action_url(change, "sign_off"), {"comment": "Looks good."})
    change.refresh_from_db()
    assert not change.live
    assert task_state_of(change).status == TaskState.STATUS_IN_PROGRESS


def test_the_facilitators_sign_off_publishes_the_change(client, lead, panel, facilitator):
    change = submitted_change(client, lead, panel=panel)
    panel_agrees(change, panel)
    sign_in(client, facilitator)
    state = task_state_of(change)
    response = client.post(action_url(change, "sign_off"), {"comment": "They loved it."})
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.live
    state.refresh_from_db()
    assert state.status == TaskState.STATUS_APPROVED
    assert state.finished_by == facilitator
    assert state.comment == "Signed off for the panel: 2 members agreed. They loved it."
    assert WorkflowState.objects.get(pk=state.workflow_state_id).status == "approved"
    assert client.get(change.url).status_code == 200


@pytest.mark.parametrize("role", ["engagement_lead", "editor", "hr", "finance"])
def test_nobody_but_the_facilitator_can_sign_off(client, make_person, lead, panel, role):
    change = submitted_change(client, lead, panel=panel)
    panel_agrees(change, panel)
    someone = make_person(role)
    sign_in(client, someone)
    response = client.post(action_url(change, "sign_off"), {"comment": ""})
    assert response.status_code in (302, 403)
    edit = client.get(f"/admin/pages/{change.pk}/edit/")
    assert "Sign off for the panel" not in edit.content.decode()
    change.refresh_from_db()
    assert not change.live
    assert task_state_of(change).status == TaskState.STATUS_IN_PROGRESS


def test_the_author_cannot_sign_off_their_own_change_unless_they_facilitate(client, lead, panel):
    change = submitted_change(client, lead, panel=panel)
    panel_agrees(change, panel)
    sign_in(client, lead)
    client.post(action_url(change, "sign_off"), {"comment": ""})
    change.refresh_from_db()
    assert not change.live


def test_sign_off_from_the_page_editor_without_the_panels_agreement_is_refused(
    client, lead, panel, facilitator
):
    change = submitted_change(client, lead, panel=panel)
    panel_agrees(change, panel, members=1, of=2)
    sign_in(client, facilitator)
    data = change_form(
        panel=panel,
        **{
            "action-workflow-action": "true",
            "workflow-action-name": "sign_off",
            "workflow-action-extra-data": json.dumps({"comment": "Not yet agreed."}),
        },
    )
    response = client.post(f"/admin/pages/{change.pk}/edit/", data)
    # Wagtail's admin turns the refusal into "Sorry, you do not have permission".
    assert response.status_code in (302, 403)
    change.refresh_from_db()
    assert not change.live


def test_sign_off_from_the_page_editor_with_the_panels_agreement_publishes(
    client, lead, panel, facilitator
):
    change = submitted_change(client, lead, panel=panel)
    panel_agrees(change, panel)
    sign_in(client, facilitator)
    # The editor's own form, sent back untouched as the browser sends it with the action.
    edit_url = f"/admin/pages/{change.pk}/edit/"
    data = as_sent(client.get(edit_url).content.decode(), form="form#page-edit-form")
    data.update(
        {
            "action-workflow-action": ["true"],
            "workflow-action-name": ["sign_off"],
            "workflow-action-extra-data": [json.dumps({"comment": ""})],
        }
    )
    response = client.post(edit_url, data)
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.live
    assert change.title == "Evening opening at the café"


def test_a_facilitator_who_edits_while_signing_off_sends_it_back_to_the_panel(
    client, lead, panel, facilitator
):
    change = submitted_change(client, lead, panel=panel)
    panel_agrees(change, panel)
    sign_in(client, facilitator)
    data = change_form(
        panel=panel,
        title="Evening opening at the café, until 11pm",
        **{
            "action-workflow-action": "true",
            "workflow-action-name": "sign_off",
            "workflow-action-extra-data": json.dumps({"comment": ""}),
        },
    )
    client.post(f"/admin/pages/{change.pk}/edit/", data)
    change.refresh_from_db()
    assert not change.live
    # The panel did not agree the new wording: it waits for them again.
    assert change.get_latest_revision_as_object().title == (
        "Evening opening at the café, until 11pm"
    )
    assert task_state_of(change).status == TaskState.STATUS_IN_PROGRESS


def test_the_facilitator_asks_for_changes_saying_what(client, lead, panel, facilitator):
    change = submitted_change(client, lead, panel=panel)
    sign_in(client, facilitator)
    response = client.post(action_url(change, "reject"), {"comment": ""}, **XHR)
    assert "Say what needs to change" in json.loads(response.content)["html"]
    mail.outbox.clear()
    client.post(action_url(change, "reject"), {"comment": "Add the weekend hours."})
    state = TaskState.objects.get(workflow_state__object_id=str(change.pk))
    assert state.status == TaskState.STATUS_REJECTED
    assert state.comment == "Add the weekend hours."
    change.refresh_from_db()
    assert not change.live
    # Wagtail tells the lead who asked.
    assert any(message.to == [lead.email] for message in mail.outbox)


def test_the_panel_that_signs_off_is_the_one_in_the_version_to_be_published(
    client, make_person, lead, organisation
):
    first_facilitator = make_person("engagement_lead")
    second_facilitator = make_person("engagement_lead")
    first = PanelFactory(organisation=organisation, facilitators=[first_facilitator])
    second = PanelFactory(organisation=organisation, facilitators=[second_facilitator])
    change = ServiceChangePageFactory(panel=first)
    change.panel = second
    change.save_revision(user=lead)
    Workflow.objects.get(name=SIGN_OFF_WORKFLOW_NAME).start(change, lead)
    panel_agrees(change, first)
    panel_agrees(change, second)
    url = action_url(change, "sign_off")

    sign_in(client, first_facilitator)
    client.post(url, {"comment": ""})
    assert task_state_of(change).status == TaskState.STATUS_IN_PROGRESS

    sign_in(client, second_facilitator)
    client.post(url, {"comment": ""})
    change.refresh_from_db()
    assert change.panel == second
    assert not change.workflow_in_progress


def test_the_facilitator_finds_the_change_awaiting_their_review(
    client, make_person, lead, panel, facilitator
):
    change = submitted_change(client, lead, panel=panel)
    task = PanelSignOffTask.objects.get()
    assert list(task.get_task_states_user_can_moderate(facilitator)) == [task_state_of(change)]
    assert not task.get_task_states_user_can_moderate(make_person("engagement_lead")).exists()
    assert not task.get_task_states_user_can_moderate(make_person("editor")).exists()
    sign_in(client, facilitator)
    dashboard = soup(client.get("/admin/")).get_text(" ", strip=True)
    assert "Evening opening at the café" in dashboard


# --- Editors publish ------------------------------------------------------------------------------


def test_an_editor_cannot_publish_a_panels_change_around_its_sign_off(client, make_person, panel):
    editor = make_person("editor")
    sign_in(client, editor)
    response = client.post(add_url(), change_form(panel=panel, **{"action-publish": "Publish"}))
    assert response.status_code == 200
    assert "published when the panel's facilitator signs it off" in text(response)
    assert not ServiceChangePage.objects.filter(slug="evening-opening").exists()

    change = ServiceChangePageFactory(panel=panel)
    change.title = "Changed by an editor"
    change.save_revision(user=editor)
    assert not change.permissions_for_user(editor).can_publish()
    client.post(
        f"/admin/pages/{change.pk}/edit/",
        change_form(
            panel=panel,
            title="Changed by an editor",
            slug=change.slug,
            **{"action-publish": "Publish"},
        ),
    )
    change.refresh_from_db()
    assert change.title != "Changed by an editor"


def test_an_editor_publishes_a_change_no_panel_worked_on(client, make_person):
    sign_in(client, make_person("editor"))
    response = client.post(add_url(), change_form(**{"action-publish": "Publish"}))
    assert response.status_code == 302
    assert ServiceChangePage.objects.get(slug="evening-opening").live


def test_an_editor_approves_a_submitted_change_no_panel_worked_on(client, make_person, lead):
    editor = make_person("editor", first_name="Eddie")
    mail.outbox.clear()
    change = submitted_change(client, lead, panel=None)
    assert any(
        message.to == [editor.email] and "Please approve a change" in message.subject
        for message in mail.outbox
    )
    sign_in(client, editor)
    edit = client.get(f"/admin/pages/{change.pk}/edit/").content.decode()
    assert "Approve and publish" in edit
    assert "Sign off for the panel" not in edit
    client.post(action_url(change, "approve"), {"comment": ""})
    change.refresh_from_db()
    assert change.live


def test_an_admin_may_sign_off_any_change(client, make_person, lead, panel):
    change = submitted_change(client, lead, panel=panel)
    panel_agrees(change, panel)
    sign_in(client, make_person("admin"))
    client.post(action_url(change, "sign_off"), {"comment": ""})
    change.refresh_from_db()
    assert change.live


def test_the_facilitator_can_show_the_panel_the_change_as_it_will_be_published(
    client, make_person, lead, panel, facilitator
):
    change = submitted_change(client, lead, panel=panel)
    url = f"/admin/pages/workflow/preview/{change.pk}/{PanelSignOffTask.objects.get().pk}/"
    sign_in(client, facilitator)
    response = client.get(url)
    assert response.status_code == 200
    page = text(response)
    assert "Evening opening at the café" in page
    assert "People said the café closed too early." in page
    assert "Open until 11pm." in page  # the panel's recommendation
    assert "Co-design — step 6 of 7" in page
    sign_in(client, make_person("engagement_lead"))
    assert client.get(url).status_code in (302, 403)


def test_a_lead_previews_a_change_before_saving_it(client, lead, panel):
    sign_in(client, lead)
    preview_url = f"{add_url()}preview/"
    response = client.post(preview_url, change_form(panel=panel))
    assert json.loads(response.content)["is_valid"] is True
    response = client.get(preview_url)
    assert response.status_code == 200
    assert "The café will open until 11pm." in text(response)
    assert "We linked" not in text(response)


def test_a_change_cannot_be_submitted_for_a_panel_with_nobody_to_sign_it_off(
    client, lead, organisation
):
    lonely = PanelFactory(organisation=organisation, title="Panel without a facilitator")
    sign_in(client, lead)
    response = client.post(add_url(), change_form(panel=lonely, **{"action-submit": "Submit"}))
    assert response.status_code == 200
    assert "Panel without a facilitator has no facilitator" in text(response)
    assert not ServiceChangePage.objects.exists()
    # A draft can still be saved while the panel finds one.
    assert client.post(add_url(), change_form(panel=lonely)).status_code == 302


def test_a_facilitator_cannot_sign_off_another_panels_change_by_its_address(
    client, make_person, lead, panel, organisation
):
    change = submitted_change(client, lead, panel=panel)
    panel_agrees(change, panel)
    other_facilitator = make_person("engagement_lead")
    PanelFactory(organisation=organisation, facilitators=[other_facilitator])
    sign_in(client, other_facilitator)
    assert client.get(action_url(change, "sign_off"), **XHR).status_code in (302, 403)
    client.post(action_url(change, "sign_off"), {"comment": ""})
    change.refresh_from_db()
    assert not change.live


# --- Whoever drafted a change never signs it off ----------------------------------------------


def test_a_facilitator_who_drafted_the_change_cannot_sign_it_off(
    client, make_person, organisation, facilitator
):
    second = make_person("engagement_lead", first_name="Sam", email="sam@example.org")
    panel = PanelFactory(
        organisation=organisation, title="Crisis café panel", facilitators=[facilitator, second]
    )
    change = submitted_change(client, facilitator, panel=panel)
    panel_agrees(change, panel)
    sign_in(client, facilitator)
    edit = client.get(f"/admin/pages/{change.pk}/edit/")
    assert "Sign off for the panel" not in edit.content.decode()
    client.post(action_url(change, "sign_off"), {"comment": ""})
    change.refresh_from_db()
    assert not change.live
    assert task_state_of(change).status == TaskState.STATUS_IN_PROGRESS

    sign_in(client, second)
    edit = client.get(f"/admin/pages/{change.pk}/edit/")
    assert "Sign off for the panel" in edit.content.decode()
    client.post(action_url(change, "sign_off"), {"comment": ""})
    change.refresh_from_db()
    assert change.live


def test_an_admin_who_drafted_a_panels_change_cannot_sign_it_off(
    client, make_person, panel, facilitator
):
    admin = make_person("admin")
    change = submitted_change(client, admin, panel=panel)
    panel_agrees(change, panel)
    sign_in(client, admin)
    client.post(action_url(change, "sign_off"), {"comment": ""})
    change.refresh_from_db()
    assert not change.live
    sign_in(client, facilitator)
    client.post(action_url(change, "sign_off"), {"comment": ""})
    change.refresh_from_db()
    assert change.live


def test_a_change_its_only_facilitator_drafted_cannot_be_submitted(client, facilitator, panel):
    sign_in(client, facilitator)
    response = client.post(add_url(), change_form(panel=panel, **{"action-submit": "Submit"}))
    assert response.status_code == 200
    assert "You wrote this change, so another facilitator" in text(response)
    assert not ServiceChangePage.objects.exists()
