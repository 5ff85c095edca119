"""The access matrix: for every URL and every role, the expected answer.

The table below is the single statement of who may reach what. ``test_every_url_has_a_row``
walks Django's URL resolver, so a URL added without a row fails the build: every page of
the site and every admin page the project adds (its own views, and every view of a viewset
or snippet it registers) must state its access rules here. Unnamed URLs are keyed by their
pattern. Wagtail's own admin URLs sit behind its access check and ours; ADMIN_SAMPLES
requests representative ones.

Every URL is requested filled in with a real record from tests/access_world.py: one of the
OTHER organisation's, or another person's. So each row says whether each role may reach
somebody else's record; for staff of our organisation the answer is a refusal, while an
admin (partnership-wide) may see it, as the row's note says.

Answers: 200; LOGIN (redirect to log-in); MFA (redirect to MFA set-up); 403; 404;
MY_SPACE (a signed-in person sent on to My space); ADMIN_HOME (Wagtail's "no permission"
redirect to the admin dashboard); REAUTH (allauth asks for the password again before a
sensitive account change); REFUSED (any of 403, 404 or ADMIN_HOME); or the URL name
another redirect goes to.
"""

from collections.abc import Callable
from dataclasses import dataclass
from fnmatch import fnmatch
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from cms.models import Location
from cms.oruk.ids import location_id as oruk_location_id
from cms.oruk.ids import need_id as oruk_need_id
from cms.oruk.ids import service_at_location_id as oruk_service_at_location_id
from cms.oruk.ids import service_id as oruk_service_id
from cms.oruk.ids import taxonomy_id as oruk_taxonomy_id
from tests.access_world import World, build_world
from tests.conftest import ROLE_NAMES, sign_in
from tests.urlwalk import Route, all_routes

LOGIN = "login"
MFA = "mfa"
MY_SPACE = "my_space"
ADMIN_HOME = "admin_home"
HOME = "home"
REAUTH = "account_reauthenticate"
# Any refusal (a kind 403, a 404, or Wagtail's "no permission" redirect): for rows whose
# refusal's form is still being settled, where only "not let in" matters.
REFUSED = frozenset({403, 404, ADMIN_HOME})

A, U, M, P, S, E, H, F, ED, AD = ROLE_NAMES
SIGNED_IN = [U, M, P, S, E, H, F, ED, AD]
VERIFIED = [M, P, S, E, H, F, ED, AD]
STAFF = [S, E, H, F, ED, AD]
ADMIN_SITE = [E, H, F, ED, AD]


def answers(default, **by_role):
    """Expected answers for every role: ``default``, with named roles overridden."""
    table = dict.fromkeys(ROLE_NAMES, default)
    table.update(by_role)
    return table


def roles(names, value):
    return dict.fromkeys(names, value)


@dataclass(frozen=True)
class Row:
    expect: dict
    # A concrete path (or one made from the world); default: the route filled in with the
    # other organisation's record (see RECORD_FOR_URL).
    path: str | Callable[[World], str] | None = None
    note: str = ""
    requested: bool = True  # False only for shadowed routes, with a note


PUBLIC = answers(200)
# An unverified account is signed out on its first request and carries on as a visitor.
PUBLIC_SIGNED_OUT_ONLY = answers(200, **roles(VERIFIED, MY_SPACE))
SIGNED_IN_ONLY = answers(200, anonymous=LOGIN, unverified=LOGIN)
# Co-production's member pages: members only, everyone else signed in is told why (403).
ONLY_THE_CLAIMANT = answers(404, anonymous=LOGIN, unverified=LOGIN, admin=403)
MEMBERS_ONLY = answers(403, anonymous=LOGIN, unverified=LOGIN, member=200)
MEMBER_ON_NO_PANEL = answers(403, anonymous=LOGIN, unverified=LOGIN, member=404)
# Signed in, but the world's record is somebody else's: not found.
NOT_THEIRS = answers(404, anonymous=LOGIN, unverified=LOGIN)
# ...except to an admin, who sees every organisation's records (not case records).
PARTNERSHIP_WIDE = "admins see every organisation's records"
NOT_THEIRS_BUT_ADMINS = answers(404, anonymous=LOGIN, unverified=LOGIN, admin=200)
CASE_RECORD = "the other organisation's worker's case record: their supervisors' only"

# --- The Wagtail admin -------------------------------------------------------------------------
# Signed-in people the admin is not for (members, peer workers, supervisors) get a plain
# "this part is for staff" page; signed-out people are asked to log in first.
NOT_ADMIN_SITE = [M, P, S]
NOT_FOR_THEM = 403


def in_admin(default, **by_role):
    """An admin URL's answers: ``default`` for the admin-site roles unless named."""
    return answers(
        default,
        anonymous=LOGIN,
        unverified=LOGIN,
        **roles(NOT_ADMIN_SITE, NOT_FOR_THEM),
        **by_role,
    )


ADMIN_SITE_ROLES = in_admin(200)
NOBODY_IN_ADMIN = in_admin(ADMIN_HOME)  # Wagtail's "no permission": back to the dashboard
ADMINS = in_admin(ADMIN_HOME, admin=200)
EDITORS = in_admin(ADMIN_HOME, editor=200, admin=200)
LEADS = in_admin(ADMIN_HOME, engagement_lead=200, admin=200)
HR = in_admin(ADMIN_HOME, hr=200, admin=200)
PAGE_EDITORS = in_admin(ADMIN_HOME, engagement_lead=200, editor=200, admin=200)
# The other organisation's record: our staff get a 404 (those who may use the part of the
# admin at all) or Wagtail's "no permission"; admins, partnership-wide, reach it.
OTHERS_RECORD = in_admin(404, admin=200)
LEADS_ON_OTHERS_RECORD = in_admin(ADMIN_HOME, engagement_lead=404, admin=200)
HR_ON_OTHERS_RECORD = in_admin(ADMIN_HOME, hr=404, admin=200)
OFFER_OUTCOMES_OTHERS = in_admin(ADMIN_HOME, engagement_lead=404, editor=404, admin=200)
PARTNERSHIP_OUTCOMES = "partnership-wide HR and admins only; our HR is one organisation's"
# Views that find the record before asking: the world's programme is a draft, which only
# those who keep outcomes may see, so to everyone else it does not exist.
DRAFT_OUTCOMES = "a draft programme's record: not found but by those who keep outcomes"


def _run_path(view: str):
    """A payment run of the other organisation holding its approved claim, made inside the
    test's savepoint (the shared world has none), and the path of its ``view``."""

    def path(world) -> str:
        from coproduce.factories import PayeeDetailsFactory
        from coproduce.models import PaymentRun

        PayeeDetailsFactory(user=world.claim.member)
        run = PaymentRun.objects.create(organisation=world.other, created_by=world.lead)
        type(world.claim).objects.filter(pk=world.claim.pk).update(payment_run=run)
        return reverse(f"payment_runs:{view}", args=[run.pk])

    return path


def _change_in_sign_off(world) -> str:
    """The draft of a change the other organisation's panel worked on, waiting for its
    members' sign-off (made inside the test's savepoint: the shared world has none)."""
    from coproduce.factories import service_change_in_sign_off

    change = service_change_in_sign_off(
        panel=world.panel, submitted_by=world.lead, title="Matrix draft change"
    )
    return reverse("coproduce:sign_off_draft", args=[change.pk])


