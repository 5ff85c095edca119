"""Giving feedback on an offer: the public without an account (nothing identifying kept,
software and floods kept out), signed-in members (kept with their account, followed in My
space) and peer workers writing it down for someone. Nothing a person typed is lost when
the form is shown again."""

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.urls import reverse
from wagtail.models import ModelLogEntry

from coproduce import audit_actions
from coproduce.factories import FeedbackFactory, ThemeFactory
from coproduce.models import Feedback
from coproduce.services import Refused
from coproduce.services import feedback as services
from tests.conftest import sign_in
from tests.coproduce.test_claims import page_text
from tests.factories import OfferPageFactory, offers_index
from tests.queries import queries_for

pytestmark = pytest.mark.django_db

Source = Feedback.Source


@pytest.fixture
def offer(organisation):
    return OfferPageFactory(title="Crisis café", provider=organisation)


def give_url(offer) -> str:
    return reverse("coproduce:feedback_give", kwargs={"offer_id": offer.pk})


def thanks_url(offer) -> str:
    return reverse("coproduce:feedback_thanks", kwargs={"offer_id": offer.pk})


def typed(page, name: str) -> str:
    """What a textarea shows (browsers drop the one newline Django puts first)."""
    return page.find("textarea", {"name": name}).get_text().removeprefix("\n")


def answers(**overrides) -> dict:
    data = {
        "went_well": "The staff listened and I was seen the same evening.",
        "could_be_better": "The entrance was hard to find in the dark.",
        "rating": "4",
        "felt_listened_to": "yes",
        "consent_to_publish": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# --- The public, without an account -----------------------------------------------------------


def test_every_offer_page_has_a_way_to_give_feedback(client, offer):
    response = client.get(offer.url)
    assert response.status_code == 200
    page = BeautifulSoup(response.content, "html.parser")
    link = page.find("a", href=give_url(offer))
    assert link is not None
    assert link.get_text(" ", strip=True) == "Give feedback on Crisis café"


def test_the_public_give_feedback_and_nothing_that_identifies_them_is_kept(client, offer):
    theme = ThemeFactory(name="Getting there")
    response = client.post(
        give_url(offer),
        answers(themes=[theme.pk]),
        REMOTE_ADDR="203.0.113.7",
        HTTP_USER_AGENT="Firefox on a library computer",
    )
    assert response.status_code == 302
    assert response["Location"] == thanks_url(offer)
    assert "sessionid" not in response.cookies  # no session ties them to it either
    feedback = Feedback.objects.get()
    assert feedback.source == Source.PUBLIC
    assert feedback.author is None
    assert feedback.recorded_by is None
    assert feedback.organisation == offer.provider
    assert feedback.offer_title == "Crisis café"
    assert feedback.status == Feedback.Status.NEW
    assert feedback.rating == 4
    assert feedback.consent_to_publish is True
    assert list(feedback.themes.all()) == [theme]
    kept = str(Feedback.objects.filter(pk=feedback.pk).values().get())
    assert "203.0.113.7" not in kept
    assert "library computer" not in kept
    entry = ModelLogEntry.objects.for_instance(feedback).get()
    assert entry.action == audit_actions.FEEDBACK_GIVE
    assert entry.user is None
    assert "203.0.113.7" not in str(entry.data)


def test_the_thank_you_page_says_what_happens_next(client, offer):
    text = page_text(client.get(thanks_url(offer)))
    assert "Thank you for your feedback" in text
    assert "What happens next" in text
    assert "we cannot contact you" in text
    assert "Go back to Crisis café" in text


def test_the_form_tells_the_public_no_account_is_needed_and_where_urgent_help_is(client, offer):
    text = page_text(client.get(give_url(offer)))
    assert "You do not need an account" in text
    assert "This form is not for urgent help" in text
    assert "Whose feedback is this?" not in text


def test_feedback_needs_what_went_well_or_what_could_be_better(client, offer):
    response = client.post(give_url(offer), answers(went_well="  ", could_be_better=""))
    assert response.status_code == 400
    assert "Tell us what went well, what could be better, or both." in page_text(response)
    assert not Feedback.objects.exists()
    # One of the two is enough.
    assert client.post(give_url(offer), answers(went_well="")).status_code == 302
    assert Feedback.objects.get().went_well == ""


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("rating", "Choose how your experience was overall."),
        ("felt_listened_to", "Choose whether you felt listened to."),
    ],
)
def test_a_missing_answer_is_named_and_nothing_is_saved(client, offer, missing, message):
    response = client.post(give_url(offer), answers(**{missing: None}))
    assert response.status_code == 400
    text = page_text(response)
    assert "There is a problem" in text
    assert message in text
    assert not Feedback.objects.exists()


