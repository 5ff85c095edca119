"""The access matrix: for every URL the site resolves and every role, the expected answer.

The table below is the single statement of who may reach what. ``test_every_url_has_a_row``
walks Django's URL resolver, so a URL added without a row fails the build: every feature
must state its access rules here. Wagtail's admin URLs are covered by one prefix row (all
of them sit behind Wagtail's own ``access_admin`` check and our MFA rule), and a set of
representative admin pages is requested for every role.

Answers: 200; LOGIN (redirect to log-in); MFA (redirect to MFA set-up); 403; 404;
MY_SPACE (a signed-in person sent on to My space); ADMIN_HOME (Wagtail's "no permission"
redirect to the admin dashboard); REAUTH (allauth asks for the password again before a
sensitive account change); or the URL name another redirect goes to.
"""

from dataclasses import dataclass, field
from fnmatch import fnmatch
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve

from cms.oruk import taxonomy_id as oruk_taxonomy_id
from tests.conftest import ROLE_NAMES
from tests.urlwalk import all_routes

LOGIN = "login"
MFA = "mfa"
MY_SPACE = "my_space"
ADMIN_HOME = "admin_home"
HOME = "home"
REAUTH = "account_reauthenticate"

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
    path: str | None = None  # a concrete path; default: the resolver's sample path
    note: str = ""
    requested: bool = True  # False only for shadowed or POST-only routes, with a note
    extra: dict = field(default_factory=dict)


PUBLIC = answers(200)
# An unverified account is signed out on its first request and carries on as a visitor.
PUBLIC_SIGNED_OUT_ONLY = answers(200, **roles(VERIFIED, MY_SPACE))
SIGNED_IN_ONLY = answers(200, anonymous=LOGIN, unverified=LOGIN)
# Co-production's member pages: members only, everyone else signed in is told why (403).
MEMBERS_ONLY = answers(403, anonymous=LOGIN, unverified=LOGIN, member=200)
MEMBER_ON_NO_PANEL = answers(403, anonymous=LOGIN, unverified=LOGIN, member=404)

