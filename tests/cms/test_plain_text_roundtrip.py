"""What a person types is kept exactly: awkward text (angle brackets, ampersands, emoji,
right-to-left scripts, combining marks, a very long word, quotes, backslashes, the kind of
thing the "big list of naughty strings" collects) goes through each plain-text field's
create service byte for byte, and the page that shows it shows it as words, never markup.

Each field is one line of ``FIELDS``: how to save text into it, how to read it back, and
which page shows it to whom. Adding a field is adding a line.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from coproduce.services import applications as panel_applications
from coproduce.services import feedback as feedback_services
from peers import wellbeing_scale
from peers.services import recruitment, sessions, supervision, wellbeing
from tests.conftest import sign_in
from tests.factories import (
    OfferPageFactory,
    OrganisationFactory,
    PeerWorkerFactory,
    SupervisorFactory,
)
from tests.factories.coproduce import InvolvementProfileFactory, PanelFactory
from tests.factories.peers import VacancyFactory

pytestmark = pytest.mark.django_db

CORPUS = [
    "Said she felt <empty> most days",
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(2)">',
    "Fish &amp; chips & peas, 3 < 4 > 2",
    "&lt;b&gt;not bold&lt;/b&gt; &#60;i&#62; &nbsp;",
    "Quotes: 'single' \"double\" “curly” ‘also’ `back`",
    "Backslashes: C:\\Users\\n \\\\ \\x00 \\u0041",
    "Emoji: 😀 👩🏽‍🦱 🏳️‍🌈 ❤️",
    "Arabic: مرحبا بالعالم",
    "Hebrew: שלום עולם",
    "Mixed: abc ‮reversed‬ def",
    "Combining: e\u0301 a\u0308 Z\u0351\u0352\u0353alg\u0300o",
    "Zero width: a\u200bb\u200dc\ufeffd",
    "{{ request.user }} {% now 'Y' %} ${7*7} #{7*7}",
    "'; DROP TABLE peers_sessionlog; --",
    "javascript:alert(3)",
    "Tab\tand\r\nWindows line end",
    "Ω≈ç√∫˜µ≤≥÷ åß∂ƒ©˙∆˚¬…æ",
    "null None undefined NaN -1 0x0",
]
LONG_WORD = "a" * 300


def as_typed(max_length: int) -> str:
    """The corpus as one text, with the very long word when the field is long enough."""
    text = "\n".join(CORPUS)
    with_word = f"{text}\n{LONG_WORD}"
    return with_word if len(with_word) <= max_length else text


@dataclass
class Field:
    """One plain-text field: ``save(world, text)`` stores text through its service and
    returns the record, ``read`` gets the stored text back, ``page`` gives (who, url) of
    the page that shows it."""

    name: str
    max_length: int
    save: Callable
    read: Callable
    page: Callable


def _session(world, text):
    details = sessions.SessionDetails(
        date=timezone.localdate(), duration_minutes=60, setting="community", notes=text
    )
    return sessions.session_log(user=world.worker.user, details=details)


def _feedback(world, text):
    return feedback_services.feedback_give(
        offer=world.offer,
        user=world.member,
        went_well=text,
        could_be_better=text,
        rating=4,
        felt_listened_to="yes",
    )


def _wellbeing(world, text):
    answers = dict.fromkeys(wellbeing_scale.ITEM_FIELDS, 3)
    return wellbeing.wellbeing_check_in(user=world.worker.user, answers=answers, note=text)


def _supervision(world, text):
    return supervision.supervision_record(
        user=world.supervisor,
        worker=world.worker,
        date=timezone.localdate(),
        kind="reflective",
        duration_minutes=60,
        notes=text,
    )


def _panel_application(world, text):
    application, _ = panel_applications.application_submit(
        panel=world.panel,
        applicant=world.member,
        statement=text,
        access_needs=[],
        agree_to_involvement=True,
    )
    return application


def _job_application(world, text):
    application, _ = recruitment.application_submit(
        vacancy=world.vacancy,
        candidate=world.member,
        statement=text,
        has_lived_experience=True,
        adjustments_requested="A quiet room <please> & time",
        consent_to_contact=True,
    )
    return application


FIELDS = [
    Field(
        "session notes",
        sessions.NOTES_MAX,
        _session,
        lambda o: o.notes,
        lambda w, o: (w.worker.user, f"/peer-work/sessions/{o.pk}/"),
    ),
    Field(
        "feedback",
        feedback_services.TEXT_MAX,
        _feedback,
        lambda o: o.went_well,
        lambda w, o: (w.member, "/feedback/yours/"),
    ),
    Field(
        "feedback, what could be better",
        feedback_services.TEXT_MAX,
        _feedback,
        lambda o: o.could_be_better,
        lambda w, o: (w.member, "/feedback/yours/"),
    ),
    Field(
        "wellbeing note",
        wellbeing.NOTE_MAX,
        _wellbeing,
        lambda o: o.note,
        lambda w, o: (w.worker.user, f"/peer-work/wellbeing/{o.pk}/"),
    ),
    Field(
        "supervision notes",
        supervision.NOTES_MAX,
        _supervision,
        lambda o: o.notes,
        lambda w, o: (w.supervisor, f"/peer-work/supervision/{o.pk}/"),
    ),
    Field(
        "panel application statement",
        panel_applications.STATEMENT_MAX_LENGTH,
        _panel_application,
        lambda o: o.statement,
        lambda w, o: (w.member, f"/panels/{w.panel.slug}/your-application/"),
    ),
    Field(
        "job application statement",
        recruitment.STATEMENT_MAX_LENGTH,
        _job_application,
        lambda o: o.statement,
        lambda w, o: (w.member, f"/peer-roles/applications/{o.pk}/"),
    ),
]


class World:
    """Everyone the fields need: a worker and supervisor, a member with a profile, an
    offer, a recruiting panel and an open vacancy."""

    def __init__(self):
        organisation = OrganisationFactory()
        self.supervisor = SupervisorFactory(organisation=organisation, mfa=True)
        self.worker = PeerWorkerFactory(organisation=organisation, supervisors=[self.supervisor])
        self.member = InvolvementProfileFactory().user
        self.offer = OfferPageFactory()
        self.panel = PanelFactory(
            recruiting=True, applications_close_on=timezone.localdate() + timedelta(days=30)
        )
        self.vacancy = VacancyFactory()


@pytest.mark.parametrize("field", FIELDS, ids=lambda field: field.name)
def test_awkward_text_is_kept_byte_for_byte_and_shown_as_words(client, field):
    world = World()
    typed = as_typed(field.max_length)
    record = field.save(world, typed)
    record.refresh_from_db()
    assert field.read(record) == typed

    person, url = field.page(world, record)
    sign_in(client, person)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "&lt;empty&gt;" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&amp;amp;" in html  # "&amp;" typed is shown as "&amp;", not "&"
    page = BeautifulSoup(html, "html.parser")
    assert page.find("empty") is None
    assert page.find("img", src="x") is None
    assert not [s for s in page.find_all("script") if "alert(" in s.get_text()]
    words = " ".join(page.get_text(" ").split())
    for line in CORPUS:
        assert " ".join(line.split()) in words, f"{line!r} is not shown as typed on {url}"


def test_nothing_that_looks_like_a_tag_is_taken_out():
    assert sessions.notes_clean("Said she felt <empty> most days") == (
        "Said she felt <empty> most days"
    )


@pytest.mark.parametrize("field", FIELDS, ids=lambda field: field.name)
def test_text_longer_than_the_field_is_refused_not_cut_short(field):
    world = World()
    with pytest.raises(Exception) as refused:
        field.save(world, "x" * (field.max_length + 1))
    assert "characters or fewer" in str(refused.value)


def test_angle_brackets_print_as_written_in_the_portfolio_pdf():
    from peers.reports import portfolio_pdf
    from peers.selectors.progression import portfolio_of
    from tests.peers.test_portfolio import pdf_text

    worker = PeerWorkerFactory(job_title="Peer <empty> & lead")
    _session(type("W", (), {"worker": worker}), "Said she felt <empty> most days")
    assert "Peer <empty> & lead" in pdf_text(portfolio_pdf(portfolio_of(worker)))
