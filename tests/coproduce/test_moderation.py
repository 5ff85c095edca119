"""Engagement leads moderate feedback on their organisation's offers in the Wagtail admin:
list, filter, search, inspect, triage, hide, set the words to publish, respond, link to a
service change, close and reopen. Every action is logged; nobody sees who gave feedback;
a lead never sees another organisation's feedback; editors keep the themes."""

import csv
import io

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from wagtail.models import ModelLogEntry

from cms import audit
from cms.permissions import visible_to
from coproduce import audit_actions
from coproduce.factories import (
    FeedbackFactory,
    MemberFactory,
    PanelFactory,
    ServiceChangePageFactory,
    ThemeFactory,
)
from coproduce.models import Feedback, Theme
from coproduce.services import Refused
from coproduce.services import feedback as services
from tests.conftest import sign_in
from tests.coproduce.test_claims import page_text
from tests.factories import OfferPageFactory
from tests.queries import queries_for

pytestmark = pytest.mark.django_db

Status = Feedback.Status


@pytest.fixture
def lead(client, make_person):
    person = make_person("engagement_lead", first_name="Priya", last_name="Shah")
    sign_in(client, person)
    return person


def feedback_in(organisation, **kwargs) -> Feedback:
    return FeedbackFactory(offer__provider=organisation, **kwargs)


def listed(response) -> list[str]:
    """The offer titles of the listing's rows, each linking to a feedback's moderation."""
    page = BeautifulSoup(response.content, "html.parser")
    return [cell.get_text(strip=True) for cell in page.select("tbody td.title .title-wrapper a")]


def moderate_url(feedback) -> str:
    return f"/admin/feedback/edit/{feedback.pk}/"


def actions_logged(feedback) -> list[str]:
    """What was done to the feedback (opening it is logged too, as a look)."""
    return list(
        ModelLogEntry.objects.for_instance(feedback)
        .exclude(action=audit.VIEW)
        .order_by("pk")
        .values_list("action", flat=True)
    )


# --- The list ------------------------------------------------------------------------------


def test_a_lead_lists_their_organisations_feedback_and_not_anothers(
    client, lead, organisation, other_organisation
):
    feedback_in(organisation, offer__title="Crisis café", went_well="Warm welcome")
    feedback_in(other_organisation, offer__title="Southmoor drop-in", went_well="Good tea")
    response = client.get("/admin/feedback/")
    assert response.status_code == 200
    assert listed(response) == ["Crisis café"]
    text = page_text(response)
    assert "Warm welcome" in text
    assert "Good tea" not in text
    assert "Southmoor drop-in" not in text  # not even as a filter choice


def test_a_lead_with_partnership_wide_access_sees_every_organisations_feedback(
    client, make_person, organisation, other_organisation
):
    sign_in(client, make_person("engagement_lead", partnership_wide=True))
    feedback_in(organisation, offer__title="Crisis café")
    feedback_in(other_organisation, offer__title="Southmoor drop-in")
    assert sorted(listed(client.get("/admin/feedback/"))) == ["Crisis café", "Southmoor drop-in"]


def test_a_lead_does_not_moderate_their_own_feedback_on_another_organisations_offer(
    client, lead, other_organisation
):
    own = feedback_in(other_organisation, author=lead, offer__title="Southmoor drop-in")
    assert listed(client.get("/admin/feedback/")) == []
    for path in [moderate_url(own), f"/admin/feedback/inspect/{own.pk}/"]:
        assert client.get(path).status_code == 404, path


def test_a_lead_filters_feedback(client, lead, organisation):
    waiting = ThemeFactory(name="Waiting times")
    a = feedback_in(
        organisation,
        offer__title="Alpha",
        rating=1,
        felt_listened_to="no",
        themes=[waiting],
    )
    b = feedback_in(
        organisation, offer__title="Bravo", public=True, status=Status.TRIAGED, rating=5
    )
    c = feedback_in(organisation, offer__title="Charlie", hidden=True, hidden_reason="Spam")
    Feedback.objects.filter(pk=c.pk).update(created_at=a.created_at.replace(year=2024, month=1))
    month = f"{a.created_at:%Y-%m}"
    cases = {
        "status=triaged": ["Bravo"],
        f"theme={waiting.pk}": ["Alpha"],
        "rating=1": ["Alpha"],
        "felt_listened_to=no": ["Alpha"],
        "source=public": ["Bravo"],
        f"offer={b.offer_id}": ["Bravo"],
        "hidden=hidden": ["Charlie"],
        "hidden=shown": ["Alpha", "Bravo"],
        f"received={month}": ["Alpha", "Bravo"],
    }
    for query, expected in cases.items():
        assert sorted(listed(client.get(f"/admin/feedback/?{query}"))) == expected, query


