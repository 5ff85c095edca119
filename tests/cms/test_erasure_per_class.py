"""What remains, kind of record by kind of record, after a person closes their account.

A person with records in EVERY kind the registry of personal data lists (``records_in_every
kind``: each app's declarations are covered as soon as they are registered), and a second
person with the same kinds of records. After the first closes their account: what the
registry says to delete is gone, what it says to anonymise is there with its details
blank, what it says to keep is there and points at an account with no name or email, and
the second person's records are exactly as they were.
"""

import uuid
from datetime import timedelta

import factory
import pytest
from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.mail import send_mail
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.admin.models import EditingSession, FormState
from wagtail.models import APIToken, ModelLogEntry, PageSubscription
from wagtail.users.models import UserProfile

from charter import factories as charter_factories
from cms import audit, data_registry, erasure
from cms import factories as cms_factories
from cms.data_registry import Fate
from cms.models import DataRequest, FormSubmission, Need, ReportJob, User
from cms.roles import Role
from coproduce import factories as coproduce_factories
from peers import factories as peers_factories
from tests import factories as all_factories
from tests.factories import DEMO_PASSWORD, UserFactory, home_page

pytestmark = pytest.mark.django_db


# --- A person with records of every kind ----------------------------------------------------


def _factories_by_model() -> dict:
    found = {}
    for module in (cms_factories, coproduce_factories, peers_factories, charter_factories):
        for thing in vars(module).values():
            if (
                isinstance(thing, type)
                and issubclass(thing, factory.django.DjangoModelFactory)
                and thing._meta.model is not None
            ):
                model = thing._meta.get_model_class()._meta.concrete_model
                found.setdefault(model, thing)
    return found


FACTORIES = _factories_by_model()


def _staff():
    return UserFactory(roles=[Role.ADMIN], mfa=True)


def _hired_application(person):
    from peers.models import JobApplication, PeerWorker

    worker = PeerWorker.objects.filter(user=person).first() or peers_factories.PeerWorkerFactory(
        user=person
    )
    found = JobApplication.objects.filter(candidate=person, worker=worker).first()
    return found or peers_factories.JobApplicationFactory(candidate=person, worker=worker)


def _applications(person):
    """One application that led to a job and one that did not, so the records hanging off
    applications are made on both."""
    from peers.models import JobApplication

    hired = _hired_application(person)
    not_hired = JobApplication.objects.filter(candidate=person, worker__isnull=True).first()
    return [hired, not_hired or peers_factories.JobApplicationFactory(candidate=person)]


def _on_each_application(make):
    def maker(person):
        for application in _applications(person):
            make(application)

    return maker


def _equality(application):
    from peers.models import EqualityMonitoring

    EqualityMonitoring.objects.get_or_create(
        application=application,
        defaults={
            "age_band": "prefer_not",
            "gender": "prefer_not",
            "ethnicity": "prefer_not",
            "disability": "prefer_not",
            "sexual_orientation": "prefer_not",
            "recorded_at": timezone.now(),
        },
    )


def _page_type():
    return ContentType.objects.get_for_model(home_page())


def _service_change_notice(person):
    from coproduce.models import ServiceChangeNotice

    page = coproduce_factories.ServiceChangePageFactory()
    ServiceChangeNotice.objects.create(page=page, user=person, status=page.status)


def _induction_item(person):
    from peers.models import InductionItem, PeerWorker

    worker = PeerWorker.objects.filter(user=person).first() or peers_factories.PeerWorkerFactory(
        user=person
    )
    InductionItem.objects.create(worker=worker, key="welcome", title="Welcome", target_week=1)


# Records no factory makes, or that a factory cannot aim at one kind (by the entry's key,
# then by model). Every other kind is made by its model's factory, pointed at the person.
def _session_with_topic_and_offer(person):
    """A session log with a topic and an offer signposted to: its day's, month's and
    twelve months' totals follow."""
    from peers.models import PeerWorker

    worker = PeerWorker.objects.filter(user=person).first() or peers_factories.PeerWorkerFactory(
        user=person
    )
    session = peers_factories.SessionLogFactory(worker=worker)
    session.topics.add(Need.objects.order_by("pk").first())
    session.signposted_to.add(all_factories.OfferPageFactory())