def test_each_problem_in_the_summary_links_to_its_question(client, offer):
    response = client.post(
        give_url(offer), answers(went_well="", could_be_better=None, rating=None)
    )
    page = BeautifulSoup(response.content, "html.parser")
    targets = [link["href"] for link in page.select(".nhsuk-error-summary a")]
    assert targets == ["#id_went_well", "#id_rating_0"]
    for target in targets:
        assert page.find(id=target[1:]) is not None


def test_a_failed_submission_keeps_everything_typed(client, offer):
    themes = [ThemeFactory(name="Waiting"), ThemeFactory(name="Kindness")]
    response = client.post(
        give_url(offer),
        answers(
            went_well="Kind & patient <staff>",
            could_be_better="Shorter waits",
            rating=None,
            felt_listened_to="partly",
            themes=[themes[1].pk],
        ),
    )
    assert response.status_code == 400
    page = BeautifulSoup(response.content, "html.parser")
    assert typed(page, "went_well") == "Kind & patient <staff>"
    assert typed(page, "could_be_better") == "Shorter waits"
    assert page.find("input", {"name": "felt_listened_to", "value": "partly"}).has_attr("checked")
    assert page.find("input", {"name": "themes", "value": str(themes[1].pk)}).has_attr("checked")
    assert not page.find("input", {"name": "themes", "value": str(themes[0].pk)}).has_attr(
        "checked"
    )
    assert page.find("input", {"name": "consent_to_publish"}).has_attr("checked")


def test_tags_typed_into_feedback_are_kept_exactly_as_typed(client, offer):
    typed = "<b>Great</b> staff <script>alert(1)</script>"
    client.post(give_url(offer), answers(went_well=typed))
    assert Feedback.objects.get().went_well == typed


def test_personal_details_are_flagged_for_the_moderator_and_never_refused(client, offer):
    response = client.post(
        give_url(offer),
        answers(went_well="Nurse Jenkins was lovely, call me on 07700 900123 to hear more."),
    )
    assert response.status_code == 302
    assert Feedback.objects.get().personal_details == ["a phone number", "a name"]


def test_text_longer_than_the_limit_is_refused_with_the_limit_named(client, offer):
    response = client.post(give_url(offer), answers(could_be_better="x" * 3001))
    assert response.status_code == 400
    assert "Keep what could be better to 3000 characters or fewer." in page_text(response)
    assert not Feedback.objects.exists()


def test_feedback_on_an_offer_that_is_not_listed_is_not_found(client, offer):
    offer.unpublish()
    assert client.get(give_url(offer)).status_code == 404
    assert client.get(thanks_url(offer)).status_code == 404
    assert client.post(give_url(offer), answers()).status_code == 404
    assert (
        client.get(reverse("coproduce:feedback_give", kwargs={"offer_id": 999999})).status_code
        == 404
    )
    assert not Feedback.objects.exists()


def test_the_same_feedback_sent_twice_is_kept_once(client, offer):
    for _ in range(2):
        assert client.post(give_url(offer), answers()).status_code == 302
    assert Feedback.objects.count() == 1


# --- Keeping software and floods out -----------------------------------------------------------


def test_software_that_fills_the_hidden_field_is_thanked_and_nothing_is_kept(client, offer):
    response = client.post(give_url(offer), answers(website="http://spam.example"))
    assert response.status_code == 302
    assert response["Location"] == thanks_url(offer)
    assert not Feedback.objects.exists()


