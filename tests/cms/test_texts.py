"""Text messages are queued, sent once, retried, given up visibly and forgotten in time
(cms/texts.py), through any backend: GOV.UK Notify's is tried against a fake server."""

import json
import threading
import uuid
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.utils import timezone

from cms import texts
from cms.models import OutboundText
from cms.retention import retention_run
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db

Status = OutboundText.Status


class BrokenBackend(texts.BaseTextBackend):
    """A provider that is down."""

    def send(self, *, phone_number, body, reference):
        raise ConnectionError("The text message service did not answer")


class RefusingBackend(texts.BaseTextBackend):
    """A provider that will never send this message."""

    def send(self, *, phone_number, body, reference):
        raise texts.TextNotAccepted("400 - phone_number Not a UK mobile number")


def _queue(person=None, number="07700 900123", body="Your claim has been approved"):
    return texts.text_queue(recipient=person, phone_number=number, body=body)


# --- Numbers and words ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, e164, mobile",
    [
        ("07700 900123", "+447700900123", True),
        ("+44 (0)7700 900123", "+447700900123", True),
        ("0044 7700-900-123", "+447700900123", True),
        ("447700900123", "+447700900123", True),
        ("07624 123456", "+447624123456", True),  # Isle of Man mobiles
        ("0113 496 0000", "+441134960000", False),  # a landline
        ("07012 345678", "+447012345678", False),  # a personal number
        ("07623 123456", "+447623123456", False),  # a pager
        ("12345", "", False),
        ("phone me", "", False),
        ("", "", False),
    ],
)
def test_uk_numbers_are_read_as_people_type_them(typed, e164, mobile):
    assert texts.uk_number(typed) == e164
    assert texts.is_uk_mobile(typed) is mobile


def test_a_text_is_cut_to_two_fragments_and_keeps_its_link_whole():
    link = "https://lep.example.org/claims/12345/"
    body = texts.text_body("word " * 200, link)
    assert len(body) <= texts.MAX_LENGTH
    assert body.endswith("... " + link)


# --- Sending --------------------------------------------------------------------------------


def test_a_queued_text_is_sent_once_with_the_number_in_e164(make_person):
    person = make_person("member")
    outbound = _queue(person)
    outbound.refresh_from_db()
    assert outbound.status == Status.SENT and outbound.sent_at
    assert outbound.provider_reference == "locmem-1"
    assert texts.outbox == [
        {
            "to": "+447700900123",
            "body": "Your claim has been approved",
            "reference": str(outbound.key),
        }
    ]
    # Delivering it again (a task run twice) sends nothing more.
    texts.text_deliver(outbound_id=outbound.pk)
    assert len(texts.outbox) == 1


def test_a_number_that_is_not_uk_is_not_queued():
    with pytest.raises(ValueError):
        _queue(number="+1 202 555 0100")
    assert not OutboundText.objects.exists()


def test_a_text_another_worker_holds_is_left_alone_until_its_lease_runs_out(settings):
    settings.TEXT_BACKEND = "tests.cms.test_texts.BrokenBackend"
    outbound = _queue()  # tried once inline, and failed
    now = timezone.now()
    OutboundText.objects.filter(pk=outbound.pk).update(
        status=Status.SENDING, lease_expires_at=now + timedelta(seconds=60)
    )
    settings.TEXT_BACKEND = "cms.texts.LocmemTextBackend"
    assert texts.text_deliver(outbound_id=outbound.pk, now=now).status == Status.SENDING
    assert texts.outbox == []
    # The worker died: once the lease runs out, the sweeper hands it out and it is sent.
    later = now + timedelta(seconds=61)
    assert texts.text_retry_pending(now=later) == 1
    texts.text_deliver(outbound_id=outbound.pk, now=later)
    outbound.refresh_from_db()
    assert outbound.status == Status.SENT
    assert len(texts.outbox) == 1


def test_a_failed_text_is_tried_again_on_a_back_off_then_given_up(settings):
    settings.TEXT_BACKEND = "tests.cms.test_texts.BrokenBackend"
    outbound = _queue()
    outbound.refresh_from_db()
    assert (outbound.status, outbound.attempts) == (Status.PENDING, 1)
    assert "did not answer" in outbound.last_error
    first_wait = outbound.next_attempt_at - outbound.created_at
    assert timedelta(seconds=50) < first_wait < timedelta(minutes=2)
    # Not due yet: nothing happens.
    assert texts.text_deliver(outbound_id=outbound.pk, now=timezone.now()).attempts == 1
    now = timezone.now()
    for _ in range(texts.MAX_ATTEMPTS - 1):
        now = outbound.next_attempt_at or now
        outbound = texts.text_deliver(outbound_id=outbound.pk, now=now)
    assert outbound.status == Status.FAILED
    assert outbound.attempts == texts.MAX_ATTEMPTS


def test_a_text_the_provider_refuses_for_good_is_given_up_at_once(settings):
    settings.TEXT_BACKEND = "tests.cms.test_texts.RefusingBackend"
    outbound = _queue()
    outbound.refresh_from_db()
    assert (outbound.status, outbound.attempts) == (Status.FAILED, 1)
    assert "Not a UK mobile" in outbound.last_error


def test_an_admin_sends_an_undelivered_text_again(client, make_person, settings):
    settings.TEXT_BACKEND = "tests.cms.test_texts.RefusingBackend"
    person = make_person("member", first_name="Sam", last_name="Okoro")
    outbound = _queue(person)
    settings.TEXT_BACKEND = "cms.texts.LocmemTextBackend"
    admin = make_person("admin")
    sign_in(client, admin)
    index = client.get("/admin/outbound-texts/?status=failed").content.decode()
    assert "Sam Okoro (+44 7••• •••123)" in index
    assert "Your claim has been approved" not in index
    inspect = client.get(f"/admin/outbound-texts/inspect/{outbound.pk}/").content.decode()
    assert "Send again" in inspect and "Your claim has been approved" not in inspect
    response = client.post(f"/admin/outbound-texts/send-again/{outbound.pk}/")
    assert response.status_code == 302
    outbound.refresh_from_db()
    assert outbound.status == Status.SENT
    assert [t["to"] for t in texts.outbox] == ["+447700900123"]