ROWS: dict[str, Row] = {
    # --- Public site ---------------------------------------------------------------------
    "wagtail_serve": Row(PUBLIC, path="/", note="public pages: the home page"),
    "search": Row(PUBLIC, path="/search/?q=partnership"),
    "crisis_help": Row(PUBLIC),
    # Background reports: only the person who asked sees one (the world's was asked for by
    # the other organisation's lead), so everybody else, admins included, gets a 404.
    "report_status": Row(answers(404, anonymous=LOGIN, unverified=LOGIN)),
    "report_status_json": Row(answers(404, anonymous=LOGIN, unverified=LOGIN)),
    "report_download": Row(answers(404, anonymous=LOGIN, unverified=LOGIN)),
    "report_again": Row(
        answers(405, anonymous=LOGIN, unverified=LOGIN), note="a form's target: POST only"
    ),
    "robots_txt": Row(PUBLIC),
    "sitemap": Row(PUBLIC),
    # --- Open Referral UK open data: public, read-only, any origin ------------------------
    "oruk_root": Row(PUBLIC),
    "oruk_services": Row(PUBLIC),
    "oruk_service": Row(PUBLIC, note="the other organisation's listed offer: open data"),
    "oruk_taxonomies": Row(PUBLIC),
    "oruk_taxonomy": Row(PUBLIC, path="/api/oruk/taxonomies/" + str(oruk_taxonomy_id())),
    "oruk_taxonomy_terms": Row(PUBLIC),
    "oruk_taxonomy_term": Row(PUBLIC, note="a need: open data"),
    "oruk_service_at_locations": Row(PUBLIC),
    "oruk_service_at_location": Row(
        PUBLIC, note="the other organisation's listed offer at its place: open data"
    ),
    "wagtailcore_authenticate_with_password": Row(
        answers(404),
        path="/_util/authenticate_with_password/999999/1/",
        note="no such private page: nothing revealed",
    ),
    # The other organisation's meeting paper, a private document: Wagtail's own serve URL
    # refuses everyone (coproduce:meeting_paper checks who may see it).
    "wagtaildocs_serve": Row(
        answers(REFUSED),
        path=lambda world: world.paper.document.url,
        note="a private panel paper: its meeting's own route is the only way in",
    ),
    "wagtaildocs_authenticate_with_password": Row(
        answers(404),
        path="/documents/authenticate_with_password/999999/",
        note="no such restriction (ours, on panel papers, is by group, not password)",
    ),
    # --- My space --------------------------------------------------------------------------
    "my_space": Row(answers(200, anonymous=LOGIN, unverified=LOGIN, **roles(STAFF, 200))),
    "who_looked": Row(SIGNED_IN_ONLY, note="each person's own audit trail, nobody else's"),
    "close_account": Row(SIGNED_IN_ONLY, note="each person closes only their own account"),
    "your_data": Row(SIGNED_IN_ONLY, note="each person asks only for their own copy"),
    # --- allauth ----------------------------------------------------------------------------
    "account_login": Row(PUBLIC_SIGNED_OUT_ONLY),
    "account_signup": Row(PUBLIC_SIGNED_OUT_ONLY),
    "account_logout": Row(answers(200, anonymous=HOME, unverified=HOME)),
    "account_inactive": Row(PUBLIC),
    "account_reauthenticate": Row(SIGNED_IN_ONLY),
    "account_email": Row(SIGNED_IN_ONLY),
    "account_email_verification_sent": Row(PUBLIC),
    "account_change_password": Row(SIGNED_IN_ONLY),
    "account_set_password": Row(
        answers("account_change_password", anonymous=LOGIN, unverified=LOGIN),
        note="everyone has a password, so allauth sends them to change it",
    ),
    "account_reset_password": Row(PUBLIC),
    "account_reset_password_done": Row(PUBLIC),
    "account_confirm_login_code": Row(
        answers(LOGIN, **roles(VERIFIED, MY_SPACE)), note="no login code pending"
    ),
    "account_confirm_email": Row(
        PUBLIC, path="/accounts/confirm-email/bad-key/", note="says the link has expired"
    ),
    "account_reset_password_from_key": Row(
        PUBLIC, path="/accounts/password/reset/key/1-bad-key/", note="says the link is bad"
    ),
    "account_reset_password_from_key_done": Row(PUBLIC),
    "mfa_index": Row(SIGNED_IN_ONLY),
    "mfa_authenticate": Row(answers(LOGIN, **roles(VERIFIED, MY_SPACE)), note="no login pending"),
    # Changing MFA asks for the password again first (allauth's reauthentication), even
    # straight after signing in.
    "mfa_reauthenticate": Row(answers(LOGIN, **roles([M, P], REAUTH), **roles(STAFF, 200))),
    "mfa_activate_totp": Row(answers(REAUTH, anonymous=LOGIN, unverified=LOGIN)),
    "mfa_deactivate_totp": Row(
        answers(404, anonymous=LOGIN, unverified=LOGIN, **roles(STAFF, REAUTH))
    ),
    "mfa_view_recovery_codes": Row(answers(404, anonymous=LOGIN, unverified=LOGIN)),
    "mfa_generate_recovery_codes": Row(answers(REAUTH, anonymous=LOGIN, unverified=LOGIN)),
    "mfa_download_recovery_codes": Row(answers(404, anonymous=LOGIN, unverified=LOGIN)),
    # --- Wagtail's own log-in routes, all sent to allauth ----------------------------------
    "wagtailadmin_login_redirect": Row(
        answers(LOGIN, **roles(NOT_ADMIN_SITE, NOT_FOR_THEM)), note="allauth's login routes on"
    ),
    "wagtailadmin_password_reset_redirect": Row(
        answers("account_reset_password", **roles(NOT_ADMIN_SITE, NOT_FOR_THEM))
    ),
    "wagtailcore_login_redirect": Row(answers(LOGIN), note="allauth's login then routes on"),
    "wagtailadmin_login": Row(
        answers(LOGIN), requested=False, note="shadowed by wagtailadmin_login_redirect"
    ),
    "wagtailadmin_password_reset*": Row(
        answers(LOGIN), requested=False, note="shadowed by the redirect to allauth's reset"
    ),
    "wagtailcore_login": Row(
        answers(LOGIN), requested=False, note="shadowed by wagtailcore_login_redirect"
    ),
    # --- Co-production: panels and profiles --------------------------------------------------
    # A member's own involvement pages carry no record id: each shows only the signed-in
    # member's own. People without the member role get a kind 403 page saying why.
    "coproduce:involvement": Row(MEMBERS_ONLY),
    "coproduce:involvement_edit": Row(MEMBERS_ONLY),
    "coproduce:involvement_equality": Row(
        answers(403, anonymous=LOGIN, unverified=LOGIN, member="involvement_edit"),
        note="a member with no profile yet is sent to make it first",
    ),
    "coproduce:involvement_consent": Row(MEMBERS_ONLY),
    # "How you are paid": the member's own, no record id (no profile yet: make it first).
    "coproduce:payment": Row(
        answers(403, anonymous=LOGIN, unverified=LOGIN, member="involvement_edit"),
        note="the member of the matrix has no involvement profile yet",
    ),
    "coproduce:payee_details": Row(MEMBERS_ONLY),
    "coproduce:involvement_applications": Row(MEMBERS_ONLY),
    "coproduce:notice_preferences": Row(
        answers(403, anonymous=LOGIN, unverified=LOGIN, member="involvement_edit"),
        note="a member with no profile yet is sent to make it first",
    ),
    # Calls and letters members asked for: leads only. The world's is the other
    # organisation's letter: our lead does not find it; an admin (partnership-wide) does.
    "coproduce:contact_task_list": Row(
        answers(403, anonymous=LOGIN, unverified=LOGIN, engagement_lead=200, admin=200)
    ),
    "coproduce:contact_task_detail": Row(
        answers(403, anonymous=LOGIN, unverified=LOGIN, engagement_lead=404, admin=200),
        note=PARTNERSHIP_WIDE,
    ),
    "coproduce:contact_task_letter": Row(
        answers(403, anonymous=LOGIN, unverified=LOGIN, engagement_lead=404, admin=200),
        note=PARTNERSHIP_WIDE,
    ),
    "coproduce:contact_task_done": Row(
        answers(405, anonymous=LOGIN, unverified=LOGIN), note="a form's target: POST only"
    ),
    "coproduce:involvement_download": Row(
        answers("your_data", anonymous=LOGIN, unverified=LOGIN),
        note="the old address: everyone's copy of all their data is made on one page",
    ),
    # Recruiting panels are public; drafts are 404 except to their leads. The world's panel
    # is the other organisation's draft: only admins (partnership-wide) see it.
    "coproduce:panel_list": Row(PUBLIC),
    "coproduce:panel_detail": Row(answers(404, admin=200), note=PARTNERSHIP_WIDE),
    "coproduce:panel_apply": Row(MEMBER_ON_NO_PANEL),
    "coproduce:panel_application": Row(MEMBER_ON_NO_PANEL),
    "coproduce:panel_application_withdraw": Row(MEMBER_ON_NO_PANEL),
    # --- Co-production: meetings -------------------------------------------------------------
    # Everyone signed in has a meetings page listing the meetings visible_to them (their
    # panels' meetings; a lead's panels' meetings). A meeting, its calendar file and papers
    # are found only among those, so a guessed id is a 404 (tests/coproduce/test_meetings.py
    # covers who sees which meeting). The calendar feed is for calendar apps, which cannot
    # sign in: its secret address is the key (a wrong one is a 404 for everybody).
    "coproduce:meeting_list": Row(SIGNED_IN_ONLY),
    "coproduce:meeting_detail": Row(NOT_THEIRS_BUT_ADMINS, note=PARTNERSHIP_WIDE),
    "coproduce:meeting_calendar": Row(NOT_THEIRS_BUT_ADMINS, note=PARTNERSHIP_WIDE),
    "coproduce:meeting_paper": Row(NOT_THEIRS_BUT_ADMINS, note=PARTNERSHIP_WIDE),
    "coproduce:calendar_address_reset": Row(
        answers(405, anonymous=LOGIN, unverified=LOGIN), note="a form's target: POST only"
    ),
    # Replies: members answer from the meeting's page and My space (forms' targets, POST
    # only; tests/coproduce/test_meeting_replies.py covers who may reply), or from the signed
    # link in their invitation, without signing in: the link is the key, like the calendar
    # feed's. The world's member is not yet accepted onto its panel, so their link finds
    # nothing for anybody (the calendar file through it would be gone anyway: the meeting is
    # over).
    "coproduce:meeting_reply": Row(
        answers(405, anonymous=LOGIN, unverified=LOGIN), note="a form's target: POST only"
    ),
    "coproduce:meeting_reply_quick": Row(
        answers(405, anonymous=LOGIN, unverified=LOGIN), note="a form's target: POST only"
    ),
    "coproduce:meeting_reply_link": Row(
        answers(404),
        path=lambda world: reply_link(world),
        note="a link signed for a member who is not on the panel: nothing",
    ),
    "coproduce:meeting_reply_link_answer": Row(
        answers(404),
        path=lambda world: reply_link(world) + "coming/",
        note="a link signed for a member who is not on the panel: nothing",
    ),
    "coproduce:meeting_reply_link_calendar": Row(
        answers(404),
        path=lambda world: reply_link(world) + "calendar.ics",
        note="a link signed for a member who is not on the panel: nothing",
    ),
    "coproduce:calendar_feed": Row(
        PUBLIC, note="the other member's secret address: whoever holds it reads the feed"
    ),
    # A change's draft waiting for its panel's sign-off: its members, its facilitators and
    # the staff of the organisation running the panel read it; to anyone else it is not found.
    "coproduce:sign_off_draft": Row(
        NOT_THEIRS_BUT_ADMINS, path=_change_in_sign_off, note=PARTNERSHIP_WIDE
    ),
    # --- Co-production: claims ---------------------------------------------------------------
    # Everyone signed in has a "Your claims" page (staff may take part as members too); a
    # claim, its receipts and remittance are found only among the claims visible_to the
    # person, so a guessed id is a 404 (tests/coproduce/test_claims_views.py covers who
    # sees which claim).
    "coproduce:claim_list": Row(SIGNED_IN_ONLY),
    # The world's claim is another member's, approved: an admin may look at it, but only the
    # member who made it may change it or open its remittance (403 tells the admin why).
    "coproduce:claim_detail": Row(NOT_THEIRS_BUT_ADMINS, note=PARTNERSHIP_WIDE),
    "coproduce:claim_expense_add": Row(ONLY_THE_CLAIMANT),
    "coproduce:claim_expense_remove": Row(ONLY_THE_CLAIMANT),
    "coproduce:claim_receipt": Row(NOT_THEIRS_BUT_ADMINS, note=PARTNERSHIP_WIDE),
    "coproduce:claim_submit": Row(ONLY_THE_CLAIMANT),
    "coproduce:claim_remittance": Row(ONLY_THE_CLAIMANT),
    # Messages: a member writes only about their own claim, or a meeting of their panel (an
    # admin sees the world's claim and meeting, but they are not theirs to write about), and
    # reads only their own conversations; staff answer in the admin.
    "coproduce:claim_message_lead": Row(ONLY_THE_CLAIMANT),
    "coproduce:claim_message_finance": Row(ONLY_THE_CLAIMANT),
    "coproduce:meeting_message": Row(ONLY_THE_CLAIMANT, note="their panel's members only"),
    "coproduce:message_list": Row(SIGNED_IN_ONLY),
    "coproduce:message_thread": Row(
        answers(404, anonymous=LOGIN, unverified=LOGIN),
        path=lambda world: reverse("coproduce:message_thread", args=[_conversation(world).pk]),
        note="the other organisation's member's conversation: theirs alone on the site",
    ),
    # --- Co-production: feedback -------------------------------------------------------------
    # Anyone, with or without an account, gives feedback on a listed offer and reads its
    # published comments (a missing or unlisted offer is a 404). Everyone signed in has a
    # "Your feedback" page listing only their own (tests/coproduce/test_feedback.py).
    "coproduce:feedback_give": Row(PUBLIC, note="the other organisation's listed offer"),
    "coproduce:feedback_thanks": Row(PUBLIC, note="the other organisation's listed offer"),
    "coproduce:feedback_on_offer": Row(PUBLIC, note="the other organisation's listed offer"),
    "coproduce:feedback_mine": Row(SIGNED_IN_ONLY),
    # --- Peer work: vacancies and applications ---------------------------------------------
    # Open peer roles are public; drafts are a 404 except to HR of their organisation.
    # Anyone with a verified account may apply; a person's applications are
    # found only among their own, so a guessed id is a 404 for everybody, HR included
    # (tests/peers/test_vacancies.py). HR works on applications in the admin.
    "peers:vacancy_list": Row(PUBLIC),
    # The world's vacancy is the other organisation's draft.
    "peers:vacancy_detail": Row(answers(404, admin=200), note=PARTNERSHIP_WIDE),
    "peers:vacancy_apply": Row(
        answers(404, anonymous=LOGIN, unverified=LOGIN, admin="vacancy_detail"),
        note="an admin sees the draft, and is sent back to it: nobody applies to a draft",
    ),
    "peers:job_application_list": Row(SIGNED_IN_ONLY),
    "peers:job_application": Row(NOT_THEIRS, note="somebody else's application"),
    "peers:job_application_equality": Row(NOT_THEIRS, note="somebody else's application"),
    "peers:job_application_withdraw": Row(NOT_THEIRS, note="somebody else's application"),
    # --- Charter: the public progress pages (published charters only) ------------------------
    "charter:index": Row(PUBLIC),
    "charter:progress": Row(answers(404), note="the other organisation's charter is unpublished"),
    # Partnership outcomes: published programmes are public; the world's is a draft, which
    # only those who keep outcomes (admins here) may preview.
    "outcomes:index": Row(PUBLIC),
    "outcomes:programme": Row(answers(404, admin=200), note="a draft programme: keepers only"),
    "charter:version": Row(
        answers(404),
        path=lambda world: f"/charter/{world.other.slug}/version/{world.charter.version}/",
        note="a draft version: no one sees it in public, not even its own HR",
    ),
    # --- Peer work: hours and activity ------------------------------------------------------
    # A worker's own summary and download need a current peer worker record (the matrix's
    # peer worker has none, so is told kindly, 403); a supervisor without one is sent to
    # their supervisees. A worker's summary by id is found only among those the person may
    # see as worker or supervisor, so a guessed id is a 404 (tests/peers/test_summary.py).
    "peers:summary": Row(
        answers(403, anonymous=LOGIN, unverified=LOGIN, supervisor="supervisee_summaries")
    ),
    "peers:sessions_export": Row(answers(403, anonymous=LOGIN, unverified=LOGIN)),
    "peers:supervisee_summaries": Row(
        answers(403, anonymous=LOGIN, unverified=LOGIN, supervisor=200)
    ),
    "peers:worker_summary": Row(NOT_THEIRS, note=CASE_RECORD),
    "peers:worker_sessions_export": Row(NOT_THEIRS, note=CASE_RECORD),
    # --- Peer work: session logs and safeguarding -----------------------------------------
    # Case records: a worker's own pages need a current peer worker record (the matrix's
    # peer_worker has the role but no record, so is told why: 403); a supervisor's pages
    # need the supervisor role. One session or concern is found only among those
    # visible_to the person, so a guessed id is a 404 for everybody, HR and admins included
    # (tests/peers/test_sessions.py and test_safeguarding.py cover who sees which).
    "peers:session_list": Row(answers(403, anonymous=LOGIN, unverified=LOGIN)),
    "peers:session_log": Row(answers(403, anonymous=LOGIN, unverified=LOGIN)),
    "peers:supervisee_sessions": Row(
        answers(403, anonymous=LOGIN, unverified=LOGIN, supervisor=200)
    ),
    "peers:session_detail": Row(NOT_THEIRS, note=CASE_RECORD),
    "peers:session_edit": Row(NOT_THEIRS, note=CASE_RECORD),
    "peers:session_delete": Row(NOT_THEIRS, note=CASE_RECORD),
    "peers:concern_raise": Row(NOT_THEIRS, note=CASE_RECORD),
    "peers:concern_list": Row(answers(403, anonymous=LOGIN, unverified=LOGIN, supervisor=200)),
    "peers:concern_detail": Row(NOT_THEIRS, note=CASE_RECORD),
    # --- Peer work: supervision and wellbeing -----------------------------------------------
    # A worker's own supervision and wellbeing pages need a current peer worker record (the
    # matrix's peer_worker has none: 403). Supervisors list their supervisees; supervisors
    # and HR (admins too) see compliance counts. A worker, supervision record, action or
    # check-in is found only among those visible_to the person, so a guessed id is a 404
    # (tests/peers/test_supervision*.py and test_wellbeing.py cover who sees which).
    "peers:supervision_mine": Row(answers(403, anonymous=LOGIN, unverified=LOGIN)),
    "peers:supervision_supervisees": Row(
        answers(403, anonymous=LOGIN, unverified=LOGIN, supervisor=200)
    ),
    "peers:supervision_compliance": Row(
        answers(403, anonymous=LOGIN, unverified=LOGIN, supervisor=200, hr=200, admin=200)
    ),
    "peers:supervision_worker": Row(
        answers(404, anonymous=LOGIN, unverified=LOGIN, admin=403),
        note="an admin is told supervision is for the worker's supervisors",
    ),
    "peers:supervision_record": Row(
        answers(404, anonymous=LOGIN, unverified=LOGIN, admin=403),
        note="an admin is told supervision is for the worker's supervisors",
    ),
    "peers:supervision_detail": Row(NOT_THEIRS, note=CASE_RECORD),
    "peers:supervision_action_add": Row(NOT_THEIRS, note=CASE_RECORD),
    "peers:supervision_action_mark": Row(
        answers(405, anonymous=LOGIN, unverified=LOGIN), note="a form's target: POST only"
    ),
    "peers:wellbeing_history": Row(answers(403, anonymous=LOGIN, unverified=LOGIN)),
    "peers:wellbeing_check_in": Row(answers(403, anonymous=LOGIN, unverified=LOGIN)),
    "peers:wellbeing_result": Row(NOT_THEIRS, note=CASE_RECORD),
    "peers:wellbeing_share": Row(
        answers(405, anonymous=LOGIN, unverified=LOGIN), note="a form's target: POST only"
    ),
    "peers:wellbeing_delete": Row(NOT_THEIRS, note=CASE_RECORD),
    # --- Peer work: progression pathway and induction ----------------------------------------
    # A worker's own pathway, evidence, training, portfolio and induction need a peer worker
    # record (the matrix's peer_worker has none: 403); supervisors and HR (admins too)
    # without one are sent to the list of workers whose pathways they may open. A worker is
    # found only among those the person may see (own, supervisees, HR's organisation), so a
    # guessed id is a 404 (tests/peers/test_pathway.py, test_induction.py, test_portfolio.py).
    "peers:pathway": Row(
        answers(403, anonymous=LOGIN, unverified=LOGIN, **roles([S, H, AD], "pathway_workers"))
    ),
    "peers:pathway_workers": Row(
        answers(403, anonymous=LOGIN, unverified=LOGIN, **roles([S, H, AD], 200))
    ),
    "peers:pathway_evidence_add": Row(answers(403, anonymous=LOGIN, unverified=LOGIN)),
    "peers:pathway_training_add": Row(answers(403, anonymous=LOGIN, unverified=LOGIN)),
    "peers:pathway_portfolio": Row(answers(403, anonymous=LOGIN, unverified=LOGIN)),
    "peers:pathway_worker": Row(NOT_THEIRS_BUT_ADMINS, note=PARTNERSHIP_WIDE),
    "peers:pathway_sign_off": Row(
        answers(404, anonymous=LOGIN, unverified=LOGIN, admin=403),
        note="an admin may read the pathway; only the worker's supervisors sign it off",
    ),
    "peers:pathway_review": Row(
        answers(404, anonymous=LOGIN, unverified=LOGIN, admin=403),
        note="an admin may read the pathway; only the worker's supervisors sign it off",
    ),
    "peers:induction": Row(
        answers(403, anonymous=LOGIN, unverified=LOGIN, **roles([S, H, AD], "pathway_workers"))
    ),
    "peers:induction_worker": Row(NOT_THEIRS_BUT_ADMINS, note=PARTNERSHIP_WIDE),
    "peers:induction_start": Row(
        answers(405, anonymous=LOGIN, unverified=LOGIN), note="a form's target: POST only"
    ),
    "peers:induction_mark": Row(
        answers(405, anonymous=LOGIN, unverified=LOGIN), note="a form's target: POST only"
    ),
    # --- Admin pages the project adds: the site shell -------------------------------------------
    # Editors (and admins) keep the directory: overdue offers, ORUK import, needs and areas.
    "offers_overdue_report": Row(EDITORS),
    "offers_overdue_report_results": Row(EDITORS),
    "offers_import_oruk": Row(EDITORS),
    # Site history holds every organisation's claim history and who viewed what: admins only.
    "site_history_for_administrators": Row(ADMINS),
    "site_history_results_for_administrators": Row(ADMINS),
    # Wagtail's own reports and redirects, answered by the same views with the project's
    # spreadsheet-safe exports: page workflows and ages for those who edit pages (leads draft
    # service changes), locked pages and redirects for admins.
    "locked_pages_safe": Row(ADMINS),
    "locked_pages_results_safe": Row(ADMINS),
    "workflow_safe": Row(PAGE_EDITORS),
    "workflow_results_safe": Row(PAGE_EDITORS),
    "workflow_tasks_safe": Row(PAGE_EDITORS),
    "workflow_tasks_results_safe": Row(PAGE_EDITORS),
    "aging_pages_safe": Row(PAGE_EDITORS),
    "aging_pages_results_safe": Row(PAGE_EDITORS),
    "redirects_safe": Row(ADMINS),
    "redirects_results_safe": Row(ADMINS),
    # Co-production: leads ask for the panel impact report on their own organisation's panels.
    "panel_impact_report": Row(LEADS),
    # Members' messages: leads and finance answer those sent to them; the world's is the other
    # organisation's member's, to finance there, so only an admin may open it.
    "staff_messages": Row(in_admin(ADMIN_HOME, **roles([E, F, AD], 200))),
    "staff_message_thread": Row(
        in_admin(ADMIN_HOME, engagement_lead=404, finance=404, admin=200),
        path=lambda world: reverse("staff_message_thread", args=[_conversation(world).pk]),
    ),
    "staff_message_close": Row(
        in_admin(ADMIN_HOME, engagement_lead=404, finance=404, admin=200),
        path=lambda world: reverse("staff_message_close", args=[_conversation(world).pk]),
    ),
    # Charter: HR and charter leads keep their own organisation's charter (admins every one);
    # the world's charter is the other organisation's, so our HR gets a 404. The board report
    # is a form's target (POST only).
    "charter_dashboard": Row(HR_ON_OTHERS_RECORD),
    "charter_from_template": Row(HR),
    "charter_reading_enter": Row(HR_ON_OTHERS_RECORD),
    "charter_evidence_upload": Row(HR_ON_OTHERS_RECORD),
    "charter_evidence_download": Row(HR_ON_OTHERS_RECORD),
    "charter_board_report": Row(in_admin(405), note="a form's target: POST only"),
    # Needs and areas are the partnership's shared taxonomy (no organisation owns one).
    "wagtailsnippets_cms_need:list": Row(EDITORS),
    "wagtailsnippets_cms_need:list_results": Row(EDITORS),
    "wagtailsnippets_cms_need:add": Row(EDITORS),
    "wagtailsnippets_cms_need:edit": Row(EDITORS),
    "wagtailsnippets_cms_need:delete": Row(EDITORS),
    "wagtailsnippets_cms_need:usage": Row(EDITORS),
    "wagtailsnippets_cms_need:history": Row(EDITORS),
    "wagtailsnippets_cms_need:history_results": Row(EDITORS),
    "wagtailsnippets_cms_need:copy": Row(EDITORS),
    # Anyone in the admin may choose a need, area or theme in a form they are filling in.
    "wagtailsnippetchoosers_cms_need:choose": Row(ADMIN_SITE_ROLES),
    "wagtailsnippetchoosers_cms_need:choose_results": Row(ADMIN_SITE_ROLES),
    "wagtailsnippetchoosers_cms_need:chosen": Row(ADMIN_SITE_ROLES),
    "wagtailsnippetchoosers_cms_need:chosen_multiple": Row(ADMIN_SITE_ROLES),
    "wagtailsnippetchoosers_cms_need:create": Row(EDITORS),
    "wagtailsnippets_cms_area:list": Row(EDITORS),
    "wagtailsnippets_cms_area:list_results": Row(EDITORS),
    "wagtailsnippets_cms_area:add": Row(EDITORS),
    "wagtailsnippets_cms_area:edit": Row(EDITORS),
    "wagtailsnippets_cms_area:delete": Row(EDITORS),
    "wagtailsnippets_cms_area:usage": Row(EDITORS),
    "wagtailsnippets_cms_area:history": Row(EDITORS),
    "wagtailsnippets_cms_area:history_results": Row(EDITORS),
    "wagtailsnippets_cms_area:copy": Row(EDITORS),
    "wagtailsnippetchoosers_cms_area:choose": Row(ADMIN_SITE_ROLES),
    "wagtailsnippetchoosers_cms_area:choose_results": Row(ADMIN_SITE_ROLES),
    "wagtailsnippetchoosers_cms_area:chosen": Row(ADMIN_SITE_ROLES),
    "wagtailsnippetchoosers_cms_area:chosen_multiple": Row(ADMIN_SITE_ROLES),
    "wagtailsnippetchoosers_cms_area:create": Row(EDITORS),
    # Feedback themes: editors keep them, leads may look at them. Themes are reordered by POST.
    "wagtailsnippets_coproduce_theme:list": Row(in_admin(200, **roles([H, F], ADMIN_HOME))),
    "wagtailsnippets_coproduce_theme:list_results": Row(in_admin(200, **roles([H, F], ADMIN_HOME))),
    "wagtailsnippets_coproduce_theme:add": Row(EDITORS),
    "wagtailsnippets_coproduce_theme:edit": Row(EDITORS),
    "wagtailsnippets_coproduce_theme:delete": Row(EDITORS),
    "wagtailsnippets_coproduce_theme:usage": Row(EDITORS),
    "wagtailsnippets_coproduce_theme:history": Row(EDITORS),
    "wagtailsnippets_coproduce_theme:history_results": Row(EDITORS),
    "wagtailsnippets_coproduce_theme:reorder": Row(in_admin(ADMIN_HOME, **roles([ED, AD], 405))),
    "wagtailsnippets_coproduce_theme:copy": Row(EDITORS),
    "wagtailsnippetchoosers_coproduce_theme:choose": Row(ADMIN_SITE_ROLES),
    "wagtailsnippetchoosers_coproduce_theme:choose_results": Row(ADMIN_SITE_ROLES),
    "wagtailsnippetchoosers_coproduce_theme:chosen": Row(ADMIN_SITE_ROLES),
    "wagtailsnippetchoosers_coproduce_theme:chosen_multiple": Row(ADMIN_SITE_ROLES),
    "wagtailsnippetchoosers_coproduce_theme:create": Row(EDITORS),
    # Organisations and people: admins only (the world's are the other organisation and its lead).
    "organisations:index": Row(ADMINS),
    "organisations:index_results": Row(ADMINS),
    "organisations:add": Row(ADMINS),
    "organisations:edit": Row(ADMINS),
    "organisations:delete": Row(ADMINS),
    "organisations:history": Row(ADMINS),
    "organisations:history_results": Row(ADMINS),
    "organisations:usage": Row(ADMINS),
    "organisations:inspect": Row(ADMINS),
    "organisations:copy": Row(ADMINS),
    # Outbound mail names everyone the site writes to (never a body): admins only. The
    # world's email could not be delivered, so an admin is asked to confirm sending it again.
    "outbound_mail:index": Row(ADMINS),
    "outbound_mail:index_results": Row(ADMINS),
    "outbound_mail:inspect": Row(ADMINS),
    "outbound_mail:send_again": Row(ADMINS),
    "outbound_texts:index": Row(ADMINS),
    "outbound_texts:index_results": Row(ADMINS),
    "outbound_texts:inspect": Row(ADMINS),
    "outbound_texts:send_again": Row(ADMINS),
    # Requests about personal data received by letter or phone: admins only. The world's is
    # an access request, so closing the account sends an admin back to the request's page.
    "data_requests:index": Row(ADMINS),
    "data_requests:index_results": Row(ADMINS),
    "data_requests:add": Row(ADMINS),
    "data_requests:detail": Row(ADMINS),
    "data_requests:done": Row(in_admin(ADMIN_HOME, admin=405), note="a form's target: POST only"),
    "data_requests:erase": Row(
        in_admin(ADMIN_HOME, admin="detail"), note="an access request: back to its page"
    ),
    # Data retention: the task deletes records past their time limit, so admins only. The
    # world's run is a dry run; asking for one is a form's target (POST only).
    "data_retention": Row(ADMINS),
    "data_retention_run": Row(ADMINS),
    "data_retention_apply": Row(ADMINS),
    "data_retention_dry_run": Row(
        in_admin(ADMIN_HOME, admin=405), note="a form's target: POST only"
    ),
    # --- Co-production in the admin ----------------------------------------------------------
    # Claims: leads see their panels' claims, finance approved and paid ones, only finance (and
    # admins) mark claims paid. The world's claim is the other organisation's, approved: an
    # admin sees it (it is no longer waiting for review, so review sends them to inspect it).
    "claims:index": Row(in_admin(200, **roles([H, ED], ADMIN_HOME))),
    "claims:index_results": Row(in_admin(200, **roles([H, ED], ADMIN_HOME))),
    "claims:inspect": Row(OTHERS_RECORD),
    "claims:history": Row(OTHERS_RECORD),
    "claims:history_results": Row(OTHERS_RECORD),
    "claims:review": Row(in_admin(404, admin="inspect")),
    # The old "mark paid" addresses lead finance on to payment runs; nothing is paid there.
    "claims:pay": Row(in_admin(ADMIN_HOME, finance=404, admin="build")),
    "claims:pay_many": Row(in_admin(ADMIN_HOME, **roles([F, AD], "build"))),
    # Payment policy: finance sets their own organisation's (the list sends them straight
    # there); admins pick any organisation. The world's is the other organisation's.
    "payment_policy": Row(in_admin(ADMIN_HOME, finance="payment_policy_edit", admin=200)),
    "payment_policy_edit": Row(in_admin(ADMIN_HOME, finance=404, admin=200)),
    # Members' bank details: finance of an organisation the member has claims with, and
    # admins. The world's member claims only at the other organisation.
    "payees_index": Row(in_admin(ADMIN_HOME, **roles([F, AD], 200))),
    "payees_member": Row(in_admin(ADMIN_HOME, finance=404, admin=200), note=PARTNERSHIP_WIDE),
    # Payment runs: finance (and admins) only. The world's run is the other organisation's,
    # open: our finance get a 404, an admin reaches it; marking paid is a form's target.
    "payment_runs:index": Row(in_admin(ADMIN_HOME, **roles([F, AD], 200))),
    "payment_runs:build": Row(in_admin(ADMIN_HOME, **roles([F, AD], 200))),
    "payment_runs:detail": Row(
        in_admin(ADMIN_HOME, finance=404, admin=200), path=_run_path("detail")
    ),
    "payment_runs:bank_file": Row(
        in_admin(ADMIN_HOME, finance=404, admin=200), path=_run_path("bank_file")
    ),
    "payment_runs:mark_paid": Row(
        in_admin(ADMIN_HOME, finance=404, admin=405),
        path=_run_path("mark_paid"),
        note="a form's target: POST only",
    ),
    "payment_runs:cancel": Row(
        in_admin(ADMIN_HOME, finance=404, admin=200), path=_run_path("cancel")
    ),
    # Feedback: leads (and admins) moderate their own organisation's feedback.
    "feedback:index": Row(LEADS),
    "feedback:index_results": Row(LEADS),
    "feedback:edit": Row(OTHERS_RECORD),
    "feedback:inspect": Row(OTHERS_RECORD),
    "feedback:history": Row(OTHERS_RECORD),
    "feedback:history_results": Row(OTHERS_RECORD),
    "feedback_trends:index": Row(LEADS),
    # Meetings: leads (and admins) run their own panels' meetings. The world's is past, so it
    # can no longer be cancelled or deleted (admins are sent to inspect it); papers are
    # removed by POST.
    "meetings:index": Row(LEADS),
    "meetings:index_results": Row(LEADS),
    "meetings:add": Row(LEADS),
    "meetings:edit": Row(LEADS_ON_OTHERS_RECORD),
    "meetings:delete": Row(in_admin(404, admin="inspect")),
    "meetings:history": Row(OTHERS_RECORD),
    "meetings:history_results": Row(OTHERS_RECORD),
    "meetings:usage": Row(OTHERS_RECORD),
    "meetings:inspect": Row(OTHERS_RECORD),
    "meetings:cancel": Row(in_admin(404, admin="inspect")),
    "meetings:papers": Row(OTHERS_RECORD),
    "meetings:paper_remove": Row(in_admin(404, admin=405), note="a form's target: POST only"),
    "meetings:replies": Row(OTHERS_RECORD),
    "meetings:access": Row(OTHERS_RECORD),
    "meetings:attendance": Row(OTHERS_RECORD),
    # Panels and applications: leads (and admins) work on the panels they run; applications
    # come only from members on the site, so nobody adds one here, nor deletes one.
    "panels:index": Row(LEADS),
    "panels:index_results": Row(LEADS),
    "panels:add": Row(LEADS),
    "panels:edit": Row(LEADS_ON_OTHERS_RECORD),
    "panels:delete": Row(OTHERS_RECORD),
    "panels:history": Row(OTHERS_RECORD),
    "panels:history_results": Row(OTHERS_RECORD),
    "panels:usage": Row(OTHERS_RECORD),
    "panels:inspect": Row(OTHERS_RECORD),
    "panels:make_up": Row(OTHERS_RECORD),
    "panel_applications:index": Row(LEADS),
    "panel_applications:index_results": Row(LEADS),
    "panel_applications:add": Row(NOBODY_IN_ADMIN),
    "panel_applications:edit": Row(OTHERS_RECORD),
    "panel_applications:delete": Row(in_admin(404, admin=ADMIN_HOME)),
    "panel_applications:history": Row(OTHERS_RECORD),
    "panel_applications:history_results": Row(OTHERS_RECORD),
    "panel_applications:usage": Row(OTHERS_RECORD),
    "panel_applications:inspect": Row(OTHERS_RECORD),
    # --- Peer work in the admin --------------------------------------------------------------
    # Recruitment: HR (and admins) run their own organisation's vacancies; nobody deletes one
    # (it is closed).
    "vacancies:index": Row(HR),
    "vacancies:index_results": Row(HR),
    "vacancies:add": Row(HR),
    "vacancies:edit": Row(HR_ON_OTHERS_RECORD),
    "vacancies:delete": Row(in_admin(404, admin=ADMIN_HOME)),
    "vacancies:history": Row(OTHERS_RECORD),
    "vacancies:history_results": Row(OTHERS_RECORD),
    "vacancies:usage": Row(OTHERS_RECORD),
    "vacancies:inspect": Row(OTHERS_RECORD),
    "vacancies:pipeline": Row(HR_ON_OTHERS_RECORD),
    "vacancies:publish": Row(HR_ON_OTHERS_RECORD),
    "vacancies:close": Row(HR_ON_OTHERS_RECORD),
    "vacancies:application": Row(HR_ON_OTHERS_RECORD),
    # Outcome figures partners collated for their offers: the editors and engagement leads
    # of the offer's provider (and admins); the world's figures are the other organisation's.
    "offer_outcome_figures:index": Row(PAGE_EDITORS),
    "offer_outcome_figures:index_results": Row(PAGE_EDITORS),
    "offer_outcome_figures:add": Row(PAGE_EDITORS),
    "offer_outcome_figures:edit": Row(OFFER_OUTCOMES_OTHERS),
    "offer_outcome_figures:delete": Row(OTHERS_RECORD),
    "offer_outcome_figures:history": Row(OTHERS_RECORD),
    "offer_outcome_figures:history_results": Row(OTHERS_RECORD),
    "offer_outcome_figures:usage": Row(OTHERS_RECORD),
    "offer_outcome_figures:inspect": Row(OTHERS_RECORD),
    "recruitment_report:index": Row(HR),
    "retention_report:index": Row(HR),
    # Worker records and teams: HR (and admins) of their organisation; nobody deletes a
    # worker or a team here (workers leave; records are kept).
    "peer_workers:index": Row(HR),
    "peer_workers:index_results": Row(HR),
    "peer_workers:add": Row(HR),
    "peer_workers:edit": Row(HR_ON_OTHERS_RECORD),
    "peer_workers:delete": Row(in_admin(404, admin=ADMIN_HOME)),
    "peer_workers:history": Row(OTHERS_RECORD),
    "peer_workers:history_results": Row(OTHERS_RECORD),
    "peer_workers:usage": Row(OTHERS_RECORD),
    "peer_workers:inspect": Row(OTHERS_RECORD),
    "peer_teams:index": Row(HR),
    "peer_teams:index_results": Row(HR),
    "peer_teams:add": Row(HR),
    "peer_teams:edit": Row(HR_ON_OTHERS_RECORD),
    "peer_teams:delete": Row(in_admin(404, admin=ADMIN_HOME)),
    "peer_teams:history": Row(OTHERS_RECORD),
    "peer_teams:history_results": Row(OTHERS_RECORD),
    "peer_teams:usage": Row(OTHERS_RECORD),
    "peer_activity:index": Row(HR),
    # --- Charter in the admin ----------------------------------------------------------------
    # HR and charter leads keep their own organisation's charter and all under it; readings
    # and evidence are added from a measure's or charter's own page, never the generic form.
    "charters:index": Row(HR),
    "charters:index_results": Row(HR),
    "charters:add": Row(HR),
    "charters:edit": Row(HR_ON_OTHERS_RECORD),
    "charters:delete": Row(OTHERS_RECORD),
    "charters:history": Row(OTHERS_RECORD),
    "charters:history_results": Row(OTHERS_RECORD),
    "charters:usage": Row(OTHERS_RECORD),
    "charters:inspect": Row(OTHERS_RECORD),
    "charter_commitments:index": Row(HR),
    "charter_commitments:index_results": Row(HR),
    "charter_commitments:add": Row(HR),
    "charter_commitments:edit": Row(HR_ON_OTHERS_RECORD),
    "charter_commitments:delete": Row(OTHERS_RECORD),
    "charter_commitments:history": Row(OTHERS_RECORD),
    "charter_commitments:history_results": Row(OTHERS_RECORD),
    "charter_commitments:usage": Row(OTHERS_RECORD),
    "charter_commitments:inspect": Row(OTHERS_RECORD),
    "charter_measures:index": Row(HR),
    "charter_measures:index_results": Row(HR),
    "charter_measures:add": Row(HR),
    "charter_measures:edit": Row(HR_ON_OTHERS_RECORD),
    "charter_measures:delete": Row(OTHERS_RECORD),
    "charter_measures:history": Row(OTHERS_RECORD),
    "charter_measures:history_results": Row(OTHERS_RECORD),
    "charter_measures:usage": Row(OTHERS_RECORD),
    "charter_measures:inspect": Row(OTHERS_RECORD),
    "charter_targets:index": Row(HR),
    "charter_targets:index_results": Row(HR),
    "charter_targets:add": Row(HR),
    "charter_targets:edit": Row(HR_ON_OTHERS_RECORD),
    "charter_targets:delete": Row(OTHERS_RECORD),
    "charter_targets:history": Row(OTHERS_RECORD),
    "charter_targets:history_results": Row(OTHERS_RECORD),
    "charter_targets:usage": Row(OTHERS_RECORD),
    "charter_readings:index": Row(HR),
    "charter_readings:index_results": Row(HR),
    "charter_readings:add": Row(NOBODY_IN_ADMIN),
    "charter_readings:edit": Row(HR_ON_OTHERS_RECORD),
    "charter_readings:delete": Row(OTHERS_RECORD),
    "charter_readings:history": Row(OTHERS_RECORD),
    "charter_readings:history_results": Row(OTHERS_RECORD),
    "charter_readings:usage": Row(OTHERS_RECORD),
    "charter_readings:inspect": Row(OTHERS_RECORD),
    "charter_actions:index": Row(HR),
    "charter_actions:index_results": Row(HR),
    "charter_actions:add": Row(HR),
    "charter_actions:edit": Row(HR_ON_OTHERS_RECORD),
    "charter_actions:delete": Row(OTHERS_RECORD),
    "charter_actions:history": Row(OTHERS_RECORD),
    "charter_actions:history_results": Row(OTHERS_RECORD),
    "charter_actions:usage": Row(OTHERS_RECORD),
    "charter_evidence:index": Row(HR),
    "charter_evidence:index_results": Row(HR),
    "charter_evidence:add": Row(NOBODY_IN_ADMIN),
    "charter_evidence:edit": Row(ADMINS),
    "charter_evidence:delete": Row(OTHERS_RECORD),
    "charter_evidence:history": Row(OTHERS_RECORD),
    "charter_evidence:history_results": Row(OTHERS_RECORD),
    "charter_evidence:usage": Row(OTHERS_RECORD),
    "charter_evidence:inspect": Row(OTHERS_RECORD),
    "charter_reviews:index": Row(HR),
    "charter_reviews:index_results": Row(HR),
    "charter_reviews:add": Row(HR),
    "charter_reviews:edit": Row(HR_ON_OTHERS_RECORD),
    "charter_reviews:delete": Row(OTHERS_RECORD),
    "charter_reviews:history": Row(OTHERS_RECORD),
    "charter_reviews:history_results": Row(OTHERS_RECORD),
    "charter_reviews:usage": Row(OTHERS_RECORD),
    # The partnership's outcomes: kept by HR who see the whole partnership, and admins; our
    # HR (one organisation) are refused with Wagtail's "no permission", like everyone else.
    "outcome_programmes:index": Row(ADMINS, note=PARTNERSHIP_OUTCOMES),
    "outcome_programmes:index_results": Row(ADMINS, note=PARTNERSHIP_OUTCOMES),
    "outcome_programmes:add": Row(ADMINS, note=PARTNERSHIP_OUTCOMES),
    "outcome_programmes:edit": Row(ADMINS, note=PARTNERSHIP_OUTCOMES),
    "outcome_programmes:delete": Row(OTHERS_RECORD, note=DRAFT_OUTCOMES),
    "outcome_programmes:history": Row(OTHERS_RECORD, note=DRAFT_OUTCOMES),
    "outcome_programmes:history_results": Row(OTHERS_RECORD, note=DRAFT_OUTCOMES),
    "outcome_programmes:usage": Row(OTHERS_RECORD, note=DRAFT_OUTCOMES),
    "outcome_programmes:inspect": Row(OTHERS_RECORD, note=DRAFT_OUTCOMES),
    "outcome_measures:index": Row(ADMINS, note=PARTNERSHIP_OUTCOMES),
    "outcome_measures:index_results": Row(ADMINS, note=PARTNERSHIP_OUTCOMES),
    "outcome_measures:add": Row(ADMINS, note=PARTNERSHIP_OUTCOMES),
    "outcome_measures:edit": Row(ADMINS, note=PARTNERSHIP_OUTCOMES),
    "outcome_measures:delete": Row(OTHERS_RECORD, note=DRAFT_OUTCOMES),
    "outcome_measures:history": Row(OTHERS_RECORD, note=DRAFT_OUTCOMES),
    "outcome_measures:history_results": Row(OTHERS_RECORD, note=DRAFT_OUTCOMES),
    "outcome_measures:usage": Row(OTHERS_RECORD, note=DRAFT_OUTCOMES),
    "outcome_measures:inspect": Row(OTHERS_RECORD, note=DRAFT_OUTCOMES),
    "outcome_comparisons:index": Row(ADMINS, note=PARTNERSHIP_OUTCOMES),
    "outcome_comparisons:index_results": Row(ADMINS, note=PARTNERSHIP_OUTCOMES),
    "outcome_comparisons:add": Row(ADMINS, note=PARTNERSHIP_OUTCOMES),
    "outcome_comparisons:edit": Row(ADMINS, note=PARTNERSHIP_OUTCOMES),
    "outcome_comparisons:delete": Row(OTHERS_RECORD, note=DRAFT_OUTCOMES),
    "outcome_comparisons:history": Row(OTHERS_RECORD, note=DRAFT_OUTCOMES),
    "outcome_comparisons:history_results": Row(OTHERS_RECORD, note=DRAFT_OUTCOMES),
    "outcome_comparisons:usage": Row(OTHERS_RECORD, note=DRAFT_OUTCOMES),
    "outcome_comparisons:inspect": Row(OTHERS_RECORD, note=DRAFT_OUTCOMES),
    "outcome_targets:index": Row(ADMINS, note=PARTNERSHIP_OUTCOMES),
    "outcome_targets:index_results": Row(ADMINS, note=PARTNERSHIP_OUTCOMES),
    "outcome_targets:add": Row(ADMINS, note=PARTNERSHIP_OUTCOMES),
    "outcome_targets:edit": Row(ADMINS, note=PARTNERSHIP_OUTCOMES),
    "outcome_targets:delete": Row(OTHERS_RECORD, note=DRAFT_OUTCOMES),
    "outcome_targets:history": Row(OTHERS_RECORD, note=DRAFT_OUTCOMES),
    "outcome_targets:history_results": Row(OTHERS_RECORD, note=DRAFT_OUTCOMES),
    "outcome_targets:usage": Row(OTHERS_RECORD, note=DRAFT_OUTCOMES),
    "outcome_targets:inspect": Row(OTHERS_RECORD, note=DRAFT_OUTCOMES),
    "wagtailusers_users:index": Row(ADMINS),
    "wagtailusers_users:index_results": Row(ADMINS),
    "wagtailusers_users:add": Row(ADMINS),
    "wagtailusers_users:edit": Row(ADMINS),
    "wagtailusers_users:delete": Row(ADMINS),
    "wagtailusers_users:history": Row(ADMINS),
    "wagtailusers_users:history_results": Row(ADMINS),
    "wagtailusers_users:usage": Row(ADMINS),
    "wagtailusers_users:copy": Row(ADMINS),
    # An administrator's two actions on how someone else signs in. The world's person is the
    # other organisation's lead, who has no authenticator yet: an admin asking to reset it is
    # sent back to their page, saying there is nothing to reset.
    "wagtailusers_users:send_invitation": Row(
        in_admin(ADMIN_HOME, admin=405), note="a form's target: POST only"
    ),
    "wagtailusers_users:reset_authenticator": Row(
        in_admin(ADMIN_HOME, admin="edit"), note="no authenticator to reset: back to their page"
    ),
}