def test_people_signed_in_are_never_taken_for_software(client, offer, make_person):
    sign_in(client, make_person("member"))
    assert b'name="website"' not in client.get(give_url(offer)).content
    assert client.post(give_url(offer), answers(website="autofilled")).status_code == 302
    assert Feedback.objects.count() == 1


def test_the_hidden_field_is_out_of_sight_and_out_of_the_tab_order(client, offer):
    page = BeautifulSoup(client.get(give_url(offer)).content, "html.parser")
    field = page.find("input", {"name": "website"})
    assert field["tabindex"] == "-1"
    assert field.find_parent("div", attrs={"hidden": True}) is not None


def test_a_flood_of_public_feedback_is_stopped_kindly_and_keeps_what_was_typed(
    client, offer, settings
):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "feedback": "3/10m/key"}
    for n in range(3):
        assert client.post(give_url(offer), answers(went_well=f"Visit {n}")).status_code == 302
    response = client.post(give_url(offer), answers(went_well="Fourth visit was good"))
    assert response.status_code == 429
    text = page_text(response)
    assert "Please wait 10 minutes, then send it again" in text
    assert "What you wrote is still here" in text
    page = BeautifulSoup(response.content, "html.parser")
    assert typed(page, "went_well") == "Fourth visit was good"
    assert Feedback.objects.count() == 3
    # Another connection is not held up.
    assert client.post(give_url(offer), answers(), REMOTE_ADDR="198.51.100.2").status_code == 302


def test_the_limit_keeps_no_address_even_in_its_counters(client, offer, settings):
    if not settings.CACHES["default"]["BACKEND"].endswith("DatabaseCache"):
        pytest.skip("reads the counters from the database cache")
    client.post(give_url(offer), answers(), REMOTE_ADDR="203.0.113.7")
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key, value FROM cms_cache")
        kept = str(cursor.fetchall())
    assert "rl" in kept  # the counter is there...
    assert "203.0.113.7" not in kept  # ...but not the address


def test_one_ipv6_network_shares_one_limit(client, offer, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "feedback": "1/10m/key"}
    first = client.post(give_url(offer), answers(), REMOTE_ADDR="2001:db8:1:2::10")
    assert first.status_code == 302
    same_network = client.post(
        give_url(offer), answers(went_well="Again"), REMOTE_ADDR="2001:db8:1:2::99"
    )
    assert same_network.status_code == 429
    other_network = client.post(
        give_url(offer), answers(went_well="Other"), REMOTE_ADDR="2001:db8:1:3::10"
    )
    assert other_network.status_code == 302


def test_mistakes_on_the_form_do_not_count_towards_the_limit(client, offer, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "feedback": "1/10m/key"}
    for _ in range(3):
        assert client.post(give_url(offer), answers(rating=None)).status_code == 400
    assert client.post(give_url(offer), answers()).status_code == 302


def test_signed_in_people_are_not_held_up_by_the_public_limit(client, offer, make_person, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "feedback": "1/10m/key"}
    sign_in(client, make_person("peer_worker"))
    for n in range(3):
        response = client.post(give_url(offer), answers(on_behalf="other", went_well=f"Person {n}"))
        assert response.status_code == 302
    assert Feedback.objects.count() == 3


# --- Members and peer workers --------------------------------------------------------------


def test_a_signed_in_member_gives_feedback_kept_with_their_account(client, offer, make_person):
    member = make_person("member")
    sign_in(client, member)
    text = page_text(client.get(give_url(offer)))
    assert "so you can see what happens to it in My space" in text
    assert client.post(give_url(offer), answers()).status_code == 302
    feedback = Feedback.objects.get()
    assert feedback.source == Source.MEMBER
    assert feedback.author == member
    assert feedback.recorded_by is None
    assert "your feedback" in page_text(client.get(thanks_url(offer)))


def test_a_peer_worker_writes_feedback_down_for_someone_they_support(client, offer, make_person):
    peer = make_person("peer_worker")
    sign_in(client, peer)
    text = page_text(client.get(give_url(offer)))
    assert "Whose feedback is this?" in text
    assert "Someone I support: I am writing down what they told me" in text
    response = client.post(give_url(offer), answers(on_behalf="other"))
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert feedback.source == Source.PEER_WORKER
    assert feedback.recorded_by == peer
    assert feedback.author is None
    thanks = page_text(client.get(response["Location"]))
    assert "not kept with your account or theirs" in thanks
    assert "you could tell the person where to look" in thanks
    assert "Write down feedback from someone else about Crisis café" in thanks


