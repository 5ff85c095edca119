"""The people of the soak test, for locust: visitors, members, peer workers and staff, each
reading the pages they would and writing what they would, with a pause to read between
steps.

Everything a person needs (addresses, accounts, offers) comes from the plan the driver
writes (``SOAK_PLAN``); what happened is appended to ``SOAK_RECORDS``, one JSON line per
request (URL name, status, milliseconds) and per write (its marker and the statuses of the
posts that carried it). Every write carries a marker of its own in a text field, so the
driver can find it in the database afterwards.

The site runs its production settings behind a pretend TLS proxy: each person sends
``X-Forwarded-Proto: https`` and an ``X-Forwarded-For`` address of their own (so the
per-address rate limits count people, not the load generator), and keeps Secure cookies over
the plain-http loopback connection, as their browser would over HTTPS.
"""

import base64
import hashlib
import hmac
import itertools
import json
import os
import random
import struct
import time
import uuid

import gevent
from gevent.lock import Semaphore
from locust import HttpUser, between, events, task

from soak.pages import FormFields

PLAN = json.loads(open(os.environ["SOAK_PLAN"], encoding="utf-8").read())  # noqa: SIM115
RECORDS = open(os.environ["SOAK_RECORDS"], "a", encoding="utf-8")  # noqa: SIM115
MARKER_PREFIX = PLAN["marker_prefix"]
TIMEOUT = PLAN["request_timeout"]
THINK = between(*PLAN["think_seconds"])
WEIGHTS = PLAN["weights"]
SIGN_IN_ATTEMPTS = 3
STARTED = time.monotonic()

_addresses = itertools.count(1)
_accounts = {
    kind: itertools.cycle(PLAN[kind]) for kind in ("members", "peer_workers", "staff") if PLAN[kind]
}
# One authenticator code per account per period: allauth refuses a code used once already.
_totp_locks: dict[str, Semaphore] = {}
_totp_used: dict[str, int] = {}


def record(**fields) -> None:
    RECORDS.write(json.dumps(fields, separators=(",", ":")) + "\n")


@events.request.add_listener
def _on_request(request_type, name, response_time, response=None, exception=None, **kwargs):
    status = getattr(response, "status_code", 0) or 0
    at = round(time.monotonic() - STARTED, 1)
    record(t="req", m=request_type, n=name, s=status, ms=round(response_time, 1), at=at)


@events.quitting.add_listener
def _on_quitting(**kwargs):
    RECORDS.flush()


def totp_code(secret: str, counter: int, digits: int = 6) -> str:
    """RFC 6238's code for ``counter``, as an authenticator app shows it."""
    key = base64.b32decode(secret, casefold=True)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**digits:0{digits}d}"