MAKERS = {
    "mfa.authenticator": lambda person: (
        Authenticator.objects.filter(user=person).exists()
        or TOTP.activate(person, generate_totp_secret())
    ),
    "account.emailaddress": lambda person: None,  # made with the person
    "account.emailconfirmation": lambda person: EmailConfirmation.create(
        EmailAddress.objects.get(user=person)
    ),
    "wagtailusers.userprofile": lambda person: UserProfile.get_for_user(person),
    "wagtailcore.pagesubscription": lambda person: PageSubscription.objects.create(
        user=person, page=home_page(), comment_notifications=True
    ),
    "wagtailadmin.editingsession": lambda person: EditingSession.objects.create(
        user=person, content_type=_page_type(), object_id="1", last_seen_at=timezone.now()
    ),
    "wagtailadmin.formstate": lambda person: FormState.objects.create(
        user=person,
        content_type=_page_type(),
        object_id="1",
        data="{}",
        last_updated_at=timezone.now(),
    ),
    "wagtailcore.apitoken": lambda person: APIToken.objects.create(
        user=person, name="My script", key_hash=uuid.uuid4().hex, prefix=uuid.uuid4().hex[:8]
    ),
    "cms.reportjob": lambda person: ReportJob.objects.create(
        kind="test", title="A report", params={}, requested_by=person
    ),
    "cms.formsubmission": lambda person: FormSubmission.objects.create(
        token=uuid.uuid4(), user=person, form_key="cms.TestForm", fingerprint="x"
    ),
    "cms.outboundemail": lambda person: send_mail(
        "Your meeting", "See you on Tuesday.", None, [person.email]
    ),
    "cms.datarequest": lambda person: DataRequest.objects.create(
        person=person,
        kind=DataRequest.Kind.ACCESS,
        channel=DataRequest.Channel.LETTER,
        received_on=timezone.localdate() - timedelta(days=40),
        status=DataRequest.Status.DONE,
        completed_at=timezone.now() - timedelta(days=30),
    ),
    "wagtailcore.modellogentry": lambda person: audit.audit_view(
        user=_staff(), instance=person, reason="Checking their claim"
    ),
    "coproduce.servicechangenotice": _service_change_notice,
    "peers.inductionitem": _induction_item,
    "peers.jobapplication:employment": _hired_application,
    "peers.interviewpanelmember": _on_each_application(
        lambda application: application.panel_members.create(
            name="Sam Interviewer", role="Peer lead", has_lived_experience=True
        )
    ),
    "peers.preemploymentcheck": _on_each_application(
        lambda application: application.checks.get_or_create(kind="dbs")
    ),
    "peers.equalitymonitoring": _on_each_application(_equality),
    **dict.fromkeys(
        (
            "peers.activityday",
            "peers.activitypersonday",
            "peers.activitypersonmonth",
            "peers.activitytopicday",
            "peers.activitysignpostday",
            "peers.activitysignpostyear",
        ),
        _session_with_topic_and_offer,
    ),
}


def _maker(entry):
    return MAKERS.get(entry.key) or MAKERS.get(entry.model._meta.label_lower)


def _owned(model, owner: str, person):
    """A record of ``model`` whose ``owner`` lookup leads to ``person``, made by its
    factory; a parent on the way is one of the person's own when they have one."""
    head, _, rest = owner.partition("__")
    if rest:
        parent_model = model._meta.get_field(head).related_model
        value = parent_model._default_manager.filter(**{rest: person}).first() or _owned(
            parent_model, rest, person
        )
    else:
        value = person
    made = FACTORIES.get(model._meta.concrete_model)
    assert made is not None, (
        f"No factory makes {model._meta.label}: add a maker to MAKERS in {__name__}."
    )
    return made(**{head: value})


def records_in_every_kind(person) -> None:
    """At least one record of every kind the registry lists, about ``person``."""
    for entry in data_registry.entries():
        if entry.owned_by(person).exists():
            continue
        make = _maker(entry)
        if make is not None:
            make(person)
        elif entry.owner:
            _owned(entry.model, entry.owner, person)
        assert entry.owned_by(person).exists(), (
            f"Could not make a record of {entry.key} for the test: add a maker to MAKERS."
        )


def person_with_everything(email: str, first_name: str):
    person = all_factories.MemberFactory(
        email=email, first_name=first_name, last_name="Example", mfa=True
    )
    records_in_every_kind(person)
    return person


@pytest.fixture
def two_people(db):
    ada = person_with_everything("ada@example.org", "Ada")
    zeb = person_with_everything("zeb@example.org", "Zeb")
    return ada, zeb


def snapshot(person) -> dict:
    """Each kind of record's rows about ``person``, with every value, by entry key."""
    return {
        entry.key: {
            row["pk"]: row
            for row in entry.model._default_manager.filter(
                pk__in=entry.owned_by(person).values("pk")
            ).values("pk", *(f.attname for f in entry.model._meta.concrete_fields))
        }
        for entry in data_registry.entries()
    }