def test_feedback_with_several_themes_is_listed_once_under_a_theme(client, lead, organisation):
    themes = [ThemeFactory(name="Waiting times"), ThemeFactory(name="Kindness")]
    feedback_in(organisation, offer__title="Alpha", themes=themes)
    assert listed(client.get(f"/admin/feedback/?theme={themes[0].pk}")) == ["Alpha"]
    assert "Kindness, Waiting times" in page_text(client.get("/admin/feedback/"))


def test_a_lead_searches_what_people_wrote(client, lead, organisation):
    feedback_in(organisation, offer__title="Alpha", could_be_better="The lift was broken")
    feedback_in(organisation, offer__title="Bravo")
    assert listed(client.get("/admin/feedback/?q=lift")) == ["Alpha"]


def test_the_feedback_list_costs_the_same_queries_with_3_or_30(client, lead, organisation):
    themes = [ThemeFactory(name="Waiting times"), ThemeFactory(name="Kindness")]
    change = ServiceChangePageFactory(title="Signs")

    def count():
        return queries_for(client, "/admin/feedback/")

    def add(how_many):
        for _ in range(how_many):
            feedback_in(organisation, themes=themes, service_change=change, published=True)

    add(3)
    count()
    few = count()
    add(27)
    count()  # new offer pages empty Wagtail's cached site paths: warm them again
    assert count() == few


def test_members_and_other_staff_cannot_reach_feedback_in_the_admin(
    client, make_person, organisation
):
    feedback = feedback_in(organisation)
    for role in ["hr", "finance", "editor"]:
        sign_in(client, make_person(role))
        response = client.get("/admin/feedback/")
        assert response.status_code == 302, role
        assert response["Location"] == "/admin/", role
        assert client.get(moderate_url(feedback)).status_code in (302, 404), role
        assert client.post(moderate_url(feedback), {"action": "close"}).status_code in (302, 404)
    feedback.refresh_from_db()
    assert feedback.status == Status.NEW
    sign_in(client, make_person("member"))
    assert client.get("/admin/feedback/").status_code == 403  # "this part is for staff"


def test_a_month_or_theme_that_is_not_a_choice_is_ignored_kindly(client, lead, organisation):
    feedback_in(organisation, offer__title="Alpha")
    for query in ["received=2020-13", "received=soon", "theme=999999", "rating=9"]:
        response = client.get(f"/admin/feedback/?{query}")
        assert response.status_code == 200, query


def test_who_sees_which_feedback(make_person, organisation, other_organisation):
    member, peer = make_person("member"), make_person("peer_worker")
    lead = make_person("engagement_lead")
    wide = make_person("engagement_lead", partnership_wide=True)
    mine = feedback_in(organisation, author=member)
    recorded = feedback_in(organisation, on_behalf=True, recorded_by=peer)
    public = feedback_in(other_organisation, public=True)
    everything = {mine, recorded, public}
    expected = {
        member: {mine},
        peer: set(),
        lead: {mine, recorded},
        wide: everything,
        make_person("admin"): everything,
        make_person("hr"): set(),
        make_person("editor"): set(),
        make_person("finance"): set(),
        make_person("supervisor"): set(),
    }
    for person, sees in expected.items():
        assert set(visible_to(person, Feedback)) == sees, person.role_names
    assert not visible_to(AnonymousUser(), Feedback).exists()


# --- One feedback ------------------------------------------------------------------------------


def test_the_inspect_view_shows_personal_details_first_and_never_who_gave_it(
    client, lead, organisation
):
    author = MemberFactory(first_name="Rosalind", last_name="Featherstone")
    feedback = feedback_in(
        organisation,
        author=author,
        went_well="Call me on 07700 900123",
        personal_details=["a phone number"],
    )
    response = client.get(f"/admin/feedback/inspect/{feedback.pk}/")
    assert response.status_code == 200
    text = page_text(response)
    assert "Check before publishing: what they wrote may contain a phone number" in text
    assert text.index("Check before publishing") < text.index("What went well")
    assert "Rosalind" not in text
    assert "Featherstone" not in text
    assert author.email not in text
    assert "A member, signed in" in text
    moderate = page_text(client.get(moderate_url(feedback)))
    assert "may contain a phone number" in moderate
    assert "Rosalind" not in moderate