ROWS: dict[str, Row] = {
    # --- Public site ---------------------------------------------------------------------
    "wagtail_serve": Row(PUBLIC, path="/", note="public pages: the home page"),
    "search": Row(PUBLIC, path="/search/?q=partnership"),
    "crisis_help": Row(PUBLIC),
    # Background reports: only the person who asked (a missing or someone else's is a 404).
    "report_status": Row(answers(404, anonymous=LOGIN, unverified=LOGIN)),
    "report_status_json": Row(answers(404, anonymous=LOGIN, unverified=LOGIN)),
    "report_download": Row(answers(404, anonymous=LOGIN, unverified=LOGIN)),
    "robots_txt": Row(PUBLIC),
    "sitemap": Row(PUBLIC),
    # --- Open Referral UK open data: public, read-only, any origin ------------------------
    "oruk_root": Row(PUBLIC),
    "oruk_services": Row(PUBLIC),
    "oruk_service": Row(answers(404), note="no service with the sample id: a JSON 404"),
    "oruk_taxonomies": Row(PUBLIC),
    "oruk_taxonomy": Row(PUBLIC, path="/api/oruk/taxonomies/" + str(oruk_taxonomy_id())),
    "oruk_taxonomy_terms": Row(PUBLIC),
    "oruk_taxonomy_term": Row(answers(404), note="no need with the sample id: a JSON 404"),
    "wagtailcore_authenticate_with_password": Row(
        answers(404), note="no such private page: nothing revealed"
    ),
    "wagtaildocs_serve": Row(answers(404), path="/documents/999/none.pdf"),
    "wagtaildocs_authenticate_with_password": Row(
        answers(404),
        path="/documents/authenticate_with_password/999999/",
        note="no such restriction (ours, on panel papers, is by group, not password)",
    ),
    # --- My space --------------------------------------------------------------------------
    "my_space": Row(answers(200, anonymous=LOGIN, unverified=LOGIN, **roles(STAFF, 200))),
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
    "wagtailadmin_login_redirect": Row(answers(LOGIN), note="allauth's login then routes on"),
    "wagtailadmin_password_reset_redirect": Row(answers("account_reset_password")),
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
    "coproduce:involvement_applications": Row(MEMBERS_ONLY),
    "coproduce:involvement_download": Row(MEMBERS_ONLY),
    # Recruiting panels are public; drafts are 404 except to their leads (no sample panel).
    "coproduce:panel_list": Row(PUBLIC),
    "coproduce:panel_detail": Row(answers(404), note="no panel with the sample slug"),
    "coproduce:panel_apply": Row(MEMBER_ON_NO_PANEL, note="no panel with the sample slug"),
    "coproduce:panel_application": Row(MEMBER_ON_NO_PANEL, note="no panel with the sample slug"),
    "coproduce:panel_application_withdraw": Row(
        MEMBER_ON_NO_PANEL, note="no panel with the sample slug"
    ),
    # --- Co-production: meetings -------------------------------------------------------------
    # Everyone signed in has a meetings page listing the meetings visible_to them (their
    # panels' meetings; a lead's panels' meetings). A meeting, its calendar file and papers
    # are found only among those, so a guessed id is a 404 (tests/coproduce/test_meetings.py
    # covers who sees which meeting). The calendar feed is for calendar apps, which cannot
    # sign in: its secret address is the key, and a wrong one is a 404 for everybody.
    "coproduce:meeting_list": Row(SIGNED_IN_ONLY),
    "coproduce:meeting_detail": Row(
        answers(404, anonymous=LOGIN, unverified=LOGIN), note="no meeting with the sample id"
    ),
    "coproduce:meeting_calendar": Row(
        answers(404, anonymous=LOGIN, unverified=LOGIN), note="no meeting with the sample id"
    ),
    "coproduce:meeting_paper": Row(
        answers(404, anonymous=LOGIN, unverified=LOGIN), note="no paper with the sample id"
    ),
    "coproduce:calendar_address_reset": Row(
        answers(405, anonymous=LOGIN, unverified=LOGIN), note="a form's target: POST only"
    ),
    "coproduce:calendar_feed": Row(answers(404), note="no profile with the sample address"),
    # --- Co-production: claims ---------------------------------------------------------------
    # Everyone signed in has a "Your claims" page (staff may take part as members too); a
    # claim, its receipts and remittance are found only among the claims visible_to the
    # person, so a guessed id is a 404 (tests/coproduce/test_claims_views.py covers who
    # sees which claim).
    "coproduce:claim_list": Row(SIGNED_IN_ONLY),
    "coproduce:claim_detail": Row(
        answers(404, anonymous=LOGIN, unverified=LOGIN), note="no claim with the sample id"
    ),
    "coproduce:claim_expense_add": Row(
        answers(404, anonymous=LOGIN, unverified=LOGIN), note="no claim with the sample id"
    ),
    "coproduce:claim_expense_remove": Row(
        answers(404, anonymous=LOGIN, unverified=LOGIN), note="no claim with the sample id"
    ),
    "coproduce:claim_receipt": Row(
        answers(404, anonymous=LOGIN, unverified=LOGIN), note="no claim with the sample id"
    ),
    "coproduce:claim_submit": Row(
        answers(404, anonymous=LOGIN, unverified=LOGIN), note="no claim with the sample id"
    ),
    "coproduce:claim_remittance": Row(
        answers(404, anonymous=LOGIN, unverified=LOGIN), note="no claim with the sample id"
    ),
    # --- Co-production: feedback -------------------------------------------------------------
    # Anyone, with or without an account, gives feedback on a listed offer and reads its
    # published comments (a missing or unlisted offer is a 404). Everyone signed in has a
    # "Your feedback" page listing only their own (tests/coproduce/test_feedback.py).
    "coproduce:feedback_give": Row(answers(404), note="no offer with the sample id"),
    "coproduce:feedback_thanks": Row(answers(404), note="no offer with the sample id"),
    "coproduce:feedback_on_offer": Row(answers(404), note="no offer with the sample id"),
    "coproduce:feedback_mine": Row(SIGNED_IN_ONLY),
    # --- Peer work: vacancies and applications ---------------------------------------------
    # Open peer roles are public; drafts are a 404 except to HR of their organisation (no
    # sample vacancy). Anyone with a verified account may apply; a person's applications are
    # found only among their own, so a guessed id is a 404 for everybody, HR included
    # (tests/peers/test_vacancies.py). HR works on applications in the admin.
    "peers:vacancy_list": Row(PUBLIC),
    "peers:vacancy_detail": Row(answers(404), note="no vacancy with the sample slug"),
    "peers:vacancy_apply": Row(
        answers(404, anonymous=LOGIN, unverified=LOGIN), note="no vacancy with the sample slug"
    ),
    "peers:job_application_list": Row(SIGNED_IN_ONLY),
    "peers:job_application": Row(
        answers(404, anonymous=LOGIN, unverified=LOGIN), note="no application with the sample id"
    ),
    "peers:job_application_equality": Row(
        answers(404, anonymous=LOGIN, unverified=LOGIN), note="no application with the sample id"
    ),
    "peers:job_application_withdraw": Row(
        answers(404, anonymous=LOGIN, unverified=LOGIN), note="no application with the sample id"
    ),
    # --- Charter: the public progress pages (published charters only) ------------------------
    "charter:index": Row(PUBLIC),
    "charter:progress": Row(answers(404), note="no published charter for the sample slug"),
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
    "peers:worker_summary": Row(
        answers(404, anonymous=LOGIN, unverified=LOGIN), note="no worker with the sample id"
    ),
    "peers:worker_sessions_export": Row(
        answers(404, anonymous=LOGIN, unverified=LOGIN), note="no worker with the sample id"
    ),
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
    "peers:session_detail": Row(
        answers(404, anonymous=LOGIN, unverified=LOGIN), note="no session with the sample id"
    ),
    "peers:session_edit": Row(
        answers(404, anonymous=LOGIN, unverified=LOGIN), note="no session with the sample id"
    ),
    "peers:session_delete": Row(
        answers(404, anonymous=LOGIN, unverified=LOGIN), note="no session with the sample id"
    ),
    "peers:concern_raise": Row(
        answers(404, anonymous=LOGIN, unverified=LOGIN), note="no session with the sample id"
    ),
    "peers:concern_list": Row(answers(403, anonymous=LOGIN, unverified=LOGIN, supervisor=200)),
    "peers:concern_detail": Row(
        answers(404, anonymous=LOGIN, unverified=LOGIN), note="no concern with the sample id"
    ),
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
        answers(404, anonymous=LOGIN, unverified=LOGIN), note="no worker with the sample id"
    ),
    "peers:supervision_record": Row(
        answers(404, anonymous=LOGIN, unverified=LOGIN), note="no worker with the sample id"
    ),
    "peers:supervision_detail": Row(
        answers(404, anonymous=LOGIN, unverified=LOGIN), note="no supervision with the sample id"
    ),
    "peers:supervision_action_add": Row(
        answers(404, anonymous=LOGIN, unverified=LOGIN), note="no supervision with the sample id"
    ),
    "peers:supervision_action_mark": Row(
        answers(405, anonymous=LOGIN, unverified=LOGIN), note="a form's target: POST only"
    ),
    "peers:wellbeing_history": Row(answers(403, anonymous=LOGIN, unverified=LOGIN)),
    "peers:wellbeing_check_in": Row(answers(403, anonymous=LOGIN, unverified=LOGIN)),
    "peers:wellbeing_result": Row(
        answers(404, anonymous=LOGIN, unverified=LOGIN), note="no check-in with the sample id"
    ),
    "peers:wellbeing_share": Row(
        answers(405, anonymous=LOGIN, unverified=LOGIN), note="a form's target: POST only"
    ),
    "peers:wellbeing_delete": Row(
        answers(404, anonymous=LOGIN, unverified=LOGIN), note="no check-in with the sample id"
    ),
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
    "peers:pathway_worker": Row(
        answers(404, anonymous=LOGIN, unverified=LOGIN), note="no worker with the sample id"
    ),
    "peers:pathway_sign_off": Row(
        answers(404, anonymous=LOGIN, unverified=LOGIN), note="no worker with the sample id"
    ),
    "peers:pathway_review": Row(
        answers(404, anonymous=LOGIN, unverified=LOGIN), note="no worker with the sample id"
    ),
    "peers:induction": Row(
        answers(403, anonymous=LOGIN, unverified=LOGIN, **roles([S, H, AD], "pathway_workers"))
    ),
    "peers:induction_worker": Row(
        answers(404, anonymous=LOGIN, unverified=LOGIN), note="no worker with the sample id"
    ),
    "peers:induction_start": Row(
        answers(405, anonymous=LOGIN, unverified=LOGIN), note="a form's target: POST only"
    ),
    "peers:induction_mark": Row(
        answers(405, anonymous=LOGIN, unverified=LOGIN), note="a form's target: POST only"
    ),
}