class Person(HttpUser):
    """What every simulated person shares: their own address, the pretend proxy's headers,
    reading pages by URL name, and filling in forms."""

    abstract = True
    wait_time = THINK
    account_kind: str | None = None

    def on_start(self):
        number = next(_addresses)
        self.address = f"10.{(number >> 16) & 255}.{(number >> 8) & 255}.{number & 255}"
        self.client.headers.update(
            {
                "X-Forwarded-Proto": "https",
                "X-Forwarded-For": self.address,
                "User-Agent": f"lep-soak ({type(self).__name__})",
            }
        )
        self.account = self.choose_account()
        if self.account is None:
            return
        for attempt in range(SIGN_IN_ATTEMPTS):
            if attempt:
                self.wait()
            signed_in = self.sign_in()
            record(t="signin", who=self.account, ok=signed_in)
            if signed_in:
                return
        # Stopping would only have locust start someone new in their place: they sit out
        # the run instead, and the failed sign-ins are in the figures.
        gevent.sleep(PLAN["run_seconds"])

    def choose_account(self) -> str | None:
        """The demo account this person signs in with (several people may share one)."""
        return next(_accounts[self.account_kind]) if self.account_kind else None

    # --- Requests ------------------------------------------------------------------------------

    def keep_cookies(self) -> None:
        """Send the Secure cookies back over the loopback connection, as a browser does
        over the HTTPS connection the pretend proxy stands for."""
        for cookie in self.client.cookies:
            cookie.secure = False

    def get(self, name: str, path: str):
        self.keep_cookies()
        return self.client.get(path, name=name, allow_redirects=False, timeout=TIMEOUT)

    def post(self, name: str, path: str, data: dict):
        self.keep_cookies()
        origin = f"https://{self.host.split('://', 1)[1]}"
        return self.client.post(
            path,
            data=data,
            name=name,
            allow_redirects=False,
            timeout=TIMEOUT,
            headers={"Origin": origin, "Referer": f"{origin}{path}"},
        )

    def form(self, name: str, path: str) -> FormFields | None:
        response = self.get(name, path)
        if response.status_code != 200:
            return None
        return FormFields(response.text)

    def send_write(self, *, kind: str, name: str, path: str, data: dict, marker: str) -> list[int]:
        """Post a write; now and then twice at once, as a double click does. Both posts
        carry the same once-only token, so the site must keep one record."""
        double = random.random() < PLAN["double_post_share"]
        if double:
            posts = [gevent.spawn(self.post, name, path, data) for _ in range(2)]
            gevent.joinall(posts, timeout=2 * TIMEOUT + 5)
            responses = [post.value for post in posts]
        else:
            responses = [self.post(name, path, data)]
        statuses = [getattr(response, "status_code", 0) or 0 for response in responses]
        record(t="write", k=kind, marker=marker, s=statuses, who=self.account or self.address)
        return statuses

    # --- Signing in ----------------------------------------------------------------------------

    def sign_in(self) -> bool:
        response = self.get("account_login", "/accounts/login/")
        if response.status_code == 200:
            fields = FormFields(response.text)
            response = self.post(
                "account_login",
                "/accounts/login/",
                {**fields.hidden, "login": self.account, "password": PLAN["demo_password"]},
            )
        # Sent on: signed in, or to the authenticator step. The log-in page itself sends
        # on too when an earlier try went through after the person had given up on it.
        if response.status_code != 302:
            return False
        if "/2fa/authenticate/" in response.headers.get("Location", ""):
            return self.second_step()
        return True

    def second_step(self) -> bool:
        """The authenticator step staff take: one code per account per period, so people
        sharing a demo account wait their turn, as two people sharing an app would."""
        period = PLAN["totp_period"]
        lock = _totp_locks.setdefault(self.account, Semaphore())
        with lock:
            for _ in range(3):
                counter = int(time.time()) // period
                if _totp_used.get(self.account, -1) >= counter:
                    gevent.sleep((counter + 1) * period - time.time() + 0.5)
                    counter = int(time.time()) // period
                # Not in the last second of a period: the code could turn over in flight.
                if (counter + 1) * period - time.time() < 1.5:
                    gevent.sleep(2)
                    counter = int(time.time()) // period
                page = self.get("mfa_authenticate", "/accounts/2fa/authenticate/")
                if page.status_code == 302:
                    # An earlier code went through after all, or the step has lapsed.
                    return "/accounts/login/" not in page.headers.get("Location", "")
                if page.status_code != 200:
                    return False
                fields = FormFields(page.text)
                _totp_used[self.account] = counter
                code = totp_code(PLAN["totp_secret"], counter)
                response = self.post(
                    "mfa_authenticate",
                    "/accounts/2fa/authenticate/",
                    {**fields.hidden, "code": code},
                )
                if response.status_code == 302:
                    return True
        return False

    # --- Reading -------------------------------------------------------------------------------

    def read_offer(self):
        offer = random.choice(PLAN["offers"])
        self.get("wagtail_serve (offer)", offer["path"])

    def read_offers(self):
        query = []
        if random.random() < 0.6:
            query.append(f"need={random.choice(PLAN['needs'])}")
        if random.random() < 0.4:
            query.append(f"area={random.choice(PLAN['areas'])}")
        if random.random() < 0.2:
            query.append("self_referral=on")
        path = PLAN["offers_index"] + (f"?{'&'.join(query)}" if query else "")
        self.get("wagtail_serve (offers index)", path)

    def read_what_people_said(self):
        offer = random.choice(PLAN["offers"])
        self.get("coproduce:feedback_on_offer", f"/feedback/offers/{offer['id']}/what-people-said/")

    # --- Writing -------------------------------------------------------------------------------

    def give_feedback(self, *, on_behalf: bool = False):
        """Feedback on an offer, the marker in "what went well"."""
        offer = random.choice(PLAN["offers"])
        path = f"/feedback/offers/{offer['id']}/"
        fields = self.form("coproduce:feedback_give", path)
        if fields is None:
            return
        marker = f"{MARKER_PREFIX}{uuid.uuid4().hex}"
        data = {
            **fields.hidden,
            "went_well": f"The person on the phone listened and called me back. Ref {marker}",
            "could_be_better": random.choice(["", "The waiting room was very noisy."]),
            "rating": random.choice(fields.choices.get("rating", ["4"])),
            "felt_listened_to": random.choice(fields.choices.get("felt_listened_to", ["yes"])),
            "themes": random.sample(
                fields.choices.get("themes", []), k=min(2, len(fields.choices.get("themes", [])))
            ),
        }
        if random.random() < 0.5:
            data["consent_to_publish"] = "on"
        if fields.has("on_behalf"):
            data["on_behalf"] = "other" if on_behalf else "self"
        if fields.has("website"):
            data["website"] = ""  # the field people never see stays empty
        statuses = self.send_write(
            kind="feedback", name="coproduce:feedback_give", path=path, data=data, marker=marker
        )
        if 302 in statuses:
            thanks = f"{path}thank-you/" + ("?for=someone-else" if on_behalf else "")
            self.get("coproduce:feedback_thanks", thanks)