def _still_there(entry, pks) -> set:
    return set(entry.model._default_manager.filter(pk__in=pks).values_list("pk", flat=True))


def _counts(outcomes, key) -> dict:
    found = {Fate.DELETE: 0, Fate.ANONYMISE: 0, Fate.KEEP: 0}
    for outcome in outcomes:
        if outcome.key == key:
            found[Fate(outcome.fate)] += outcome.count
    return found


def _owner_of(row, entry):
    value = row
    for step in entry.owner.split("__"):
        value = getattr(value, step)
    return value


# --- The test the issue asks for --------------------------------------------------------------


def test_every_kind_of_record_is_deleted_anonymised_or_kept_as_the_registry_says(two_people):
    ada, zeb = two_people
    before = snapshot(ada)
    zebs_before = snapshot(zeb)
    for key, rows in before.items():
        assert rows, f"The test's person has no {key} records"
    old_email = ada.email

    closure = erasure.close_account(ada, by=ada, reason=erasure.SELF_REASON)

    ada.refresh_from_db()
    assert ada.first_name == "" and ada.last_name == ""
    assert ada.email != old_email and ada.email.endswith("@closed.invalid")
    outcomes = closure.outcomes
    wrong = []
    for entry in data_registry.entries():
        pks = set(before[entry.key])
        left = _still_there(entry, pks)
        counts = _counts(outcomes, entry.key)
        if entry.on_close == Fate.DELETE:
            # Deleted, unless a record that stays depends on it (then it says so).
            if len(left) != counts[Fate.ANONYMISE] + counts[Fate.KEEP]:
                wrong.append(f"{entry.key}: {len(left)} left, expected none")
            continue
        # Kept or anonymised: every row stays but those a deletion took with it (said so).
        if len(left) != len(pks) - counts[Fate.DELETE]:
            wrong.append(f"{entry.key}: {len(pks) - len(left)} gone, told {counts[Fate.DELETE]}")
        rows = entry.model._default_manager.filter(pk__in=left)
        if entry.on_close == Fate.ANONYMISE:
            for row in rows:
                for name, blank in entry.blanks().items():
                    value = getattr(row, entry.model._meta.get_field(name).attname)
                    old = before[entry.key][row.pk][entry.model._meta.get_field(name).attname]
                    if hasattr(blank, "resolve_expression"):
                        ok = value != old
                    else:
                        ok = value == (blank.pk if isinstance(blank, models.Model) else blank)
                    if not ok:
                        wrong.append(f"{entry.key}: {name} is not blank")
        elif entry.owner and entry.owner_q is None:
            for row in rows:
                account = _owner_of(row, entry)
                if account.pk != ada.pk or account.get_full_name() or account.email == old_email:
                    wrong.append(f"{entry.key}: kept, but still points at a named account")
    assert not wrong, "\n".join(wrong)

    # The second person's records are exactly as they were.
    assert snapshot(zeb) == zebs_before


def test_every_kind_the_registry_says_to_keep_is_kept_for_someone_who_worked_here(two_people):
    """Records kept by law stay, told to the person with how long and why."""
    ada, _ = two_people
    closure = erasure.close_account(ada, by=ada, reason=erasure.SELF_REASON)
    kept_keys = {o.key for o in closure.kept}
    must_keep = {e.key for e in data_registry.entries() if e.on_close == Fate.KEEP}
    assert must_keep <= kept_keys
    for outcome in closure.kept:
        assert outcome.why, outcome.key


def test_what_a_deletion_takes_with_it_is_only_what_the_registry_means_it_to(two_people):
    """Deleting a record deletes what hangs off it (``on_delete=CASCADE``). Where that
    undoes "keep" for another kind, it must be meant: a job application that did not lead
    to a job goes with who interviewed for it and the checks made on it."""
    ada, _ = two_people
    undone = {o.key for o in erasure.what_closing_does(ada) if o.why == erasure.WHY_WENT_WITH}
    assert undone == {
        "peers.interviewpanelmember:recruitment",
        "peers.preemploymentcheck:recruitment",
    }


def test_nothing_is_kept_because_something_else_depends_on_it_in_todays_registry(two_people):
    ada, _ = two_people
    assert not [o.key for o in erasure.what_closing_does(ada) if o.why == erasure.WHY_DEPENDED_ON]


