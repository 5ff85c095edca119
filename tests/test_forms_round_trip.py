"""Every edit form, sent back exactly as its page shows it, changes nothing.

A form that leaves one of its fields off the page, or shows a field without its current
value (a date in a format its parser refuses, a select with nothing selected, a checkbox
unticked, a textarea emptied), wipes or changes that value whenever someone saves the page
without touching it. The person's organisation on their admin form was lost this way.

For every edit page of the site and of the project's admin, the person who may edit the
record opens it, and the page's own form is sent back as a browser would send it
(``tests/forms_as_sent.py``). The answer must be a success, and every value of the record
(and of the rows the form keeps, such as a meeting's access arrangements) must be as it was.

The list of edit pages comes from Django's URL resolver: a URL named like an edit page
(``edit``, ``update``, ``change``) or answered by an edit view class, every page type and
every workflow task type the project defines. Each needs a case below or a line in SKIPPED
saying why it cannot be sent back, so a new edit page without a case fails the build.
"""

import datetime
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.contrib.messages import constants as message_levels
from django.core import mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.forms import BaseForm, BaseFormSet
from django.template import Context
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.views.generic.edit import BaseUpdateView
from modelcluster.models import get_all_child_relations
from wagtail import blocks
from wagtail.admin.views.generic.models import EditView as WagtailEditView
from wagtail.blocks import StreamValue
from wagtail.fields import StreamField
from wagtail.models import Page, Task, get_page_models

from charter.models import Measure
from cms.factories import home_page, offers_index
from cms.roles import Role
from coproduce.choices import AccessNeed, Community, CoproductionLevel, LivedExperience
from coproduce.consent import ConsentPurpose, current_statement
from coproduce.factories import (
    AccessArrangementFactory,
    AttendanceFactory,
    ServiceChangePageFactory,
    service_changes_index,
)
from coproduce.models import (
    AccessArrangement,
    Attendance,
    ConsentRecord,
    InvolvementClaim,
    Meeting,
    PanelSignOffTask,
    PaymentPolicy,
    ServiceChangePage,
)
from peers.factories import JobApplicationFactory
from peers.models import (
    EqualityMonitoring,
    InterviewPanelMember,
    JobApplication,
    PreEmploymentCheck,
)
from peers.models.sessions import OutcomeMeasure
from tests.access_world import World, build_world
from tests.conftest import sign_in
from tests.factories import (
    AreaFactory,
    ContentPageFactory,
    FeedbackFactory,
    MeasureFactory,
    MeetingFactory,
    NeedFactory,
    OfferPageFactory,
    PanelApplicationFactory,
    PeerWorkerFactory,
    UserFactory,
)
from tests.forms_as_sent import as_sent
from tests.urlwalk import PROJECT_PACKAGES, Route, all_routes

# --- Values that are meant to change when a record is saved ----------------------------------

MEANT_TO_CHANGE = {
    "updated_at": "stamped with the time of every save (auto_now)",
    "recorded_at": "attendance, a check or equality answers: the time they were last saved",
    "latest_revision_id": "a page's draft is saved as a new revision",
    "latest_revision_created_at": "the time of that new revision",
    # Wagtail 8's editor saves every draft as a change (its save action does not pass on
    # whether the form changed), so the page is marked as having a draft either way.
    "has_unpublished_changes": "every saved draft marks the page as having one",
}


# --- The cases ---------------------------------------------------------------------------------


def _admin(world: World):
    return world.people["admin"]


@dataclass(frozen=True)
class Case:
    """One edit page: the records its form may change, who edits them, and how."""

    # The records the form may change: model instances, or querysets of the rows it keeps.
    records: Callable[[World], list]
    # Who opens the page: someone who may edit the record (admins for the admin's pages).
    person: Callable[[World], object] = _admin
    # The page's address; default: the route filled in with the first record's pk.
    path: Callable[[World], str] | None = None
    # Which form on the page (CSS selector), when it has several that edit; by default the
    # posting form with the most fields. And which button is pressed, when the page tells
    # its buttons apart: a browser sends the pressed button's name and value.
    form: str | None = None
    pressed: tuple[str, str] | None = None
    # A known fault, kept as a strict xfail until it is fixed: the reason says what is wrong.
    fails: str = ""