def test_a_lead_of_another_organisation_guessing_a_feedback_id_finds_nothing(
    client, lead, other_organisation
):
    feedback = feedback_in(other_organisation)
    for path in [
        moderate_url(feedback),
        f"/admin/feedback/inspect/{feedback.pk}/",
        f"/admin/feedback/history/{feedback.pk}/",
    ]:
        assert client.get(path).status_code == 404, path
    for action in ["close", "hide", "triage"]:
        response = client.post(moderate_url(feedback), {"action": action, "reason": "Spam"})
        assert response.status_code == 404
    feedback.refresh_from_db()
    assert (feedback.status, feedback.hidden) == (Status.NEW, False)
    with pytest.raises(Refused, match="Only engagement leads of Southmoor Council"):
        services.feedback_close(feedback=feedback, user=lead)


def test_nobody_adds_edits_or_deletes_feedback_in_the_admin(client, make_person, organisation):
    sign_in(client, make_person("admin"))
    feedback = feedback_in(organisation)
    for path in [
        "/admin/feedback/new/",
        f"/admin/feedback/delete/{feedback.pk}/",
        f"/admin/feedback/copy/{feedback.pk}/",
    ]:
        assert client.get(path).status_code == 404, path
    response = client.get("/admin/feedback/")
    assert "Add feedback" not in page_text(response)
    assert Feedback.objects.count() == 1


# --- Moderating ------------------------------------------------------------------------------


def test_triage_marks_new_feedback_read_with_its_themes(client, lead, organisation):
    waiting, kindness = ThemeFactory(name="Waiting times"), ThemeFactory(name="Kindness")
    feedback = feedback_in(organisation, themes=[waiting])
    page = BeautifulSoup(client.get(moderate_url(feedback)).content, "html.parser")
    assert page.find("input", {"name": "themes", "value": str(waiting.pk)}).has_attr("checked")
    response = client.post(
        moderate_url(feedback), {"action": "triage", "themes": [waiting.pk, kindness.pk]}
    )
    assert response.status_code == 302
    feedback.refresh_from_db()
    assert feedback.status == Status.TRIAGED
    assert feedback.triaged_at is not None
    assert set(feedback.themes.all()) == {waiting, kindness}
    client.post(moderate_url(feedback), {"action": "triage", "themes": [kindness.pk]})
    assert actions_logged(feedback) == [
        audit_actions.FEEDBACK_TRIAGE,
        audit_actions.FEEDBACK_THEMES,
    ]
    text = page_text(client.get(moderate_url(feedback)))
    assert "Triaged feedback" in text
    assert "Priya Shah" in text


def test_hiding_needs_a_reason_and_takes_feedback_off_the_offer_page_and_its_ratings(
    client, lead, organisation
):
    feedback = feedback_in(organisation, published=True, public_quote="Rude words")
    offer = feedback.offer
    response = client.post(moderate_url(feedback), {"action": "hide", "reason": "  "})
    assert response.status_code == 400
    assert "Enter why you are hiding it" in page_text(response)
    feedback.refresh_from_db()
    assert not feedback.hidden

    client.post(moderate_url(feedback), {"action": "hide", "reason": "Abusive to staff"})
    feedback.refresh_from_db()
    assert (feedback.hidden, feedback.hidden_reason) == (True, "Abusive to staff")
    assert Feedback.objects.filter(pk=feedback.pk).exists()  # never deleted
    assert "Rude words" not in page_text(client.get(offer.url))
    change = ModelLogEntry.objects.for_instance(feedback).get(action=audit.CHANGE)
    assert change.user == lead
    assert "Abusive to staff" in change.data["reason"]

    client.post(moderate_url(feedback), {"action": "unhide"})
    feedback.refresh_from_db()
    assert not feedback.hidden
    assert "Rude words" in page_text(client.get(offer.url))
    assert audit_actions.FEEDBACK_UNHIDE in actions_logged(feedback)


