"""Outbound mail in the Wagtail admin and the dashboard's email warning: admins see every
stored email's subject, recipients, status, attempts, next try and last error, never its
body, and send again one that has not got through; nobody else gets in."""

import re
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.core.mail import EmailMultiAlternatives, send_mail
from django.test import Client
from django.utils import timezone
from wagtail.models import ModelLogEntry

from cms import mail as cms_mail
from cms.audit import CHANGE
from cms.dates import date_in_words
from cms.models import OutboundEmail
from tests.conftest import sign_in
from tests.queries import queries_for

pytestmark = pytest.mark.django_db

FAILING_BACKEND = "tests.cms.failing_mail.FailingEmailBackend"
LIST = "/admin/outbound-mail/"
Status = OutboundEmail.Status


def page_text(response) -> str:
    return " ".join(BeautifulSoup(response.content, "html.parser").get_text(" ").split())


def inspect_url(outbound) -> str:
    return f"/admin/outbound-mail/inspect/{outbound.pk}/"


def send_again_url(outbound) -> str:
    return f"/admin/outbound-mail/send-again/{outbound.pk}/"


def stored(subject, *, to="sam@example.org", body="Body", **fields) -> OutboundEmail:
    """An email as the queue keeps it, in the state ``fields`` give."""
    message = EmailMultiAlternatives(subject, body, "noreply@example.org", [to])
    return OutboundEmail.objects.create(message=cms_mail.serialise_message(message), **fields)


def given_up(subject, **fields) -> OutboundEmail:
    defaults = {
        "status": Status.FAILED,
        "attempts": cms_mail.MAX_ATTEMPTS,
        "last_error": "ConnectionRefusedError: The mail server is down",
    }
    return stored(subject, **{**defaults, **fields})


@pytest.fixture
def as_admin(client, make_person):
    admin = make_person("admin")
    sign_in(client, admin)
    client.person = admin
    return client


# --- The list --------------------------------------------------------------------------------


def test_admins_see_every_email_newest_first_with_its_status_attempts_and_next_try(
    as_admin, settings
):
    send_mail("Your panel meeting", "See you on Tuesday.", None, ["robin@example.org"])
    settings.EMAIL_DELIVERY_BACKEND = FAILING_BACKEND
    send_mail("Reset your password", "A link", None, ["sam@example.org"])
    waiting = OutboundEmail.objects.get(status=Status.PENDING)

    response = as_admin.get(LIST)
    assert response.status_code == 200
    rows = BeautifulSoup(response.content, "html.parser").select("tbody tr")
    assert len(rows) == 2
    newest, oldest = (" ".join(row.get_text(" ").split()) for row in rows)
    assert "Reset your password" in newest and "sam@example.org" in newest
    assert "Waiting to send" in newest
    assert "ConnectionRefusedError: The mail server is down" in newest
    assert date_in_words(waiting.next_attempt_at) in newest
    assert "Your panel meeting" in oldest and "robin@example.org" in oldest
    assert "Sent" in oldest
    headings = [th.get_text(" ", strip=True) for th in rows[0].find_parent("table").select("th")]
    for heading in ("Subject", "Recipients", "Status", "Attempts", "Next try", "Last error"):
        assert any(heading in text for text in headings), heading


def test_a_long_error_is_shortened_in_the_list_and_whole_on_the_emails_page(as_admin):
    error = "SMTPRecipientsRefused: " + "the server said no; " * 20 + "THE END"
    outbound = given_up("Long error", last_error=error)
    listing = page_text(as_admin.get(LIST))
    assert "SMTPRecipientsRefused: the server said no" in listing
    assert "THE END" not in listing
    page = page_text(as_admin.get(inspect_url(outbound)))
    assert "THE END" in page
    assert "Could not be delivered" in page
    assert "sam@example.org" in page


def test_the_list_filters_by_status_and_shows_everything_by_default(as_admin):
    given_up("Given up on")
    stored("Failed once", status=Status.PENDING, attempts=1, last_error="Refused")
    stored("Not tried yet", status=Status.PENDING)
    stored("Delivered", status=Status.SENT, attempts=1)

    def subjects(query=""):
        rows = BeautifulSoup(as_admin.get(LIST + query).content, "html.parser")
        return sorted(
            a.get_text(strip=True) for a in rows.select("tbody td.title .title-wrapper a")
        )

    assert subjects() == ["Delivered", "Failed once", "Given up on", "Not tried yet"]
    assert subjects("?status=failed") == ["Given up on"]
    assert subjects("?status=retrying") == ["Failed once"]
    assert subjects("?status=sent") == ["Delivered"]
    assert subjects("?q=sam@example") == [
        "Delivered",
        "Failed once",
        "Given up on",
        "Not tried yet",
    ]
    assert subjects("?q=nobody@example") == []