def _record(name: str) -> Callable[[World], list]:
    return lambda world: [getattr(world, name)]


def _action_form(action: str) -> str:
    """The one form of a page of several that carries ``action``."""
    return f"form:has(input[name=action][value={action}])"


def _route_key(case_key: str) -> str:
    """``"feedback:edit (save themes)"`` -> ``"feedback:edit"``."""
    return case_key.split(" (", 1)[0]


CASES: dict[str, Case] = {
    # --- The site shell's admin: people, organisations, the directory's taxonomy ------------
    # The other organisation's lead: in a group, with an organisation, partnership-wide.
    "wagtailusers_users:edit": Case(records=_record("lead")),
    "organisations:edit": Case(records=_record("organisation")),
    "wagtailsnippets_cms_need:edit": Case(records=_record("need")),
    "wagtailsnippets_cms_area:edit": Case(records=_record("area")),
    "wagtailsnippets_coproduce_theme:edit": Case(records=_record("theme")),
    # --- Co-production in the admin --------------------------------------------------------------
    "panels:edit": Case(records=_record("panel")),
    # A decided application: its page shows the decision and its note, to change them.
    "panel_applications:edit": Case(records=_record("decided_application")),
    "meetings:edit": Case(records=_record("future_meeting")),
    "meetings:access": Case(
        records=lambda world: [
            world.future_meeting,
            AccessArrangement.objects.filter(meeting=world.future_meeting).order_by("pk"),
        ],
        path=lambda world: reverse("meetings:access", args=[world.future_meeting.pk]),
    ),
    "meetings:attendance": Case(
        records=lambda world: [
            world.meeting,
            Attendance.objects.filter(meeting=world.meeting).order_by("pk"),
            InvolvementClaim.objects.filter(attendance__meeting=world.meeting).order_by("pk"),
        ],
        path=lambda world: reverse("meetings:attendance", args=[world.meeting.pk]),
    ),
    # Feedback already moderated: the lead presses each of the page's "save" buttons.
    **{
        f"feedback:edit ({label})": Case(
            records=_record("moderated_feedback"), pressed=("action", action)
        )
        for action, label in [
            ("triage", "Save themes"),
            ("quote", "Save words to publish"),
            ("respond", "Save response"),
            ("link", "Save link"),
        ]
    },
    # --- Peer work in the admin ------------------------------------------------------------------
    "vacancies:edit": Case(records=_record("vacancy")),
    "peer_workers:edit": Case(records=_record("worker")),
    "peer_workers:edit (a worker who has left)": Case(records=_record("leaver")),
    "peer_teams:edit": Case(records=_record("team")),
    # A partner's own outcome figures for an offer (issue 16), kept by its engagement lead.
    "offer_outcome_figures:edit": Case(records=_record("outcome_figures")),
    **{
        f"vacancies:application ({label})": Case(
            records=lambda world, name=name: [
                getattr(world, name),
                PreEmploymentCheck.objects.filter(application=getattr(world, name)).order_by("pk"),
                InterviewPanelMember.objects.filter(application=getattr(world, name)).order_by(
                    "pk"
                ),
            ],
            path=lambda world, name=name: reverse(
                "vacancies:application", args=[getattr(world, name).pk]
            ),
            form=form,
        )
        for label, name, form in [
            ("change the interview", "interviewed", _action_form("interview")),
            ("change the offer's dates", "in_checks", _action_form("offer")),
            ("a check", "in_checks", "form:has(input[name=check-kind][value=dbs])"),
            ("adjustments agreed", "in_checks", _action_form("adjustments")),
            ("feedback offered", "unsuccessful", _action_form("feedback")),
        ]
    },
    # --- The charter in the admin --------------------------------------------------------------
    "charters:edit": Case(records=_record("charter")),
    "charter_commitments:edit": Case(records=_record("commitment")),
    "charter_measures:edit": Case(records=_record("measure")),
    "charter_measures:edit (computed)": Case(records=_record("computed_measure")),
    "charter_targets:edit": Case(records=_record("target")),
    "charter_readings:edit": Case(records=_record("reading")),
    "charter_actions:edit": Case(records=_record("action")),
    "charter_evidence:edit": Case(records=_record("evidence")),
    "charter_reviews:edit": Case(records=_record("review")),
    "outcome_programmes:edit": Case(records=_record("programme")),
    "outcome_measures:edit": Case(records=_record("outcome_measure")),
    "outcome_comparisons:edit": Case(records=_record("comparison")),
    "outcome_targets:edit": Case(records=_record("outcome_target")),
    # --- The site: a person's own records ------------------------------------------------------
    "payment_policy_edit": Case(
        records=lambda world: [
            PaymentPolicy.objects.get_or_create(
                organisation=world.other, defaults={"mileage_rate": Decimal("0.40")}
            )[0]
        ],
        path=lambda world: reverse("payment_policy_edit", args=[world.other.slug]),
    ),
    "coproduce:involvement_edit": Case(
        records=_record("profile"), person=lambda world: world.member
    ),
    "coproduce:involvement_equality": Case(
        records=_record("profile"), person=lambda world: world.member
    ),
    "coproduce:notice_preferences": Case(
        records=_record("profile"), person=lambda world: world.member
    ),
    "peers:session_edit": Case(records=_record("session"), person=lambda world: world.worker.user),
    "peers:job_application_equality": Case(
        records=lambda world: [world.job_application, world.job_application.equality],
        person=lambda world: world.job_application.candidate,
    ),
}