# Wagtail's own admin URLs sit behind its access_admin check, our MFA rule for staff and our
# "this part is for staff" page; these representative ones are requested for every role.
ADMIN_SAMPLES = {
    "/admin/": ADMIN_SITE_ROLES,
    # Leads draft service changes under "You said, we did" (coproduce 0007), so the page
    # explorer opens there for them; they can add and edit pages nowhere else.
    "/admin/pages/": in_admin(
        ADMIN_HOME, engagement_lead="wagtailadmin_explore", editor=200, admin=200
    ),
    # Leads upload meeting papers into the private "Panel papers" collection.
    "/admin/documents/": PAGE_EDITORS,
    # ...but another organisation's papers and charter evidence keep their owner's scope
    # through Wagtail's own document views too.
    "the other organisation's panel paper, to edit": (
        lambda world: reverse("wagtaildocs:edit", args=[world.paper.document.pk]),
        in_admin(REFUSED, admin=200),
    ),
    "the other organisation's panel paper, to delete": (
        lambda world: reverse("wagtaildocs:delete", args=[world.paper.document.pk]),
        in_admin(REFUSED, admin=200),
    ),
    "the other organisation's charter evidence, to edit": (
        lambda world: reverse("wagtaildocs:edit", args=[world.evidence.document.pk]),
        in_admin(REFUSED, admin=200),
    ),
}


