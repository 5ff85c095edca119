"""What a person types is kept exactly: awkward text (angle brackets, ampersands, emoji,
right-to-left scripts, combining marks, a very long word, quotes, backslashes, the kind of
thing the "big list of naughty strings" collects) goes through each plain-text field's
create service byte for byte, and the page that shows it shows it as words, never markup.

Each field is one line of ``FIELDS``: how to save text into it, how to read it back, and
which page shows it to whom. Adding a field is adding a line.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

import pytest
from bs4 import BeautifulSoup
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from charter import services as charter_services
from charter.factories import CharterFactory, MeasureFactory
from charter.models import CharterAction, Review
from cms.factories import TINY_PDF
from cms.roles import Role
from coproduce.factories import (
    InvolvementClaimFactory,
    InvolvementProfileFactory,
    MeetingFactory,
    PanelApplicationFactory,
    PanelFactory,
)
from coproduce.models import Expense, Meeting
from coproduce.services import applications as panel_applications
from coproduce.services import claims as claim_services
from coproduce.services import feedback as feedback_services
from coproduce.services import meetings as meeting_services
from peers import wellbeing_scale
from peers.factories import VacancyFactory
from peers.models import SafeguardingConcern
from peers.services import recruitment, safeguarding, sessions, supervision, wellbeing
from tests.conftest import sign_in
from tests.factories import (
    OfferPageFactory,
    OrganisationFactory,
    PeerWorkerFactory,
    SupervisorFactory,
    UserFactory,
)

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
# For one-line fields too short for the corpus (titles, an expense's description).
ONE_LINE = (
    '<empty> <script>alert(1)</script> <img src=x onerror="alert(2)"> '
    "Fish &amp; chips “q” 😀 مرحبا e\u0301 {{ x }} a\u200bb C:\\n"
)
NO_LIMIT = 10_000  # a field whose save path sets no length of its own


def as_typed(max_length: int, *, one_line: bool = False) -> str:
    """The corpus as one text, with the very long word when the field is long enough."""
    if one_line:
        return ONE_LINE
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
    one_line: bool = False
    # What the refusal of a too-long text says; None when the save path sets no limit.
    too_long: str | None = "characters or fewer"


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


def _concern(world, text):
    session = _session(world, "An ordinary session")
    details = safeguarding.ConcernDetails(
        urgency=SafeguardingConcern.Urgency.values[0], description=text, immediate_action=text
    )
    return safeguarding.concern_raise(session=session, user=world.worker.user, details=details)


def _expense(world, text):
    claim = InvolvementClaimFactory(
        attendance__member=world.member, attendance__meeting__panel=world.panel
    )
    return claim_services.claim_add_expense(
        claim=claim,
        user=world.member,
        kind=Expense.Kind.TRAVEL,
        description=text,
        amount="4.80",
        receipt=ContentFile(TINY_PDF, name="ticket.pdf"),
    )


def _claim_returned(world, text):
    claim = InvolvementClaimFactory(
        submitted=True, attendance__member=world.member, attendance__meeting__panel=world.panel
    )
    return claim_services.claim_return(claim=claim, user=world.lead, reason=text)


def _meeting(world, *, title="Leaflet review", agenda=""):
    starts_at = (timezone.localtime() + timedelta(days=7)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    details = meeting_services.MeetingDetails(
        panel=world.panel,
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        mode=Meeting.Mode.IN_PERSON,
        location="The Light House",
        agenda=agenda,
    )
    return meeting_services.meeting_schedule(user=world.lead, details=details)


def _meeting_cancelled(world, text):
    meeting = MeetingFactory(panel=world.panel)
    return meeting_services.meeting_cancel(user=world.lead, meeting=meeting, reason=text)


def _reading(world, text):
    return charter_services.reading_enter(
        user=world.hr,
        measure=world.measure,
        period_start=date(2025, 1, 1),
        period_end=date(2025, 3, 31),
        value=40,
        note=text,
    )


def _admin_form(world, url_name, model, data):
    """Send a Wagtail admin form as HR would; a refusal comes back as the form's errors."""
    client = sign_in(Client(), world.hr)
    before = set(model.objects.values_list("pk", flat=True))
    response = client.post(reverse(url_name), data)
    if response.status_code != 302:
        form = response.context and response.context.get("form")
        raise AssertionError(str(form.errors) if form else f"status {response.status_code}")
    return model.objects.exclude(pk__in=before).get()


def _charter_action(world, *, title="Train recruiting managers", note=""):
    return _admin_form(
        world,
        "charter_actions:add",
        CharterAction,
        {
            "charter": world.charter.pk,
            "commitment": "",
            "title": title,
            "owner": "Director of People",
            "due_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
            "status": CharterAction.Status.NOT_STARTED,
            "note": note,
        },
    )


def _review(world, text):
    return _admin_form(
        world,
        "charter_reviews:add",
        Review,
        {
            "charter": world.charter.pk,
            "due_on": (timezone.localdate() + timedelta(days=7)).isoformat(),
            "held_on": "",
            "notes": text,
        },
    )