class Visitor(Person):
    """Someone without an account: the public pages, and now and then feedback."""

    weight = WEIGHTS["visitors"]

    def on_start(self):
        super().on_start()
        # The site takes 5 pieces of feedback per connection per 10 minutes; a visitor
        # gives fewer, so every write the soak sends is one the site should keep.
        self.feedback_left = 3

    @task(3)
    def home(self):
        self.get("wagtail_serve (home)", "/")

    @task(2)
    def content(self):
        self.get("wagtail_serve (content)", random.choice(PLAN["content_pages"]))

    @task(4)
    def offers(self):
        self.read_offers()

    @task(5)
    def offer(self):
        self.read_offer()

    @task(1)
    def what_people_said(self):
        self.read_what_people_said()

    @task(1)
    def crisis_help(self):
        self.get("crisis_help", "/help-now/")

    @task(1)
    def search(self):
        self.get("search", f"/search/?q={random.choice(PLAN['search_words'])}")

    @task(1)
    def charter(self):
        self.get("charter:index", "/charter/")
        if PLAN["charters"]:
            self.get("charter:progress", random.choice(PLAN["charters"]))

    @task(1)
    def peer_roles(self):
        self.get("peers:vacancy_list", "/peer-roles/")

    @task(1)
    def feedback(self):
        if self.feedback_left > 0:
            self.feedback_left -= 1
            self.give_feedback()


class Member(Person):
    """An expert by experience, signed in: My space, offers, panels, meetings, claims,
    and feedback on the offers they use."""

    weight = WEIGHTS["members"]
    account_kind = "members"

    @task(2)
    def my_space(self):
        self.get("my_space", "/my-space/")

    @task(3)
    def offers(self):
        self.read_offers()

    @task(4)
    def offer(self):
        self.read_offer()

    @task(1)
    def what_people_said(self):
        self.read_what_people_said()

    @task(3)
    def feedback(self):
        self.give_feedback()

    @task(1)
    def own_feedback(self):
        self.get("coproduce:feedback_mine", "/feedback/yours/")

    @task(1)
    def panels(self):
        self.get("coproduce:panel_list", "/panels/")

    @task(1)
    def meetings(self):
        self.get("coproduce:meeting_list", "/panels/meetings/")

    @task(1)
    def claims(self):
        self.get("coproduce:claim_list", "/claims/")

    @task(1)
    def involvement(self):
        self.get("coproduce:involvement", "/involvement/")


class PeerWorker(Person):
    """A peer worker, signed in: logs sessions, reads their list, summary, pathway,
    supervision and wellbeing, and writes down feedback for someone they support."""

    weight = WEIGHTS["peer_workers"]
    account_kind = "peer_workers"

    @task(2)
    def my_space(self):
        self.get("my_space", "/my-space/")

    @task(4)
    def log_session(self):
        path = "/peer-work/sessions/log/"
        fields = self.form("peers:session_log", path)
        if fields is None:
            return
        marker = f"{MARKER_PREFIX}{uuid.uuid4().hex}"
        topics = fields.choices.get("topics", [])
        data = {
            **fields.hidden,
            "date": fields.values.get("date", ""),
            "duration_minutes": str(random.choice([30, 45, 60, 90])),
            "setting": random.choice(fields.choices.get("setting", ["community"])),
            "group_size": "1",
            "person_reference": f"SK-{random.randint(1, 99)}",
            "topics": random.sample(topics, k=min(2, len(topics))),
            "outcome_measure": "",
            "notes": f"Talked through a benefits form and a plan for the week. Ref {marker}",
            "details_checked": "on",
        }
        statuses = self.send_write(
            kind="session", name="peers:session_log", path=path, data=data, marker=marker
        )
        if 302 in statuses:
            self.get("peers:session_list", "/peer-work/sessions/")

    @task(2)
    def sessions(self):
        self.get("peers:session_list", "/peer-work/sessions/")

    @task(1)
    def summary(self):
        self.get("peers:summary", "/peer-work/summary/")

    @task(1)
    def pathway(self):
        self.get("peers:pathway", "/peer-work/pathway/")

    @task(1)
    def supervision(self):
        self.get("peers:supervision_mine", "/peer-work/supervision/")

    @task(1)
    def wellbeing(self):
        self.get("peers:wellbeing_history", "/peer-work/wellbeing/")

    @task(1)
    def offer(self):
        self.read_offer()

    @task(1)
    def feedback_for_someone(self):
        self.give_feedback(on_behalf=True)


class Staff(Person):
    """Staff with an authenticator: the lists they work from, in the Wagtail admin (leads,
    HR, finance, editors, administrators) or on the front end (supervisors)."""

    weight = WEIGHTS["staff"]
    account_kind = "staff"

    def choose_account(self) -> str | None:
        staff = next(_accounts[self.account_kind])
        self.lists = staff["pages"]
        return staff["email"]

    @task
    def open_a_list(self):
        page = random.choice(self.lists)
        self.get(page["name"], page["path"])