def reply_link(world: World) -> str:
    """The reply link the other organisation's member would get for its meeting."""
    from coproduce.services.meetings import meeting_reply_token

    token = meeting_reply_token(meeting_id=world.meeting.pk, member_id=world.member.pk)
    return f"/panels/meetings/reply/{token}/"


def row_for(key: str) -> Row | None:
    if key in ROWS:
        return ROWS[key]
    for pattern, row in ROWS.items():
        if "*" in pattern and fnmatch(key, pattern):
            return row
    return None


# The record each URL's id or slug names, when it is not the model of the admin viewset the
# URL belongs to. Values the paths carry besides ``pk`` and ``slug`` come from KWARG_RECORDS.
RECORD_FOR_URL = {
    "coproduce:meeting_detail": "meeting",
    "coproduce:meeting_message": "meeting",
    "coproduce:meeting_calendar": "meeting",
    "coproduce:meeting_paper": "meeting",
    "coproduce:meeting_reply": "meeting",
    "coproduce:meeting_reply_quick": "meeting",
    "coproduce:panel_detail": "panel",
    "coproduce:panel_apply": "panel",
    "coproduce:panel_application": "panel",
    "coproduce:panel_application_withdraw": "panel",
    "coproduce:claim_*": "claim",
    "coproduce:contact_task_*": "contact_task",
    "payees_member": "member",
    "peers:session_*": "session",
    "peers:concern_raise": "session",
    "peers:concern_detail": "concern",
    "peers:supervision_detail": "supervision",
    "peers:supervision_action_add": "supervision",
    "peers:supervision_action_mark": "supervision_action",
    "peers:job_application*": "job_application",
    "peers:vacancy_*": "vacancy",
    "peers:wellbeing_*": "wellbeing",
    "charter_dashboard": "charter",
    "charter_reading_enter": "measure",
    "charter_evidence_upload": "charter",
    "charter_evidence_download": "evidence",
    "charter_board_report": "charter",
    "outcomes:programme": "programme",
    "vacancies:application": "job_application",
    "data_retention_run": "retention_run",
}
KWARG_RECORDS = {
    "worker_id": lambda world: world.worker.pk,
    "offer_id": lambda world: world.offer.pk,
    "paper_id": lambda world: world.paper.pk,
    "expense_id": lambda world: world.expense.pk,
    "competence_id": lambda world: world.competence.pk,
    "item_id": lambda world: world.induction_item.pk,
    "job_id": lambda world: world.report_job.pk,
    "token": lambda world: world.profile.calendar_token,
    "organisation_slug": lambda world: world.other.slug,
    "service_id": lambda world: oruk_service_id(world.offer),
    "term_id": lambda world: oruk_need_id(world.need),
    "service_at_location_id": lambda world: _oruk_place(world.offer),
}