def test_a_peer_worker_giving_their_own_feedback_keeps_it_as_theirs(client, offer, make_person):
    peer = make_person("peer_worker")
    sign_in(client, peer)
    client.post(give_url(offer), answers(on_behalf="self"))
    feedback = Feedback.objects.get()
    assert (feedback.source, feedback.author, feedback.recorded_by) == (Source.MEMBER, peer, None)


def test_a_peer_worker_must_say_whose_feedback_it_is(client, offer, make_person):
    sign_in(client, make_person("peer_worker"))
    response = client.post(give_url(offer), answers())
    assert response.status_code == 400
    assert "Choose whose feedback this is." in page_text(response)
    assert not Feedback.objects.exists()


def test_only_peer_workers_write_feedback_down_for_someone_else(client, offer, make_person):
    member = make_person("member")
    sign_in(client, member)
    client.post(give_url(offer), answers(on_behalf="other"))
    feedback = Feedback.objects.get()
    assert (feedback.source, feedback.author) == (Source.MEMBER, member)
    with pytest.raises(Refused, match="Only peer workers"):
        services.feedback_give(
            offer=offer,
            user=member,
            went_well="Good",
            could_be_better="",
            rating=5,
            felt_listened_to="yes",
            on_behalf=True,
        )


def test_the_service_refuses_what_the_form_would_not_send(offer):
    give = {
        "offer": offer,
        "user": None,
        "went_well": "Good",
        "could_be_better": "",
        "rating": 5,
        "felt_listened_to": "yes",
    }
    for change, message in [
        ({"went_well": "  \n "}, "what went well, what could be better"),
        ({"rating": 9}, "how your experience was overall"),
        ({"rating": "five"}, "how your experience was overall"),
        ({"felt_listened_to": "maybe"}, "whether you felt listened to"),
    ]:
        with pytest.raises(Refused, match=message):
            services.feedback_give(**{**give, **change})
    offer.unpublish()
    with pytest.raises(Refused, match="no longer listed"):
        services.feedback_give(**give)
    assert not Feedback.objects.exists()


def test_the_feedback_form_costs_the_same_queries_with_3_or_30_themes(client, offer):
    def count():
        return queries_for(client, give_url(offer))

    for n in range(3):
        ThemeFactory(name=f"Theme {n}")
    count()
    few = count()
    for n in range(3, 30):
        ThemeFactory(name=f"Theme {n}")
    assert count() == few


# --- Following it in My space ----------------------------------------------------------------


def panel_text(response, heading: str) -> str:
    page = BeautifulSoup(response.content, "html.parser")
    for section in page.select(".lep-panels section"):
        if section.h2 and section.h2.get_text(strip=True) == heading:
            return " ".join(section.get_text(" ").split())
    raise AssertionError(f"No panel called {heading!r}")


def test_members_follow_their_feedback_and_its_reply_in_my_space(client, make_person, offer):
    member = make_person("member")
    sign_in(client, member)
    FeedbackFactory(
        author=member,
        offer=offer,
        status=Feedback.Status.RESPONDED,
        public_response="Thank you. We have put up new signs at the entrance.",
    )
    FeedbackFactory(public_response="A reply to somebody else")
    text = panel_text(client.get("/my-space/"), "Your feedback")
    assert "Crisis café" in text
    assert "Replied to" in text
    assert "We have put up new signs at the entrance." in text
    assert "somebody else" not in text
    assert "See your feedback and replies" in text


def test_a_member_with_no_feedback_is_told_how_to_give_it(client, make_person):
    directory = offers_index()
    sign_in(client, make_person("member"))
    response = client.get("/my-space/")
    text = panel_text(response, "Your feedback")
    assert "You have not given feedback while signed in yet" in text
    assert 'To give feedback, find the offer of support and choose "Give feedback"' in text
    page = BeautifulSoup(response.content, "html.parser")
    assert page.find("a", string="find the offer of support")["href"] == directory.url