# Each page type the project defines, edited in Wagtail's page editor and saved as a draft.
PAGE_CASES: dict[str, Callable[[World], Page]] = {
    "cms.HomePage": lambda world: world.home,
    "cms.ContentPage": lambda world: world.content_page,
    "cms.OffersIndexPage": lambda world: world.offers_index,
    "cms.OfferPage": lambda world: world.full_offer,
    "coproduce.ServiceChangeIndexPage": lambda world: world.changes_index,
    "coproduce.ServiceChangePage": lambda world: world.service_change,
}

# Each workflow task type the project defines, edited in Wagtail's workflow settings.
TASK_CASES: dict[str, Callable[[World], Task]] = {
    "coproduce.PanelSignOffTask": lambda world: PanelSignOffTask.objects.first(),
}

# URLs that look like edit pages but cannot be sent back unchanged, and why. (Wagtail's
# page editor and workflow task editor are Wagtail's own URLs: PAGE_CASES and TASK_CASES
# cover each page and task type the project defines.)
SKIPPED = {
    # allauth's: the current password and a new one typed twice. Nothing of the account is
    # shown in it, so there is nothing to send back: its fields are empty on purpose.
    "account_change_password": "a new password form: its fields are empty on purpose",
}


# --- Finding the edit pages ----------------------------------------------------------------------

EDIT_WORDS = ("edit", "update", "change")


def _view_class(route: Route):
    try:
        return import_string(route.view)
    except ImportError:
        return None


def _is_edit_page(route: Route) -> bool:
    """An edit page the project adds: named like one, or answered by an edit view."""
    if route.is_admin and not route.is_ours:
        return False
    name = route.key.rsplit(":", 1)[-1]
    if any(word in name for word in EDIT_WORDS):
        return True
    view = _view_class(route)
    return isinstance(view, type) and issubclass(view, WagtailEditView | BaseUpdateView)


def _ours(model) -> bool:
    return model._meta.app_label in PROJECT_PACKAGES


ROUTES = {route.key: route for route in all_routes()}


def test_every_edit_page_has_a_case():
    """A new edit page fails here until it has a case (or a reason to be skipped)."""
    covered = {_route_key(key) for key in CASES} | set(SKIPPED)
    missing = [key for key, route in ROUTES.items() if _is_edit_page(route)]
    missing = [key for key in missing if key not in covered]
    assert not missing, "Edit pages with no round-trip case:\n" + "\n".join(missing)


def test_every_page_type_and_task_type_has_a_case():
    pages = {model._meta.label for model in get_page_models() if _ours(model)}
    tasks = {model._meta.label for model in _subclasses(Task) if _ours(model)}
    assert pages == set(PAGE_CASES), "page types: " + repr(pages ^ set(PAGE_CASES))
    assert tasks == set(TASK_CASES), "task types: " + repr(tasks ^ set(TASK_CASES))


def test_the_cases_name_only_urls_that_exist():
    stale = [key for key in [*CASES, *SKIPPED] if _route_key(key) not in ROUTES]
    assert not stale, f"Cases for URLs that no longer exist: {stale}"
    not_edit_pages = [key for key in SKIPPED if not _is_edit_page(ROUTES[key])]
    assert not not_edit_pages, f"Skipped URLs that are not edit pages: {not_edit_pages}"