def test_the_list_costs_the_same_queries_with_3_or_30_emails(as_admin):
    def add(count):
        for number in range(count):
            status = [Status.SENT, Status.FAILED, Status.PENDING][number % 3]
            stored(f"Email {number}", status=status, attempts=number % 3, last_error="x" * 200)

    add(3)
    queries_for(as_admin, LIST)
    few = queries_for(as_admin, LIST)
    add(27)
    assert queries_for(as_admin, LIST) == few


# --- Never the body ----------------------------------------------------------------------------


def test_a_password_reset_link_never_appears_anywhere_in_outbound_mail(
    client, as_admin, settings, make_person
):
    member = make_person("member", email="robin@example.org")
    settings.EMAIL_DELIVERY_BACKEND = FAILING_BACKEND
    Client().post("/accounts/password/reset/", {"email": member.email})
    outbound = OutboundEmail.objects.get()
    links = re.findall(r"https?://\S+", outbound.message["body"])
    assert links, "the reset email carries its one-time link"
    secrets = [*links, *(link.rstrip("/").rsplit("/", 1)[-1] for link in links)]
    sentences = [line.strip() for line in outbound.message["body"].splitlines()]
    sentences = [line for line in sentences if len(line) > 30 and "@" not in line]
    assert sentences

    pages = [
        LIST,
        LIST + "?status=retrying",
        LIST + "?q=robin",
        LIST + "results/",
        inspect_url(outbound),
        send_again_url(outbound),
    ]
    for path in pages:
        response = as_admin.get(path)
        assert response.status_code == 200, path
        content = response.content.decode()
        assert "robin@example.org" in content, path
        for secret in secrets:
            assert secret not in content, (path, secret)
        text = page_text(response)
        for line in sentences:
            assert line not in text, (path, line)


def test_the_body_of_an_email_with_html_and_attachments_is_not_shown(as_admin):
    message = EmailMultiAlternatives(
        "Remittance", "Plain SECRET-BODY", "finance@example.org", ["sam@example.org"]
    )
    message.attach_alternative("<p>HTML SECRET-HTML</p>", "text/html")
    message.attach("remittance.pdf", b"%PDF-1.4 SECRET-PDF", "application/pdf")
    outbound = OutboundEmail.objects.create(
        message=cms_mail.serialise_message(message), status=Status.FAILED, attempts=13
    )
    for path in (LIST, inspect_url(outbound), send_again_url(outbound)):
        content = as_admin.get(path).content.decode()
        assert "Remittance" in content
        for secret in ("SECRET-BODY", "SECRET-HTML", "SECRET-PDF", "JVBERi0xLjQg"):
            assert secret not in content, (path, secret)


# --- Sending again ---------------------------------------------------------------------------


def test_an_admin_sends_again_from_the_emails_page_and_it_is_audited(as_admin):
    outbound = given_up("Your meeting has moved", to="robin@example.org")
    admin_client = Client(enforce_csrf_checks=True)
    sign_in(admin_client, as_admin.person)

    page = admin_client.get(inspect_url(outbound))
    form = BeautifulSoup(page.content, "html.parser").select_one(
        f"form[action='{send_again_url(outbound)}']"
    )
    assert form is not None and form["method"] == "post"
    assert form.select_one("button").get_text(strip=True) == "Send again"
    data = {field["name"]: field["value"] for field in form.select("input[type=hidden]")}
    assert "csrfmiddlewaretoken" in data

    response = admin_client.post(send_again_url(outbound), data, follow=True)
    assert response.redirect_chain[-1][0] == inspect_url(outbound)
    text = page_text(response)
    assert "“Your meeting has moved” is being sent again to robin@example.org" in text
    outbound.refresh_from_db()
    assert (outbound.status, outbound.attempts) == (Status.SENT, 1)
    assert [(m.subject, m.to) for m in mail.outbox] == [
        ("Your meeting has moved", ["robin@example.org"])
    ]
    entry = ModelLogEntry.objects.for_instance(outbound).get(action=CHANGE)
    assert entry.user == as_admin.person
    assert "sent again" in entry.data["reason"]


def test_sending_again_shows_in_site_history_with_a_link_to_the_email(as_admin):
    outbound = given_up("Your claim was approved")
    as_admin.post(send_again_url(outbound), {"next": "index"})
    history = BeautifulSoup(as_admin.get("/admin/reports/site-history/").content, "html.parser")
    links = [a for a in history.select("a") if a.get("href") == inspect_url(outbound)]
    assert links and "Your claim was approved" in links[0].get_text()
    assert "Changed a sensitive record" in history.get_text()


def test_send_again_without_the_forms_token_is_refused(as_admin):
    outbound = given_up("No token")
    admin_client = Client(enforce_csrf_checks=True)
    sign_in(admin_client, as_admin.person)
    assert admin_client.post(send_again_url(outbound), {"next": "index"}).status_code == 403
    outbound.refresh_from_db()
    assert outbound.status == Status.FAILED
    assert mail.outbox == []