def test_the_words_to_publish_start_from_what_they_wrote_and_the_moderator_cuts_them(
    client, lead, organisation
):
    feedback = feedback_in(
        organisation,
        consent_to_publish=True,
        went_well="Dr Patel was kind.",
        could_be_better="Longer opening hours.",
    )
    page = BeautifulSoup(client.get(moderate_url(feedback)).content, "html.parser")
    prefilled = page.find("textarea", {"name": "quote"}).get_text().strip()
    assert prefilled == "Dr Patel was kind.\n\nLonger opening hours."
    response = client.post(
        moderate_url(feedback), {"action": "quote", "quote": "The doctor was kind."}
    )
    assert response.status_code == 302
    feedback.refresh_from_db()
    assert feedback.public_quote == "The doctor was kind."
    assert feedback.is_published
    assert feedback.status == Status.TRIAGED
    offer_text = page_text(client.get(feedback.offer.url))
    assert "The doctor was kind." in offer_text
    assert "Patel" not in offer_text
    assert ModelLogEntry.objects.for_instance(feedback).filter(action=audit.CHANGE).exists()


def test_words_that_may_still_identify_someone_are_flagged_after_saving(client, lead, organisation):
    feedback = feedback_in(organisation, consent_to_publish=True)
    response = client.post(
        moderate_url(feedback),
        {"action": "quote", "quote": "Nurse Jenkins was great."},
        follow=True,
    )
    assert "may still contain a name" in page_text(response)


def test_nothing_is_published_from_feedback_whose_giver_did_not_agree(client, lead, organisation):
    feedback = feedback_in(organisation, consent_to_publish=False)
    text = page_text(client.get(moderate_url(feedback)))
    assert "Nothing can be published: they did not agree to be quoted." in text
    response = client.post(moderate_url(feedback), {"action": "quote", "quote": "Some words"})
    assert response.status_code == 400
    assert "They did not agree to be quoted" in page_text(response)
    feedback.refresh_from_db()
    assert feedback.public_quote == ""


def test_the_first_response_moves_feedback_on_and_emails_the_member_who_gave_it(
    client, lead, organisation
):
    member = MemberFactory(email="rosa@example.org", first_name="Rosa")
    feedback = feedback_in(organisation, author=member, published=True)
    response = client.post(
        moderate_url(feedback),
        {"action": "respond", "response": "Thank you. We have put up signs."},
    )
    assert response.status_code == 302
    feedback.refresh_from_db()
    assert feedback.status == Status.RESPONDED
    assert (feedback.responded_by, feedback.public_response) == (
        lead,
        "Thank you. We have put up signs.",
    )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["rosa@example.org"]
    assert "We have put up signs." in mail.outbox[0].body
    assert "/feedback/yours/" in mail.outbox[0].body
    assert "We have put up signs." in page_text(client.get(feedback.offer.url))
    # Correcting the response does not email again.
    client.post(moderate_url(feedback), {"action": "respond", "response": "We put up signs."})
    assert len(mail.outbox) == 1


def test_a_response_to_public_feedback_emails_nobody(client, lead, organisation):
    feedback = feedback_in(organisation, public=True)
    client.post(moderate_url(feedback), {"action": "respond", "response": "Thank you."})
    feedback.refresh_from_db()
    assert feedback.status == Status.RESPONDED
    assert mail.outbox == []


def test_a_mistake_in_one_form_keeps_what_was_typed_and_changes_nothing(client, lead, organisation):
    feedback = feedback_in(organisation)
    too_long = "We hear you. " * 400
    response = client.post(moderate_url(feedback), {"action": "respond", "response": too_long})
    assert response.status_code == 400
    assert "Keep the response to 5000 characters or fewer." in page_text(response)
    page = BeautifulSoup(response.content, "html.parser")
    assert page.find("textarea", {"name": "response"}).get_text().strip() == too_long.strip()
    feedback.refresh_from_db()
    assert (feedback.status, feedback.public_response) == (Status.NEW, "")