def _conversation(world):
    """The other organisation's member's message to finance about their claim (made here,
    inside the test's savepoint: the shared world has none)."""
    from coproduce.models import Conversation, ConversationMessage

    conversation, made = Conversation.objects.get_or_create(
        member=world.member,
        claim=world.claim,
        defaults={
            "to": Conversation.To.FINANCE,
            "organisation": world.other,
            "panel": world.panel,
            "subject": "When will I be paid?",
            "last_message_at": world.claim.approved_at,
        },
    )
    if made:
        ConversationMessage.objects.create(
            conversation=conversation, author=world.member, body="Has it been paid?"
        )
    return conversation


def _oruk_place(offer) -> str:
    """The ORUK id of the offer at a place of its own (made here, inside the test's
    savepoint: the shared world's offer has none)."""
    place, _ = Location.objects.get_or_create(
        offer=offer,
        name="Northdale Library",
        address="1 Market Street\nNorthdale",
        postcode="ND1 1AA",
    )
    sid = oruk_service_id(offer)
    return oruk_service_at_location_id(sid, oruk_location_id(place))


def _record_name(key: str) -> str | None:
    for pattern, name in RECORD_FOR_URL.items():
        if fnmatch(key, pattern):
            return name
    return None


def _path_for(route: Route, row: Row, world: World) -> str:
    """The path to request: the row's own, else the route filled in from the world."""
    if row.path:
        return row.path(world) if callable(row.path) else row.path
    values = {}
    for name in route.kwargs:
        if name in ("pk", "slug"):
            record_name = _record_name(route.key)
            record = getattr(world, record_name) if record_name else world.record_of(route.model)
            values[name] = getattr(record, name)
        else:
            values[name] = KWARG_RECORDS[name](world)
    return route.path(**values)