def test_the_closed_account_cannot_sign_in_and_holds_nothing_to_sign_in_with(two_people, client):
    ada, _ = two_people
    old_email = ada.email
    erasure.close_account(ada, by=ada, reason=erasure.SELF_REASON)
    ada.refresh_from_db()
    assert not ada.is_active and not ada.has_usable_password()
    assert not ada.groups.exists() and not ada.partnership_wide and not ada.is_superuser
    assert not EmailAddress.objects.filter(user=ada).exists()
    assert not Authenticator.objects.filter(user=ada).exists()
    assert not client.login(email=old_email, password=DEMO_PASSWORD)
    response = client.post(
        "/accounts/login/", {"login": old_email, "password": DEMO_PASSWORD}, follow=True
    )
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200


def test_the_person_is_emailed_at_their_old_address_with_what_was_kept_and_why(two_people):
    ada, _ = two_people
    old_email = ada.email
    mail.outbox.clear()
    closure = erasure.close_account(ada, by=ada, reason=erasure.SELF_REASON)
    [message] = [m for m in mail.outbox if m.to == [old_email]]
    assert message.subject.endswith("Your account is closed")
    for outcome in closure.kept:
        assert outcome.label in message.body
    assert "Your claims for payment" in message.body
    assert "HM Revenue and Customs" in message.body
    assert "/contact/" in message.body
    # Their old queued mail was deleted; the confirmation is the one message left to them.
    from cms.models import OutboundEmail

    queued = [o for o in OutboundEmail.objects.all() if old_email in o.message["to"]]
    assert [o.message["subject"] for o in queued] == [message.subject]


def test_the_erasure_is_in_the_audit_log_and_the_register_of_requests(two_people):
    ada, zeb = two_people
    closure = erasure.close_account(ada, by=ada, reason=erasure.SELF_REASON)
    entry = ModelLogEntry.objects.get(action=audit.ERASE)
    assert entry.data["about"] == ada.pk
    assert entry.data["reason"] == erasure.SELF_REASON
    assert "Ada" not in entry.label and "ada@example.org" not in entry.label
    request = DataRequest.objects.get(person=ada, kind=DataRequest.Kind.ERASURE)
    assert request == closure.data_request
    assert request.channel == DataRequest.Channel.SITE
    assert request.status == DataRequest.Status.DONE and request.completed_at
    assert "Your claims for payment" in request.outcome
    assert not DataRequest.objects.filter(person=zeb, kind=DataRequest.Kind.ERASURE).exists()


def test_the_preview_costs_the_same_queries_with_3_records_or_30(two_people):
    """The preview counts each kind of record; it never reads them one by one."""
    from peers.models import PeerWorker

    ada, zeb = two_people
    zebs_worker = PeerWorker.objects.get(user=zeb)
    for _ in range(3):
        coproduce_factories.FeedbackFactory(author=ada)
        peers_factories.WellbeingCheckInFactory(worker=PeerWorker.objects.get(user=ada))
    for _ in range(30):
        coproduce_factories.FeedbackFactory(author=zeb)
        peers_factories.WellbeingCheckInFactory(worker=zebs_worker)
        peers_factories.SessionLogFactory(worker=zebs_worker)
    with CaptureQueriesContext(connection) as few:
        erasure.what_closing_does(ada)
    with CaptureQueriesContext(connection) as many:
        outcomes = erasure.what_closing_does(zeb)
    assert len(many) == len(few)
    assert _counts(outcomes, "coproduce.feedback:feedback")[Fate.ANONYMISE] == 31


@pytest.mark.parametrize("key", [e.key for e in data_registry.entries()])
def test_each_kind_alone_is_dealt_with(key, db):
    """One kind of record at a time, so a failure names the kind."""
    entry = next(e for e in data_registry.entries() if e.key == key)
    person = all_factories.MemberFactory(mfa=True)
    make = _maker(entry)
    if make is not None:
        make(person)
    elif entry.owner:
        _owned(entry.model, entry.owner, person)
    pks = set(entry.owned_by(person).values_list("pk", flat=True))
    assert pks
    outcomes = erasure.what_closing_does(person)
    counts = _counts(outcomes, key)
    erasure.close_account(person, by=person, reason=erasure.SELF_REASON)
    left = _still_there(entry, pks)
    assert len(left) == counts[Fate.ANONYMISE] + counts[Fate.KEEP]
    assert sum(counts.values()) == len(pks)


def test_the_account_itself_stays_without_a_name_and_says_why(two_people):
    ada, _ = two_people
    closure = erasure.close_account(ada, by=ada, reason=erasure.SELF_REASON)
    assert User.objects.filter(pk=ada.pk).exists()
    account = next(o for o in closure.kept if o.key == "cms.user:account")
    assert account.why == erasure.WHY_ACCOUNT_KEPT
    contact = next(o for o in closure.anonymised if o.key == "cms.user:contact")
    assert "email address" in contact.removed