# Every Wagtail admin URL: Wagtail's access_admin check, then our MFA rule for staff.
ADMIN_AREA = answers(LOGIN, **roles(ADMIN_SITE, 200), supervisor=LOGIN)
ADMIN_PREFIX_NOTE = "all Wagtail admin URLs: access_admin (admin-site roles) and MFA"

# Representative admin pages requested for every role.
ADMIN_SAMPLES = {
    # Peer work: recruitment. HR (and admins) run their organisation's vacancies and see
    # the recruitment and retention reports; nobody deletes a vacancy (it is closed).
    "/admin/vacancies/": answers(LOGIN, **roles([E, F, ED], ADMIN_HOME), **roles([H, AD], 200)),
    "/admin/vacancies/new/": answers(LOGIN, **roles([E, F, ED], ADMIN_HOME), **roles([H, AD], 200)),
    "/admin/vacancies/pipeline/999999/": answers(
        LOGIN, **roles([E, F, ED], ADMIN_HOME), **roles([H, AD], 404)
    ),
    "/admin/vacancies/applications/999999/": answers(
        LOGIN, **roles([E, F, ED], ADMIN_HOME), **roles([H, AD], 404)
    ),
    "/admin/recruitment-report/": answers(
        LOGIN, **roles([E, F, ED], ADMIN_HOME), **roles([H, AD], 200)
    ),
    "/admin/retention-report/": answers(
        LOGIN, **roles([E, F, ED], ADMIN_HOME), **roles([H, AD], 200)
    ),
    "/admin/": ADMIN_AREA,
    # Leads draft service changes under "You said, we did" (coproduce 0007), so the page
    # explorer opens there for them; they can add and edit pages nowhere else.
    "/admin/pages/": answers(
        LOGIN,
        **roles([H, F], ADMIN_HOME),
        engagement_lead="wagtailadmin_explore",
        editor=200,
        admin=200,
    ),
    "/admin/organisations/": answers(LOGIN, **roles([E, H, F, ED], ADMIN_HOME), admin=200),
    "/admin/users/": answers(LOGIN, **roles([E, H, F, ED], ADMIN_HOME), admin=200),
    # Site history holds every organisation's claim history and who viewed what: admins only.
    "/admin/reports/site-history/": answers(LOGIN, **roles([E, H, F, ED], ADMIN_HOME), admin=200),
    "/admin/reports/site-history/results/": answers(
        LOGIN, **roles([E, H, F, ED], ADMIN_HOME), admin=200
    ),
    # Leads upload meeting papers into the private "Panel papers" collection.
    "/admin/documents/": answers(
        LOGIN, **roles([H, F], ADMIN_HOME), engagement_lead=200, editor=200, admin=200
    ),
    # Importing offers from an Open Referral UK file: editors and admins (cms.import_offers).
    "/admin/offers/import-oruk/": answers(
        LOGIN, **roles([E, H, F], ADMIN_HOME), editor=200, admin=200
    ),
    # Co-production: panels and applications. Leads (and admins) work on the panels they
    # run; applications come only from members on the site, so nobody adds one here.
    "/admin/panels/": answers(LOGIN, **roles([H, F, ED], ADMIN_HOME), **roles([E, AD], 200)),
    "/admin/panels/new/": answers(LOGIN, **roles([H, F, ED], ADMIN_HOME), **roles([E, AD], 200)),
    "/admin/panel-applications/": answers(
        LOGIN, **roles([H, F, ED], ADMIN_HOME), **roles([E, AD], 200)
    ),
    "/admin/panel-applications/new/": answers(LOGIN, **roles(ADMIN_SITE, ADMIN_HOME)),
    # Co-production: meetings. Leads (and admins) schedule and run their panels' meetings;
    # members use the front-end pages; other staff have no meetings to run.
    "/admin/meetings/": answers(LOGIN, **roles([H, F, ED], ADMIN_HOME), **roles([E, AD], 200)),
    "/admin/meetings/new/": answers(LOGIN, **roles([H, F, ED], ADMIN_HOME), **roles([E, AD], 200)),
    # Co-production: claims. Leads see their panels' claims, finance approved and paid ones;
    # only finance (and admins) mark claims paid; nobody adds or edits a claim here.
    "/admin/claims/": answers(LOGIN, **roles([H, ED], ADMIN_HOME), **roles([E, F, AD], 200)),
    "/admin/claims/pay/": answers(LOGIN, **roles([E, H, ED], ADMIN_HOME), **roles([F, AD], 200)),
    "/admin/claims/new/": answers(
        "wagtailadmin_login_redirect", **roles(ADMIN_SITE, 404)
    ),  # no add view: Wagtail's admin 404 (sign-in first for those outside the admin)
    # Co-production: feedback. Leads (and admins) moderate their organisation's feedback and
    # see its trends; nobody adds feedback here (it comes from the site). Editors keep the
    # themes; leads may look at them.
    "/admin/feedback/": answers(LOGIN, **roles([H, F, ED], ADMIN_HOME), **roles([E, AD], 200)),
    "/admin/feedback/new/": answers("wagtailadmin_login_redirect", **roles(ADMIN_SITE, 404)),
    "/admin/feedback-trends/": answers(
        LOGIN, **roles([H, F, ED], ADMIN_HOME), **roles([E, AD], 200)
    ),
    "/admin/snippets/coproduce/theme/": answers(
        LOGIN, **roles([H, F], ADMIN_HOME), **roles([E, ED, AD], 200)
    ),
    # Co-production: the panel impact report. Leads ask for it on their own organisation's
    # panels (admins on any); the PDF is then on the requester's own /reports/<id>/ page.
    # Peer work: HR (and admins) keep worker records and teams and see activity numbers.
    "/admin/peer-workers/": answers(LOGIN, **roles([E, F, ED], ADMIN_HOME), **roles([H, AD], 200)),
    "/admin/peer-workers/new/": answers(
        LOGIN, **roles([E, F, ED], ADMIN_HOME), **roles([H, AD], 200)
    ),
    "/admin/peer-teams/": answers(LOGIN, **roles([E, F, ED], ADMIN_HOME), **roles([H, AD], 200)),
    "/admin/peer-activity/": answers(LOGIN, **roles([E, F, ED], ADMIN_HOME), **roles([H, AD], 200)),
    "/admin/reports/panel-impact/": answers(
        LOGIN, **roles([H, F, ED], ADMIN_HOME), **roles([E, AD], 200)
    ),
    # Charter: HR and charter leads keep their own organisation's charter (admins every one).
    "/admin/charters/": answers(LOGIN, **roles([E, F, ED], ADMIN_HOME), **roles([H, AD], 200)),
    "/admin/charter-measures/": answers(
        LOGIN, **roles([E, F, ED], ADMIN_HOME), **roles([H, AD], 200)
    ),
    "/admin/charter/new-from-template/": answers(
        LOGIN, **roles([E, F, ED], ADMIN_HOME), **roles([H, AD], 200)
    ),
    # Readings are entered on a measure's own page, never through the generic add form.
    "/admin/charter-readings/new/": answers(LOGIN, **roles(ADMIN_SITE, ADMIN_HOME)),
}