def _outcome(response) -> object:
    if response.status_code not in (301, 302):
        return response.status_code
    location = urlsplit(response["Location"]).path
    try:
        match = resolve(location)
    except Resolver404:
        return f"redirect to {location}"
    return {
        "account_login": LOGIN,
        "mfa_activate_totp": MFA,
        "my_space": MY_SPACE,
        "wagtailadmin_home": ADMIN_HOME,
        "wagtail_serve": HOME if location == "/" else f"redirect to {location}",
    }.get(match.url_name, match.url_name)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction that is rolled back at its end; each
    test runs in a savepoint within it, so nothing one test does is seen by the next."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = build_world()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


def _answers_for_every_role(world: World, path: str) -> dict:
    got = {}
    for role in ROLE_NAMES:
        client = Client()
        if world.people[role] is not None:
            sign_in(client, world.people[role])
        got[role] = _outcome(client.get(path))
    return got


def _matches(got, expected) -> bool:
    if isinstance(expected, frozenset):
        return got in expected
    return got == expected


def _differences(expect: dict, got: dict) -> list[str]:
    return [
        f"  {role}: got {got[role]!r}, the matrix says {_shown(expect[role])}"
        for role in ROLE_NAMES
        if not _matches(got[role], expect[role])
    ]


def _shown(expected) -> str:
    return "a refusal" if expected is REFUSED else repr(expected)