@pytest.mark.parametrize("role", ["engagement_lead", "finance", "editor"])
def test_only_admins_see_outbound_texts(client_as, role):
    outbound = _queue()
    client = client_as(role)
    assert client.get("/admin/outbound-texts/").status_code == 302
    assert client.post(f"/admin/outbound-texts/send-again/{outbound.pk}/").status_code in (
        302,
        403,
    )
    assert len(texts.outbox) == 1  # only the first send


def test_the_dashboard_warns_while_texts_fail(client, make_person, settings):
    admin = make_person("admin")
    sign_in(client, admin)
    assert "Text messages are not getting through" not in client.get("/admin/").content.decode()
    settings.TEXT_BACKEND = "tests.cms.test_texts.RefusingBackend"
    _queue()
    page = client.get("/admin/").content.decode()
    assert "Text messages are not getting through" in page
    assert "1 text could not be delivered" in page


def test_the_dashboard_warns_when_texts_only_go_to_the_log_in_production(settings):
    settings.TEXT_BACKEND = "cms.texts.ConsoleTextBackend"
    settings.DEBUG = False
    assert texts.text_health()["console"] is True
    settings.DEBUG = True
    assert texts.text_health()["healthy"] is True


# --- Forgetting -----------------------------------------------------------------------------


def test_retention_clears_the_number_and_words_after_14_days_and_purge_removes_the_row():
    sent = _queue()
    waiting = OutboundText.objects.create(phone_number="+447700900124", body="Still trying")
    old = timezone.now() - timedelta(days=15)
    OutboundText.objects.filter(pk__in=[sent.pk, waiting.pk]).update(created_at=old)
    retention_run()
    sent.refresh_from_db()
    waiting.refresh_from_db()
    assert (sent.phone_number, sent.body, sent.status) == ("", "", Status.SENT)
    # A text still being tried keeps what it needs to be sent.
    assert waiting.phone_number == "+447700900124"
    assert not texts.may_send_again(sent)
    assert texts.texts_purge(now=timezone.now() + timedelta(days=80)) == 1
    assert not OutboundText.objects.filter(pk=sent.pk).exists()


# --- GOV.UK Notify --------------------------------------------------------------------------

SERVICE_ID = str(uuid.uuid4())
SECRET = str(uuid.uuid4())
API_KEY = f"test_key-{SERVICE_ID}-{SECRET}"


class FakeNotify(BaseHTTPRequestHandler):
    received: list = []
    answer = (201, {"id": "8b7a7e0c-1111-2222-3333-444455556666"})

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        FakeNotify.received.append(
            {
                "path": self.path,
                "auth": self.headers.get("Authorization", ""),
                "json": json.loads(self.rfile.read(length)),
            }
        )
        status, payload = FakeNotify.answer
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def notify_server():
    FakeNotify.received = []
    server = HTTPServer(("127.0.0.1", 0), FakeNotify)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def _notify(base_url):
    return texts.NotifyTextBackend(api_key=API_KEY, template_id="tmpl-1", base_url=base_url)


def test_notify_is_sent_the_number_template_words_and_our_reference(notify_server):
    FakeNotify.answer = (201, {"id": "8b7a7e0c-1111-2222-3333-444455556666"})
    reference = _notify(notify_server).send(
        phone_number="+447700900123", body="Your claim was paid", reference="ref-1"
    )
    assert reference == "8b7a7e0c-1111-2222-3333-444455556666"
    (request,) = FakeNotify.received
    assert request["path"] == "/v2/notifications/sms"
    assert request["auth"].startswith("Bearer ")
    assert request["json"] == {
        "phone_number": "+447700900123",
        "template_id": "tmpl-1",
        "personalisation": {"body": "Your claim was paid"},
        "reference": "ref-1",
    }


def test_notify_refusing_a_number_is_not_tried_again(notify_server):
    FakeNotify.answer = (
        400,
        {
            "status_code": 400,
            "errors": [{"error": "ValidationError", "message": "Not a UK mobile number"}],
        },
    )
    with pytest.raises(texts.TextNotAccepted):
        _notify(notify_server).send(phone_number="+447700900123", body="x", reference="r")


def test_notify_being_down_is_tried_again(notify_server):
    FakeNotify.answer = (
        500,
        {"status_code": 500, "errors": [{"error": "Exception", "message": "Internal error"}]},
    )
    with pytest.raises(Exception) as raised:
        _notify(notify_server).send(phone_number="+447700900123", body="x", reference="r")
    assert not isinstance(raised.value, texts.TextNotAccepted)


def test_production_refuses_notify_without_its_key_and_template():
    from tests.cms.test_settings import production_env, run_manage

    result = run_manage(
        "check", env_overrides=production_env(TEXT_BACKEND="cms.texts.NotifyTextBackend")
    )
    assert result.returncode != 0
    assert "Set NOTIFY_API_KEY and NOTIFY_SMS_TEMPLATE_ID" in result.stderr


def test_waiting_texts_are_retried_every_minute_and_old_ones_purged_daily():
    from cms import schedules

    declared = {d.name: d for d in schedules.declared()}
    assert declared["Retry waiting text messages"].func == "cms.tasks.retry_pending_texts"
    assert declared["Retry waiting text messages"].minutes == 1
    assert declared["Purge old text messages"].minutes == 24 * 60