def test_a_lead_links_feedback_to_the_service_change_that_answers_it(
    client, lead, organisation, other_organisation
):
    published = ServiceChangePageFactory(title="Signs at the entrance")
    own_draft = ServiceChangePageFactory(
        title="Longer hours", offers=[OfferPageFactory(provider=organisation)]
    )
    own_draft.unpublish()
    panel_draft = ServiceChangePageFactory(
        title="Panel draft", panel=PanelFactory(organisation=organisation)
    )
    panel_draft.unpublish()
    others_draft = ServiceChangePageFactory(
        title="Southmoor draft", offers=[OfferPageFactory(provider=other_organisation)]
    )
    others_draft.unpublish()
    feedback = feedback_in(organisation)
    text = page_text(client.get(moderate_url(feedback)))
    assert "Signs at the entrance" in text
    assert "Longer hours (draft)" in text
    assert "Panel draft (draft)" in text
    assert "Southmoor draft" not in text

    response = client.post(
        moderate_url(feedback), {"action": "link", "service_change": others_draft.pk}
    )
    assert response.status_code == 400
    feedback.refresh_from_db()
    assert feedback.service_change is None

    client.post(moderate_url(feedback), {"action": "link", "service_change": published.pk})
    feedback.refresh_from_db()
    assert feedback.service_change_id == published.pk
    assert feedback.status == Status.TRIAGED
    client.post(moderate_url(feedback), {"action": "link", "service_change": own_draft.pk})
    feedback.refresh_from_db()
    assert feedback.service_change_id == own_draft.pk
    client.post(moderate_url(feedback), {"action": "link", "service_change": ""})
    feedback.refresh_from_db()
    assert feedback.service_change is None
    assert actions_logged(feedback).count(audit_actions.FEEDBACK_LINK_CHANGE) == 3


def test_status_only_moves_forward_except_by_reopening(client, lead, organisation):
    feedback = feedback_in(organisation, public_response="", status=Status.NEW)
    client.post(moderate_url(feedback), {"action": "close"})
    feedback.refresh_from_db()
    assert feedback.status == Status.CLOSED
    assert feedback.triaged_at is not None and feedback.closed_at is not None

    text = page_text(client.get(moderate_url(feedback)))
    assert "Reopen" in text
    assert "Public response" not in text
    response = client.post(moderate_url(feedback), {"action": "close"})
    assert response.status_code == 400
    assert "This feedback is already closed." in page_text(response)
    with pytest.raises(Refused, match="Reopen it to change the response"):
        services.feedback_respond(feedback=feedback, user=lead, response="Too late")
    with pytest.raises(Refused, match="Reopen it to change its themes"):
        services.feedback_triage(feedback=feedback, user=lead, themes=[])

    # Hiding protects people, so it is possible even once closed.
    client.post(moderate_url(feedback), {"action": "hide", "reason": "Names a person"})
    feedback.refresh_from_db()
    assert feedback.hidden

    client.post(moderate_url(feedback), {"action": "reopen"})
    feedback.refresh_from_db()
    assert (feedback.status, feedback.closed_at) == (Status.TRIAGED, None)
    client.post(moderate_url(feedback), {"action": "respond", "response": "Thank you."})
    client.post(moderate_url(feedback), {"action": "close"})
    client.post(moderate_url(feedback), {"action": "reopen"})
    feedback.refresh_from_db()
    assert feedback.status == Status.RESPONDED


def test_an_unknown_action_changes_nothing(client, lead, organisation):
    feedback = feedback_in(organisation)
    response = client.post(moderate_url(feedback), {"action": "delete"}, follow=True)
    assert "Choose what to do with this feedback." in page_text(response)
    assert Feedback.objects.get().status == Status.NEW


def test_every_moderation_action_is_in_the_feedbacks_history(client, lead, organisation):
    feedback = feedback_in(organisation, consent_to_publish=True)
    for data in [
        {"action": "triage"},
        {"action": "quote", "quote": "Kind staff."},
        {"action": "respond", "response": "Thank you."},
        {"action": "hide", "reason": "Checking a complaint"},
        {"action": "unhide"},
        {"action": "close"},
        {"action": "reopen"},
    ]:
        assert client.post(moderate_url(feedback), data).status_code == 302, data
    assert actions_logged(feedback) == [
        audit_actions.FEEDBACK_TRIAGE,
        audit_actions.FEEDBACK_QUOTE,
        audit.CHANGE,
        audit_actions.FEEDBACK_RESPOND,
        audit_actions.FEEDBACK_HIDE,
        audit.CHANGE,
        audit_actions.FEEDBACK_UNHIDE,
        audit.CHANGE,
        audit_actions.FEEDBACK_CLOSE,
        audit_actions.FEEDBACK_REOPEN,
    ]
    history = client.get(f"/admin/feedback/history/{feedback.pk}/")
    assert history.status_code == 200
    assert "Hid feedback from the offer page" in page_text(history)