def test_every_url_has_a_row():
    """Every URL of the site, and every admin URL the project adds, states its rules here;
    an unnamed URL is named by its pattern. Wagtail's own admin URLs share the prefix row."""
    missing = []
    for route in all_routes():
        if route.is_admin and not route.is_ours:
            continue  # Wagtail's own admin URLs: the prefix row and ADMIN_SAMPLES
        if row_for(route.key) is None:
            missing.append(f"{route.key} ({route.full_pattern}, {route.view})")
    assert not missing, "URLs with no row in the access matrix:\n" + "\n".join(missing)


def test_the_walk_tells_the_projects_admin_urls_from_wagtails_own():
    """Our viewsets' add views are Wagtail's own classes, yet they are ours to state."""
    ours = {key for key, route in ROUTES.items() if route.is_admin and route.is_ours}
    assert {"panels:add", "organisations:edit", "charter_dashboard", "claims:pay"} <= ours
    assert not {"wagtailadmin_home", "wagtaildocs:edit", "wagtailusers_groups:index"} & ours


def test_the_matrix_names_no_url_that_does_not_exist():
    keys = {route.key for route in all_routes()}
    stale = [key for key in ROWS if "*" not in key and key not in keys]
    assert not stale, f"Rows for URLs that no longer exist: {stale}"