def _admin_url(name, obj):
    return reverse(name, args=[obj.pk])


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
    Field(
        "safeguarding concern description",
        safeguarding.DESCRIPTION_MAX,
        _concern,
        lambda o: o.description,
        lambda w, o: (w.supervisor, f"/peer-work/safeguarding/{o.pk}/"),
    ),
    Field(
        "safeguarding concern immediate action",
        safeguarding.ACTION_MAX,
        _concern,
        lambda o: o.immediate_action,
        lambda w, o: (w.supervisor, f"/peer-work/safeguarding/{o.pk}/"),
    ),
    Field(
        "expense description",
        claim_services.DESCRIPTION_MAX,
        _expense,
        lambda o: o.description,
        lambda w, o: (w.member, f"/claims/{o.claim_id}/"),
        one_line=True,
    ),
    Field(
        "claim return reason",
        claim_services.REASON_MAX,
        _claim_returned,
        lambda o: o.return_reason,
        lambda w, o: (w.member, f"/claims/{o.pk}/"),
    ),
    Field(
        "meeting title",
        120,
        lambda w, text: _meeting(w, title=text),
        lambda o: o.title,
        lambda w, o: (w.member, f"/panels/meetings/{o.pk}/"),
        one_line=True,
        too_long=None,
    ),
    Field(
        "meeting agenda",
        NO_LIMIT,
        lambda w, text: _meeting(w, agenda=text),
        lambda o: o.agenda,
        lambda w, o: (w.member, f"/panels/meetings/{o.pk}/"),
        too_long=None,
    ),
    Field(
        "meeting cancellation reason",
        NO_LIMIT,
        _meeting_cancelled,
        lambda o: o.cancellation_reason,
        lambda w, o: (w.member, f"/panels/meetings/{o.pk}/"),
        too_long=None,
    ),
    Field(
        "charter action title",
        200,
        lambda w, text: _charter_action(w, title=text),
        lambda o: o.title,
        lambda w, o: (w.hr, _admin_url("charter_actions:edit", o)),
        one_line=True,
        too_long="at most 200 characters",
    ),
    Field(
        "charter action notes",
        NO_LIMIT,
        lambda w, text: _charter_action(w, note=text),
        lambda o: o.note,
        lambda w, o: (w.hr, _admin_url("charter_actions:edit", o)),
        too_long=None,
    ),
    Field(
        "charter reading note",
        2000,
        _reading,
        lambda o: o.note,
        lambda w, o: (w.hr, _admin_url("charter_readings:inspect", o)),
        too_long=None,
    ),
    Field(
        "charter review notes",
        NO_LIMIT,
        _review,
        lambda o: o.notes,
        lambda w, o: (w.hr, _admin_url("charter_reviews:edit", o)),
        too_long=None,
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

    @cached_property
    def lead(self):
        """An engagement lead of the panel's organisation, with the member on the panel."""
        PanelApplicationFactory(panel=self.panel, applicant=self.member, accepted=True)
        return UserFactory(
            roles=[Role.ENGAGEMENT_LEAD], organisation=self.panel.organisation, mfa=True
        )

    @cached_property
    def charter(self):
        return CharterFactory(organisation=self.supervisor.organisation)

    @cached_property
    def hr(self):
        return UserFactory(roles=[Role.HR], organisation=self.charter.organisation, mfa=True)

    @cached_property
    def measure(self):
        return MeasureFactory(commitment__charter=self.charter)


@pytest.mark.parametrize("field", FIELDS, ids=lambda field: field.name)
def test_awkward_text_is_kept_byte_for_byte_and_shown_as_words(client, field):
    world = World()
    typed = as_typed(field.max_length, one_line=field.one_line)
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
    for line in [ONE_LINE] if field.one_line else CORPUS:
        assert " ".join(line.split()) in words, f"{line!r} is not shown as typed on {url}"


def test_nothing_that_looks_like_a_tag_is_taken_out():
    assert sessions.notes_clean("Said she felt <empty> most days") == (
        "Said she felt <empty> most days"
    )


@pytest.mark.parametrize("field", [f for f in FIELDS if f.too_long], ids=lambda field: field.name)
def test_text_longer_than_the_field_is_refused_not_cut_short(field):
    world = World()
    with pytest.raises(Exception) as refused:
        field.save(world, "x" * (field.max_length + 1))
    assert field.too_long in str(refused.value)


def test_angle_brackets_print_as_written_in_the_portfolio_pdf():
    from peers.reports import portfolio_pdf
    from peers.selectors.progression import portfolio_of
    from tests.peers.test_portfolio import pdf_text

    worker = PeerWorkerFactory(job_title="Peer <empty> & lead")
    _session(type("W", (), {"worker": worker}), "Said she felt <empty> most days")
    assert "Peer <empty> & lead" in pdf_text(portfolio_pdf(portfolio_of(worker)))