def test_my_space_shows_feedback_for_the_same_queries_with_3_or_30_items(client, make_person):
    member = make_person("member")
    sign_in(client, member)

    def count():
        return queries_for(client, "/my-space/")

    for _ in range(3):
        FeedbackFactory(author=member, public_response="Thanks")
    count()
    few = count()
    for _ in range(27):
        FeedbackFactory(author=member, public_response="Thanks")
    count()  # new pages empty Wagtail's cached site paths: warm them again
    assert count() == few


def test_your_feedback_lists_only_your_own_with_what_became_of_it(client, make_person, offer):
    member = make_person("member")
    sign_in(client, member)
    mine = FeedbackFactory(
        author=member,
        offer=offer,
        went_well="The peer worker understood.",
        consent_to_publish=True,
        public_quote="The peer worker understood.",
        status=Feedback.Status.TRIAGED,
    )
    FeedbackFactory(went_well="Someone else's words")
    FeedbackFactory(public=True, went_well="A visitor's words")
    response = client.get(reverse("coproduce:feedback_mine"))
    assert response.status_code == 200
    text = page_text(response)
    assert "The peer worker understood." in text
    assert "Being looked at" in text
    assert "These words are on the offer's page" in text
    assert "Someone else's words" not in text
    assert "A visitor's words" not in text
    assert mine.offer_title in text


def test_your_feedback_costs_the_same_queries_with_3_or_30_items(client, make_person):
    member = make_person("member")
    sign_in(client, member)

    def count():
        return queries_for(client, reverse("coproduce:feedback_mine"))

    for _ in range(3):
        FeedbackFactory(author=member, published=True, public_response="Thanks")
    count()
    few = count()
    for _ in range(27):
        FeedbackFactory(author=member, published=True, public_response="Thanks")
    count()  # new pages empty Wagtail's cached site paths: warm them again
    assert count() == few


def test_your_feedback_needs_you_to_sign_in(client):
    response = client.get(reverse("coproduce:feedback_mine"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_peer_workers_do_not_see_feedback_they_wrote_down_for_someone(client, make_person):
    peer = make_person("peer_worker")
    sign_in(client, peer)
    FeedbackFactory(on_behalf=True, recorded_by=peer, went_well="Their own words")
    text = page_text(client.get(reverse("coproduce:feedback_mine")))
    assert "Their own words" not in text
    assert "You have not given feedback while signed in yet" in text


def test_leads_see_how_much_new_feedback_waits_to_be_read_in_my_space(
    client, make_person, organisation, other_organisation
):
    sign_in(client, make_person("engagement_lead"))
    for _ in range(2):
        FeedbackFactory(offer__provider=organisation)
    FeedbackFactory(offer__provider=organisation, status=Feedback.Status.TRIAGED)
    FeedbackFactory(offer__provider=other_organisation)
    response = client.get("/my-space/")
    text = panel_text(response, "New feedback")
    assert "2 pieces of new feedback are waiting to be read" in text
    page = BeautifulSoup(response.content, "html.parser")
    assert page.find("a", string=lambda s: s and "waiting to be read" in s)["href"] == (
        "/admin/feedback/?status=new"
    )
    assert "See feedback trends" in text


def test_a_lead_with_nothing_new_is_told_so(client, make_person):
    sign_in(client, make_person("engagement_lead"))
    assert "No new feedback is waiting to be read." in panel_text(
        client.get("/my-space/"), "New feedback"
    )


def test_a_leads_my_space_costs_the_same_queries_with_3_or_30_new_feedback(
    client, make_person, organisation
):
    sign_in(client, make_person("engagement_lead"))

    def count():
        return queries_for(client, "/my-space/")

    for _ in range(3):
        FeedbackFactory(offer__provider=organisation)
    count()
    few = count()
    for _ in range(27):
        FeedbackFactory(offer__provider=organisation)
    count()  # new offer pages empty Wagtail's cached site paths: warm them again
    assert count() == few