def row_for(name: str) -> Row | None:
    if name in ROWS:
        return ROWS[name]
    for key, row in ROWS.items():
        if "*" in key and fnmatch(name, key):
            return row
    return None


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


def test_every_url_has_a_row():
    missing = []
    for route in all_routes():
        if not route.name:
            continue  # unnamed patterns (static media in DEBUG) are not views of ours
        if route.sample_path.startswith("/admin/") and row_for(route.name) is None:
            continue  # covered by the admin prefix row
        if row_for(route.name) is None:
            missing.append(f"{route.name} ({route.pattern})")
    assert not missing, "URLs with no row in the access matrix:\n" + "\n".join(missing)


def test_the_matrix_names_no_url_that_does_not_exist():
    names = {route.name for route in all_routes()}
    stale = [key for key in ROWS if "*" not in key and key not in names]
    assert not stale, f"Rows for URLs that no longer exist: {stale}"


def _cases():
    for name, row in ROWS.items():
        if row.requested:
            for role in ROLE_NAMES:
                yield pytest.param(name, role, id=f"{name}-{role}")


def _path_for(name: str, row: Row) -> str:
    if row.path:
        return row.path
    for route in all_routes():
        if route.name == name:
            return route.sample_path
    raise AssertionError(f"No path for {name}")


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "role"), list(_cases()))
def test_access(name, role, client_as):
    row = ROWS[name]
    client = client_as(role)
    response = client.get(_path_for(name, row))
    assert _outcome(response) == row.expect[role], (
        f"{name} as {role}: got {_outcome(response)}, the matrix says {row.expect[role]}"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("path", list(ADMIN_SAMPLES))
@pytest.mark.parametrize("role", ROLE_NAMES)
def test_admin_access(path, role, client_as):
    client = client_as(role)
    response = client.get(path)
    assert _outcome(response) == ADMIN_SAMPLES[path][role], (
        f"{path} as {role}: got {_outcome(response)}, the matrix says {ADMIN_SAMPLES[path][role]}"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", STAFF)
def test_staff_without_mfa_are_sent_to_set_it_up_from_every_non_public_row(role, client_as):
    client = client_as(role, mfa=False)
    for path in ["/my-space/", "/admin/", "/admin/pages/"]:
        assert _outcome(client.get(path)) == MFA, path