ROUTES = {route.key: route for route in all_routes()}


def _routes_to_request():
    for key, row in ROWS.items():
        if row.requested and "*" not in key:
            yield pytest.param(key, id=key)


@pytest.mark.django_db
@pytest.mark.parametrize("key", list(_routes_to_request()))
def test_access(key, world):
    """Each role asks for the URL, filled in with the other organisation's record."""
    path = _path_for(ROUTES[key], ROWS[key], world)
    wrong = _differences(ROWS[key].expect, _answers_for_every_role(world, path))
    assert not wrong, f"{key} ({path}):\n" + "\n".join(wrong)


@pytest.mark.django_db
@pytest.mark.parametrize("sample", list(ADMIN_SAMPLES))
def test_wagtail_admin_access(sample, world):
    """Wagtail's own admin pages; a sample that is not a path names a record of the world's."""
    expect = ADMIN_SAMPLES[sample]
    path = sample
    if isinstance(expect, tuple):
        make_path, expect = expect
        path = make_path(world)
    wrong = _differences(expect, _answers_for_every_role(world, path))
    assert not wrong, f"{sample} ({path}):\n" + "\n".join(wrong)


@pytest.mark.django_db
@pytest.mark.parametrize("role", STAFF)
def test_staff_without_mfa_are_sent_to_set_it_up_from_every_non_public_row(role, client_as):
    client = client_as(role, mfa=False)
    for path in ["/my-space/", "/admin/", "/admin/pages/"]:
        assert _outcome(client.get(path)) == MFA, path