def _subclasses(cls) -> set:
    found = set()
    for sub in cls.__subclasses__():
        if not sub._meta.abstract:
            found.add(sub)
        found |= _subclasses(sub)
    return found


# --- The world, with every field of the edited records filled in --------------------------------


def _fill_the_world(world: World) -> None:
    """Records whose optional fields all hold something, so a field the page drops or shows
    empty is noticed: a blank field sent back blank looks unchanged."""
    r = world.records
    today = timezone.localdate()

    lead = r["lead"]
    lead.partnership_wide = True
    lead.save()

    need, area, theme = r["need"], r["area"], r["theme"]
    need.description = "Feeling alone or cut off from people."
    need.wider_determinant = True
    need.sort_order = 3
    need.save()
    theme.description = "Getting an appointment, finding the entrance, waiting times."
    theme.sort_order = 2
    theme.save()

    panel = r["panel"]
    panel.sought_lived_experience = [LivedExperience.PSYCHOSIS, LivedExperience.CARER]
    panel.sought_communities = [Community.RURAL]
    panel.applications_close_on = today + datetime.timedelta(days=20)
    panel.save()

    r["decided_application"] = PanelApplicationFactory(
        panel=panel,
        accepted=True,
        decision_note="Welcome to the panel: your experience of the crisis line will help.",
        access_needs=[AccessNeed.STEP_FREE, AccessNeed.OTHER],
        access_needs_other="A chair with arms.",
        interpreter_language="Polish",
    )

    future = MeetingFactory(
        panel=panel,
        mode=Meeting.Mode.HYBRID,
        joining_link="https://meet.example.org/southmoor-panel",
    )
    r["future_meeting"] = future
    AccessArrangementFactory(
        meeting=future,
        need=AccessNeed.BSL,
        status=AccessArrangement.Status.BOOKED,
        detail="Interpreter booked through Southmoor Deaf Centre.",
    )
    AccessArrangementFactory(meeting=future, need=AccessNeed.LARGE_PRINT)
    accepted = r["decided_application"].applicant
    AttendanceFactory(
        meeting=r["meeting"], member=accepted, status=Attendance.Status.APOLOGIES, hours=None
    )

    profile = r["profile"]
    profile.phone = "07700 900123"
    profile.contact_preference = "text"
    profile.notices_declined = ["changes"]
    profile.access_needs = [AccessNeed.EASY_READ, AccessNeed.LANGUAGE]
    profile.interpreter_language = "Urdu"
    profile.lived_experience = [LivedExperience.ANXIETY_DEPRESSION, LivedExperience.TRAUMA]
    profile.communities = [Community.ASIAN, Community.FAITH]
    profile.save()
    equality = current_statement(ConsentPurpose.EQUALITY)
    ConsentRecord.objects.create(
        user=profile.user,
        purpose=ConsentPurpose.EQUALITY,
        version=equality.version,
        statement=equality.text,
        given_at=timezone.now(),
    )

    change = ServiceChangePageFactory(
        panel=panel,
        coproduction_level=CoproductionLevel.CO_DESIGN,
        offers=[r["offer"]],
        themes=[theme],
        updates=[
            (today - datetime.timedelta(days=40), ServiceChangePage.Status.PLANNED, "Agreed."),
            (today - datetime.timedelta(days=5), ServiceChangePage.Status.DONE, "Signs up."),
        ],
    )
    change.recommendations.create(text="Put a sign where the bus stops.", sort_order=0)
    change.save_revision().publish()
    r["service_change"] = change
    r["moderated_feedback"] = FeedbackFactory(
        offer=r["offer"],
        author=r["member"],
        published=True,
        themes=[theme],
        public_response="Thank you: we have put up signs by the entrance.",
        responded_by=r["lead"],
        responded_at=timezone.now(),
        service_change=change,
        triaged_at=timezone.now(),
    )

    # Times a person picks in the publishing panel: whole minutes.
    soon = timezone.localtime().replace(second=0, microsecond=0)
    page_settings = {
        "seo_title": "Support near you",
        "search_description": "Mental health support in Southmoor.",
        "show_in_menus": True,
        "go_live_at": soon - datetime.timedelta(days=1),
        "expire_at": soon + datetime.timedelta(days=365),
    }
    home = home_page()
    home.body = json.dumps(
        [
            {"type": "heading", "value": "Support for your mental health"},
            {"type": "text", "value": "<p>Whichever <b>door</b> you come in by.</p>"},
            {"type": "inset_text", "value": {"body": "<p>In a crisis, call 111.</p>"}},
        ]
    )
    home.save_revision().publish()
    r["home"] = home
    r["offers_index"] = offers_index()
    r["changes_index"] = service_changes_index()
    r["content_page"] = ContentPageFactory(
        **page_settings,
        body=json.dumps(
            [
                {"type": "heading", "value": "Who we are"},
                {"type": "text", "value": "<p>We are the partnership.</p>"},
            ]
        ),
    )
    r["full_offer"] = OfferPageFactory(
        **page_settings,
        provider=world.other,
        needs=[need, NeedFactory(name="Money worries")],
        areas=[area, AreaFactory(name="Northdale")],
        opening_times=[(0, "09:00", "17:00"), (5, "10:30", "13:00")],
        open_to_all=False,
        who_for="Adults who are lonely.",
        age_from=18,
        age_to=65,
        for_carers=True,
        communities="Older people",
        self_referral=True,
        self_referral_phone="0113 496 0000",
        self_referral_url="https://refer.example.org/",
        self_referral_drop_in=True,
        via_gp=True,
        via_service="The community mental health team",
        phone="0113 496 0001",
        email="hello@example.org",
        website="https://offer.example.org/",
        address="1 Market Street, Southmoor",
        postcode="SM1 1AA",
        online=True,
        by_phone=True,
        languages="Polish, Urdu",
        bsl=True,
        venue_accessibility="Step-free entrance at the side.",
        cost="Free",
        last_reviewed=today - datetime.timedelta(days=30),
    )

    session = r["session"]
    session.offer = r["offer"]
    session.outcome_measure = OutcomeMeasure.GOAL
    session.outcome_score = 7
    session.save()
    session.topics.add(need)
    session.signposted_to.add(r["full_offer"])

    EqualityMonitoring.objects.create(
        application=r["job_application"],
        age_band=EqualityMonitoring.AgeBand.FROM_35,
        gender=EqualityMonitoring.Gender.NON_BINARY,
        ethnicity=EqualityMonitoring.Ethnicity.MIXED,
        disability=EqualityMonitoring.Disability.YES,
        sexual_orientation=EqualityMonitoring.SexualOrientation.BISEXUAL,
    )

    panel.pathway = "The crisis pathway, from first call to follow-up."
    panel.save()

    hr_lead = UserFactory(roles=[Role.HR], organisation=world.other)
    charter = r["charter"]
    charter.introduction = "How Southmoor keeps its promises to peer workers."
    charter.lead = hr_lead
    charter.save()
    measure = r["measure"]
    measure.description = "Peer workers who moved up a level in the year."
    measure.baseline = Decimal("12.50")
    measure.sort_order = 2
    measure.save()
    r["computed_measure"] = MeasureFactory(
        commitment=r["commitment"],
        computed=True,
        calculation="supervision_compliance",
        unit=Measure.Unit.PERCENT,
    )
    target = r["target"]
    target.note = "Agreed at the March board."
    target.save()
    reading = r["reading"]
    reading.numerator, reading.denominator, reading.value = 4, 10, Decimal("40")
    reading.evidence = r["evidence"]
    reading.entered_by = hr_lead
    reading.save()
    action = r["action"]
    action.commitment = r["commitment"]
    action.note = "Two rounds booked."
    action.save()
    evidence = r["evidence"]
    evidence.commitment = r["commitment"]
    evidence.save()
    review = r["review"]
    review.held_on = today - datetime.timedelta(days=2)
    review.notes = "The board agreed the actions."
    review.save()

    programme = r["programme"]
    programme.description = "Mentors meet people on the ward and keep in touch at home."
    programme.save()
    programme.offers.set([r["offer"]])
    programme.teams.set([r["team"]])
    outcome_measure = r["outcome_measure"]
    outcome_measure.baseline, outcome_measure.baseline_on = Decimal("90"), datetime.date(2024, 4, 1)
    outcome_measure.save()
    comparison = r["comparison"]
    comparison.entered_by = hr_lead
    comparison.save()
    r["outcome_target"].note = "The strategy's goal"
    r["outcome_target"].save()

    r["leaver"] = PeerWorkerFactory(
        organisation=world.other,
        team=r["team"],
        left=True,
        leaving_note="Moved to a team lead role elsewhere.",
        supervisors=[r["supervisor"]],
    )

    vacancy = r["vacancy"]
    vacancy.lived_experience_essential = True
    vacancy.reasonable_adjustments = "Interviews can be online; questions sent a day ahead."
    vacancy.save()

    def application(stage, **values):
        return JobApplicationFactory(
            vacancy=vacancy,
            candidate=UserFactory(roles=[Role.MEMBER]),
            stage=stage,
            adjustments_requested="Questions a day ahead, please.",
            **values,
        )

    interview_at = timezone.localtime().replace(second=0, microsecond=0)
    interview_at += datetime.timedelta(days=4)
    r["interviewed"] = application(
        JobApplication.Stage.INTERVIEW,
        shortlisted_on=today - datetime.timedelta(days=9),
        interview_at=interview_at,
        interview_panel_has_lived_experience=True,
    )
    for name, role, lived in [("Sam Okafor", "Peer lead", True), ("Ann Lee", "", False)]:
        InterviewPanelMember.objects.create(
            application=r["interviewed"], name=name, role=role, has_lived_experience=lived
        )
    r["in_checks"] = application(
        JobApplication.Stage.CHECKS,
        shortlisted_on=today - datetime.timedelta(days=30),
        offered_on=today - datetime.timedelta(days=10),
        proposed_start_date=today + datetime.timedelta(days=30),
        checks_started_on=today - datetime.timedelta(days=9),
        adjustments_agreed="Questions sent a day ahead.",
    )
    PreEmploymentCheck.objects.create(
        application=r["in_checks"],
        kind=PreEmploymentCheck.Kind.DBS,
        requested_on=today - datetime.timedelta(days=9),
        completed_on=today - datetime.timedelta(days=2),
        outcome=PreEmploymentCheck.Outcome.SATISFACTORY,
        expires_on=today + datetime.timedelta(days=1000),
    )
    r["unsuccessful"] = application(
        JobApplication.Stage.UNSUCCESSFUL,
        closed_on=today - datetime.timedelta(days=5),
        closed_reason="Another candidate had more group-work experience.",
        feedback_offered_on=today - datetime.timedelta(days=3),
        feedback_note="Offered a call with the hiring manager.",
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction that is rolled back at its end; each
    test runs in a savepoint within it, so nothing one save does is seen by the next."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = build_world()
            _fill_the_world(built)
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


# --- Snapshots ---------------------------------------------------------------------------------


BLOCK_KEY = re.compile(r' data-block-key=\\?"[^"\\]*\\?"')


def _comparable(value):
    """A value as a person would compare it: a stream by its content; rich text without
    the ``data-block-key`` attributes Wagtail's editor gives each paragraph; a moment to the
    millisecond (page revisions keep times as JSON, which holds no finer)."""
    if isinstance(value, StreamValue):
        value = json.loads(json.dumps(value.get_prep_value(), cls=DjangoJSONEncoder))
    if isinstance(value, str):
        return BLOCK_KEY.sub("", value)
    if isinstance(value, datetime.datetime):
        return value.replace(microsecond=value.microsecond // 1000 * 1000)
    if isinstance(value, list | dict):
        return json.loads(BLOCK_KEY.sub("", json.dumps(value, cls=DjangoJSONEncoder)))
    return value


def _values(obj, *, skip=()) -> dict:
    """Every concrete value of ``obj``, its many-to-many ids and its child rows."""
    values = {}
    for field in obj._meta.concrete_fields:
        if field.attname in MEANT_TO_CHANGE or field.attname in skip:
            continue
        values[field.attname] = _comparable(field.value_from_object(obj))
    for field in obj._meta.many_to_many:
        values[field.name] = sorted(related.pk for related in getattr(obj, field.name).all())
    for relation in get_all_child_relations(obj):
        children = getattr(obj, relation.get_accessor_name()).all()
        parent = relation.field.attname
        values[relation.get_accessor_name()] = sorted(
            (_values(child, skip=(parent,)) for child in children), key=repr
        )
    return values


def _snapshot(records: list) -> list:
    """What the records hold now, read afresh from the database."""
    shot = []
    for record in records:
        if isinstance(record, models.QuerySet):
            # Kept rows are compared by what they hold: a service may replace a row with an
            # identical one (an interview panel is saved afresh), which nobody can see.
            shot.append([_values(row, skip=("id",)) for row in record.all()])
        elif isinstance(record, Page):
            # A page's draft is its latest revision: what its editor shows and publishes.
            page = Page.objects.get(pk=record.pk).specific
            shot.append(_values(page.get_latest_revision_as_object()))
        else:
            shot.append(_values(type(record)._default_manager.get(pk=record.pk)))
    return shot


def _differences(before: list, after: list) -> list[str]:
    found = []
    for old, new in zip(before, after, strict=True):
        if isinstance(old, list):
            if old != new:
                found.append(f"rows were {old!r}\n      now  {new!r}")
            continue
        for name in old:
            if old[name] != new[name]:
                found.append(f"{name}: was {old[name]!r}, now {new[name]!r}")
    return found


# --- Sending a page's form back ---------------------------------------------------------------


def _form_errors(response) -> list[str]:
    """The errors of every bound form the answer was rendered with."""
    errors = []
    contexts = response.context
    if contexts is None:
        contexts = []
    elif isinstance(contexts, Context):
        contexts = [contexts]
    for context in contexts:
        for value in context.flatten().values():
            forms = value.values() if isinstance(value, dict) else [value]
            for form in forms:
                if isinstance(form, BaseForm | BaseFormSet) and form.is_bound and form.errors:
                    errors.append(repr(form.errors))
    return list(dict.fromkeys(errors))


def _error_messages(response) -> list[str]:
    """Warnings and errors the answer gave (a redirect may carry one: "not saved")."""
    stored = getattr(response.wsgi_request, "_messages", None)
    return [m.message for m in stored or [] if m.level >= message_levels.WARNING]


def _the_form(html: str, selector: str | None):
    """The form to send: the one ``selector`` names, or the page's main posting form."""
    page = BeautifulSoup(html, "html.parser")
    if selector:
        found = page.select_one(selector)
        assert found is not None, f"No form matches {selector!r}"
        return found
    posting = [form for form in page.select("form") if form.get("method", "").lower() == "post"]
    assert posting, "The page has no form that posts"
    return max(posting, key=lambda form: len(form.select("[name]")))


def _teleported_fields(html: str, form) -> dict[str, list[str]]:
    """What Wagtail's admin script moves into the form before it is sent: the contents of
    each ``<template data-controller="w-teleport">`` aimed at the form (the page editor's
    publishing schedule is one). A browser sends them with the form; a template's contents
    are otherwise never sent."""
    page = BeautifulSoup(html, "html.parser")
    target_id = form.get("id")
    data: dict[str, list[str]] = {}
    for template in page.select("template[data-controller~=w-teleport]"):
        target = template.get("data-w-teleport-target-value")
        if not target or not target_id:
            continue
        if not any(found.get("id") == target_id for found in page.select(target)):
            continue
        inner = "".join(str(child) for child in template.contents)
        for name, values in as_sent(f'<form method="post">{inner}</form>').items():
            data.setdefault(name, []).extend(values)
    return data


def _stream_fields_as_sent(form, streams: dict) -> dict[str, list[str]]:
    """What Wagtail's editor script sends for each StreamField of the form.

    A StreamField reaches the page as one element holding its value as JSON; the browser's
    script builds the fields it sends from that. This does the same, block by block, so
    that the stream is sent back as a person's browser would send it."""
    data: dict[str, list[str]] = {}
    for element in form.select("[data-controller=w-block]"):
        name = element.get("id", "")
        if name not in streams:
            continue
        state, _errors = json.loads(element["data-w-block-arguments-value"])
        _block_as_sent(streams[name], name, state, data)
    return data


def _block_as_sent(block, prefix: str, state, data: dict) -> None:
    """The fields the editor script names for ``block`` at ``prefix``, from its state."""
    if isinstance(block, blocks.StreamBlock | blocks.ListBlock):
        data[f"{prefix}-count"] = [str(len(state))]
        for i, child in enumerate(state):
            child_block = (
                block.child_blocks[child["type"]]
                if isinstance(block, blocks.StreamBlock)
                else block.child_block
            )
            if isinstance(block, blocks.StreamBlock):
                data[f"{prefix}-{i}-type"] = [child["type"]]
            data[f"{prefix}-{i}-id"] = [child.get("id") or ""]
            data[f"{prefix}-{i}-deleted"] = [""]
            data[f"{prefix}-{i}-order"] = [str(i)]
            _block_as_sent(child_block, f"{prefix}-{i}-value", child["value"], data)
    elif isinstance(block, blocks.StructBlock):
        for name, child_block in block.child_blocks.items():
            _block_as_sent(child_block, f"{prefix}-{name}", (state or {}).get(name), data)
    elif isinstance(state, bool):
        if state:
            data[prefix] = ["on"]
    elif isinstance(state, dict):
        data[prefix] = [str(state.get("id") or "")]
    elif isinstance(state, list):
        data[prefix] = [str(value) for value in state]
    else:
        data[prefix] = ["" if state is None else str(state)]


def _send_back(client: Client, path: str, selector: str | None, pressed, streams=None) -> tuple:
    page = client.get(path)
    assert page.status_code == 200, f"GET {path}: {page.status_code}"
    html = page.content.decode()
    form = _the_form(html, selector)
    data = as_sent(str(form), form="form")
    for name, values in _teleported_fields(html, form).items():
        data.setdefault(name, []).extend(values)
    data.update(_stream_fields_as_sent(form, streams or {}))
    if pressed:
        name, value = pressed
        data[name] = [value]
    response = client.post(form.get("action") or path, data)
    return response, data


def _assert_a_success(response, path: str, data) -> None:
    problems = []
    if response.status_code not in (200, 302):
        problems.append(f"answered {response.status_code}")
    problems += _form_errors(response) + _error_messages(response)
    assert not problems, f"POST {path} with {data!r}:\n" + "\n".join(problems)


def _round_trip(person, path: str, records: list, form=None, pressed=None):
    """Open the page as ``person`` and send its form back unchanged: the answer is a
    success, the records are as they were, and nobody is emailed."""
    mail.outbox.clear()
    client = Client()
    sign_in(client, person)
    before = _snapshot(records)
    streams = {
        field.name: field.stream_block
        for record in records
        if isinstance(record, models.Model)
        for field in type(record.specific if isinstance(record, Page) else record)._meta.fields
        if isinstance(field, StreamField)
    }
    response, data = _send_back(client, path, form, pressed, streams)
    _assert_a_success(response, path, data)
    changed = _differences(before, _snapshot(records))
    assert not changed, f"POST {path} sent back unchanged, yet:\n  " + "\n  ".join(changed)
    emailed = [f"{message.subject} (to {', '.join(message.to)})" for message in mail.outbox]
    assert not emailed, f"POST {path} sent back unchanged emailed: {emailed}"


def _cases():
    for key, case in CASES.items():
        marks = [pytest.mark.xfail(strict=True, reason=case.fails)] if case.fails else []
        yield pytest.param(key, marks=marks, id=key)


@pytest.mark.django_db
@pytest.mark.parametrize("key", list(_cases()))
def test_an_edit_form_sent_back_unchanged_changes_nothing(key, world):
    case = CASES[key]
    records = case.records(world)
    path = case.path(world) if case.path else ROUTES[_route_key(key)].path(pk=records[0].pk)
    _round_trip(case.person(world), path, records, case.form, case.pressed)


@pytest.mark.django_db
@pytest.mark.parametrize("label", list(PAGE_CASES))
def test_a_page_saved_as_a_draft_unchanged_changes_nothing(label, world):
    page = PAGE_CASES[label](world)
    path = reverse("wagtailadmin_pages:edit", args=[page.pk])
    # The editor's main form; with no ``action-publish`` it saves a draft.
    _round_trip(_admin(world), path, [page])


@pytest.mark.django_db
@pytest.mark.parametrize("label", list(TASK_CASES))
def test_a_workflow_task_saved_unchanged_changes_nothing(label, world):
    task = TASK_CASES[label](world)
    path = reverse("wagtailadmin_workflows:edit_task", args=[task.pk])
    _round_trip(_admin(world), path, [task.specific])