def test_an_admin_sends_again_from_the_list_after_confirming(as_admin, settings):
    settings.EMAIL_DELIVERY_BACKEND = FAILING_BACKEND
    waiting = stored("Waiting", status=Status.PENDING, attempts=2, last_error="Refused")
    stored("Delivered", status=Status.SENT, attempts=1)
    soup = BeautifulSoup(as_admin.get(LIST).content, "html.parser")
    buttons = [a["href"] for a in soup.select("tbody a") if a.get_text(strip=True) == "Send again"]
    assert buttons == [send_again_url(waiting)]

    confirm = as_admin.get(send_again_url(waiting))
    assert "This tries Waiting again now, to sam@example.org" in page_text(confirm)
    response = as_admin.post(send_again_url(waiting), {"next": "index"}, follow=True)
    assert response.redirect_chain[-1][0] == LIST
    assert "“Waiting” is being sent again" in page_text(response)
    # Still refused: tried once more now, with a fresh set of attempts.
    waiting.refresh_from_db()
    assert (waiting.status, waiting.attempts) == (Status.PENDING, 1)


def test_a_delivered_email_is_not_sent_again(as_admin):
    outbound = stored("Delivered", status=Status.SENT, attempts=1)
    page = page_text(as_admin.get(inspect_url(outbound)))
    assert "Send again" not in page
    response = as_admin.post(send_again_url(outbound), {"next": "index"}, follow=True)
    assert "“Delivered” was delivered, so there is nothing to send again." in page_text(response)
    assert mail.outbox == []
    assert not ModelLogEntry.objects.for_instance(outbound).exists()


# --- Who gets in -----------------------------------------------------------------------------

NOT_ADMINS = ["engagement_lead", "hr", "finance", "editor", "supervisor", "peer_worker", "member"]


@pytest.mark.parametrize("role", NOT_ADMINS)
def test_nobody_but_admins_reaches_outbound_mail_or_sends_again(client_as, role):
    outbound = given_up("Reset your password")
    client = client_as(role)
    for path in (LIST, LIST + "results/", inspect_url(outbound), send_again_url(outbound)):
        response = client.get(path)
        assert response.status_code in (302, 403), (path, response.status_code)
        assert b"Reset your password" not in response.content
        if response.status_code == 302:
            assert response["Location"] == "/admin/", path
    client.post(send_again_url(outbound), {"next": "index"})
    outbound.refresh_from_db()
    assert outbound.status == Status.FAILED
    assert not ModelLogEntry.objects.for_instance(outbound).exists()


def test_outbound_mail_is_under_reports_for_admins_only(client_as):
    assert "Outbound mail" in client_as("admin").get("/admin/").content.decode()
    assert "Outbound mail" not in client_as("editor").get("/admin/").content.decode()


# --- The dashboard ---------------------------------------------------------------------------


def test_the_dashboard_tells_admins_plainly_when_email_is_not_getting_through(as_admin, settings):
    settings.EMAIL_DELIVERY_BACKEND = FAILING_BACKEND
    send_mail("First", "Body", None, ["a@example.org"])
    send_mail("Second", "Body", None, ["b@example.org"])
    given_up("Given up on")
    oldest = OutboundEmail.objects.filter(status=Status.PENDING).earliest("created_at")

    soup = BeautifulSoup(as_admin.get("/admin/").content, "html.parser")
    panel = soup.select_one("section[aria-labelledby=mail-health-heading]")
    text = " ".join(panel.get_text(" ").split())
    assert "Email is not getting through." in text
    assert (
        "2 emails are waiting to be tried again after a failed try, "
        f"the oldest since {date_in_words(oldest.created_at)}."
    ) in text
    assert "1 email could not be delivered in the last week." in text
    links = {a.get_text(" ", strip=True): a["href"] for a in panel.select("a")}
    assert links["2 emails are waiting to be tried again"] == LIST + "?status=retrying"
    assert links["1 email could not be delivered"] == LIST + "?status=failed"


def test_the_dashboard_is_calm_when_email_gets_through(as_admin):
    send_mail("Delivered", "Body", None, ["a@example.org"])
    given_up("Given up on long ago", created_at=timezone.now())
    OutboundEmail.objects.filter(status=Status.FAILED).update(
        created_at=timezone.now() - timedelta(days=8)
    )
    text = page_text(as_admin.get("/admin/"))
    assert "Email is getting through" in text
    assert "not getting through" not in text


@pytest.mark.parametrize("role", ["engagement_lead", "hr", "finance", "editor"])
def test_other_staff_see_no_email_panel(client_as, settings, role):
    given_up("Given up on")
    response = client_as(role).get("/admin/")
    assert response.status_code == 200
    assert "mail-health-heading" not in response.content.decode()
    assert "Email is not getting through" not in response.content.decode()


def test_the_worker_panel_says_how_to_start_the_worker(as_admin):
    assert "Start it with manage.py worker" in page_text(as_admin.get("/admin/"))