def test_looking_at_feedback_is_logged_but_its_history_panel_lists_only_what_was_done(
    client, lead, organisation
):
    feedback = feedback_in(organisation)
    client.get(moderate_url(feedback))
    client.post(moderate_url(feedback), {"action": "triage"})
    page = page_text(client.get(moderate_url(feedback)))
    assert ModelLogEntry.objects.for_instance(feedback).filter(action=audit.VIEW).count() == 2
    assert "Viewed a sensitive record" not in page


# --- Export ----------------------------------------------------------------------------------


def test_the_export_leaves_out_who_gave_feedback_and_is_written_to_the_audit_log(
    client, lead, organisation, other_organisation
):
    author = MemberFactory(first_name="Rosalind", email="rosalind@example.org")
    feedback_in(
        organisation,
        author=author,
        offer__title="Crisis café",
        went_well='=HYPERLINK("http://evil.example")',
        themes=[ThemeFactory(name="Kindness")],
    )
    feedback_in(other_organisation, offer__title="Southmoor drop-in")
    response = client.get("/admin/feedback/?export=csv")
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content)))
    assert [row["Offer"] for row in rows] == ["Crisis café"]
    assert rows[0]["Themes"] == "Kindness"
    assert rows[0]["What went well"].startswith("'=")
    assert "Rosalind" not in content
    assert "rosalind@example.org" not in content
    entry = ModelLogEntry.objects.get(action=audit.EXPORT)
    assert entry.user == lead
    assert entry.data["count"] == 1


# --- Themes, kept by editors -------------------------------------------------------------------

THEMES = "/admin/snippets/coproduce/theme/"


def test_editors_keep_the_themes_feedback_is_sorted_by(client, make_person):
    sign_in(client, make_person("editor"))
    assert client.get("/admin/snippets/coproduce/theme/").status_code == 200
    response = client.post(
        "/admin/snippets/coproduce/theme/add/",
        {
            "name": "Food and drink",
            "slug": "",
            "description": "Meals and snacks.",
            "sort_order": 20,
        },
    )
    assert response.status_code == 302
    assert Theme.objects.filter(name="Food and drink").exists()


def test_leads_may_look_at_the_themes_but_not_change_them(client, lead):
    assert client.get("/admin/snippets/coproduce/theme/").status_code == 200
    response = client.get("/admin/snippets/coproduce/theme/add/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_leads_find_feedback_and_its_trends_in_the_menu_and_editors_the_themes(client, make_person):
    expected = {
        "engagement_lead": {"/admin/feedback/", "/admin/feedback-trends/", THEMES},
        "editor": {THEMES},
        "hr": set(),
    }
    for role, links in expected.items():
        sign_in(client, make_person(role))
        html = client.get("/admin/").content.decode()
        shown = {
            url for url in ["/admin/feedback/", "/admin/feedback-trends/", THEMES] if url in html
        }
        assert shown == links, role


@pytest.mark.parametrize("role", ["hr", "finance"])
def test_other_staff_cannot_reach_the_themes(client, make_person, role):
    sign_in(client, make_person(role))
    response = client.get("/admin/snippets/coproduce/theme/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


# --- The words a lead redacted survive every action ------------------------------------------

PERSONAL = "Dr Patel at 14 Hill Road was kind."
REDACTED = "The doctor was kind."


def submit_page(client, feedback, action: str, **typed):
    """Press ``action``'s button on the moderation page as a browser does: the page is one
    form, so everything it shows is sent (with the hidden values it showed), plus what the
    lead typed."""
    page = BeautifulSoup(client.get(moderate_url(feedback)).content, "html.parser")
    form = page.find("form", attrs={"method": "post", "action": moderate_url(feedback)})
    data: dict[str, list] = {}
    for field in form.find_all(["input", "textarea", "select"]):
        name = field.get("name")
        if not name or name == "action":
            continue
        if field.name == "textarea":
            value = field.get_text()
            # The HTML parser keeps the newline the template puts after <textarea>.
            value = value[1:] if value.startswith("\n") else value
        elif field.name == "select":
            chosen = field.find("option", selected=True)
            value = chosen.get("value", "") if chosen else ""
        elif field.get("type") in ("checkbox", "radio") and not field.has_attr("checked"):
            continue
        else:
            value = field.get("value", "")
        data.setdefault(name, []).append(value)
    for name, value in typed.items():
        data[name] = value if isinstance(value, list) else [value]
    assert form.find("button", attrs={"name": "action", "value": action}), action
    return client.post(moderate_url(feedback), {**data, "action": action})


def redacted_feedback(client, organisation) -> Feedback:
    feedback = feedback_in(
        organisation, consent_to_publish=True, went_well=PERSONAL, could_be_better=""
    )
    response = submit_page(client, feedback, "quote", quote=REDACTED)
    assert response.status_code == 302
    return feedback


def assert_only_the_redacted_words_are_public(client, feedback) -> None:
    feedback.refresh_from_db()
    assert feedback.public_quote == REDACTED
    offer_text = page_text(client.get(feedback.offer.url))
    assert REDACTED in offer_text
    assert "Patel" not in offer_text
    assert "Hill Road" not in offer_text


def _triage(client, feedback, organisation):
    return submit_page(client, feedback, "triage", themes=[str(ThemeFactory().pk)])


def _respond(client, feedback, organisation):
    return submit_page(client, feedback, "respond", response="Thank you. We told the team.")


def _link(client, feedback, organisation):
    change = ServiceChangePageFactory(title="Kinder welcome", offers=[feedback.offer])
    return submit_page(client, feedback, "link", service_change=str(change.pk))


def _close(client, feedback, organisation):
    return submit_page(client, feedback, "close")


def _reopen(client, feedback, organisation):
    assert submit_page(client, feedback, "close").status_code == 302
    return submit_page(client, feedback, "reopen")


def _hide_and_unhide(client, feedback, organisation):
    assert submit_page(client, feedback, "hide", reason="Checking it").status_code == 302
    return submit_page(client, feedback, "unhide")


@pytest.mark.parametrize(
    "action",
    [_triage, _respond, _link, _close, _reopen, _hide_and_unhide],
    ids=lambda a: a.__name__,
)
def test_the_redacted_words_survive_every_action_on_the_moderation_page(
    client, lead, organisation, action
):
    feedback = redacted_feedback(client, organisation)
    assert action(client, feedback, organisation).status_code == 302
    assert_only_the_redacted_words_are_public(client, feedback)


def test_an_old_page_never_puts_back_words_another_lead_redacted(client, lead, organisation):
    feedback = feedback_in(
        organisation, consent_to_publish=True, went_well=PERSONAL, could_be_better=""
    )
    # The page opened before the redaction shows everything they wrote in the box.
    old = BeautifulSoup(client.get(moderate_url(feedback)).content, "html.parser")
    assert PERSONAL in old.find("textarea", {"name": "quote"}).get_text()
    assert submit_page(client, feedback, "quote", quote=REDACTED).status_code == 302
    sent = {"action": "respond", "response": "Thank you.", "quote": PERSONAL}
    sent["initial-quote"] = old.find("input", {"name": "initial-quote"})["value"]
    assert client.post(moderate_url(feedback), sent).status_code == 302
    feedback.refresh_from_db()
    assert feedback.public_response == "Thank you."
    assert_only_the_redacted_words_are_public(client, feedback)


def test_words_redacted_but_not_yet_saved_are_kept_when_the_lead_responds(
    client, lead, organisation
):
    feedback = feedback_in(
        organisation, consent_to_publish=True, went_well=PERSONAL, could_be_better=""
    )
    response = submit_page(
        client, feedback, "respond", quote=REDACTED, response="Thank you. We told the team."
    )
    assert response.status_code == 302
    feedback.refresh_from_db()
    assert feedback.public_response == "Thank you. We told the team."
    assert_only_the_redacted_words_are_public(client, feedback)


def test_a_mistake_anywhere_saves_nothing_and_keeps_the_redaction_typed(client, lead, organisation):
    feedback = feedback_in(
        organisation, consent_to_publish=True, went_well=PERSONAL, could_be_better=""
    )
    response = submit_page(client, feedback, "respond", quote=REDACTED, response="x" * 5001)
    assert response.status_code == 400
    page = BeautifulSoup(response.content, "html.parser")
    assert page.find("textarea", {"name": "quote"}).get_text().strip() == REDACTED
    feedback.refresh_from_db()
    assert (feedback.public_quote, feedback.public_response) == ("", "")
    assert "Patel" not in page_text(client.get(feedback.offer.url))
