"""Pieces for running the site as a deployment does: several web nodes behind one address.

- ``object_storage``: moto's S3 server on 127.0.0.1 with the two buckets the README asks for
  (images, which anyone may read, and private files, which only the site may read).
- ``start_web_node``: gunicorn as the README starts it, ready once ``/health/`` answers.
- ``Browser``: one person's browser behind a TLS-terminating proxy. Every request carries the
  site's host name and ``X-Forwarded-Proto: https``, as the proxy would add, and may go to any
  node, as a load balancer would send it. It keeps cookies itself: production marks them
  Secure, and HTTP clients refuse to send those to ``http://127.0.0.1``.
- ``form_fields``: what a browser would send back for a rendered form.
- ``totp_code``: the code an authenticator app shows, computed as allauth checks it.
"""

import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import boto3
import httpx
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from bs4 import BeautifulSoup
from moto.server import ThreadedMotoServer

from tests.fault.harness import Process, Site, child_pids, free_port, wait_for
from tests.s3 import make_media_buckets

TIMEOUT = 60
MAX_REDIRECTS = 10
S3_REGION = "eu-west-2"
S3_KEYS = {"MEDIA_S3_ACCESS_KEY_ID": "lep-nodes", "MEDIA_S3_SECRET_ACCESS_KEY": "lep-nodes-secret"}
# Long enough for gunicorn to import the site on a busy machine.
WEB_START_BOUND = 120


# --- Object storage -----------------------------------------------------------------------------


@dataclass
class ObjectStorage:
    endpoint: str
    client: object
    public: str
    private: str

    @property
    def env(self) -> dict[str, str]:
        """The README's variables for object storage, for every node and the worker."""
        return {
            "MEDIA_S3_BUCKET": self.public,
            "MEDIA_S3_PRIVATE_BUCKET": self.private,
            "MEDIA_S3_ENDPOINT_URL": self.endpoint,
            "MEDIA_S3_REGION": S3_REGION,
            **S3_KEYS,
        }

    def keys(self, bucket: str) -> list[str]:
        listing = self.client.list_objects_v2(Bucket=bucket)
        return sorted(entry["Key"] for entry in listing.get("Contents", []))

    def read(self, bucket: str, key: str) -> bytes:
        return self.client.get_object(Bucket=bucket, Key=key)["Body"].read()


@contextlib.contextmanager
def object_storage():
    """moto's S3 server on a free port of 127.0.0.1, with a public bucket (a bucket policy
    lets anyone read it) and a private one (no policy); stopped when the block ends."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        endpoint = f"http://127.0.0.1:{port}"
        client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name=S3_REGION,
            aws_access_key_id=S3_KEYS["MEDIA_S3_ACCESS_KEY_ID"],
            aws_secret_access_key=S3_KEYS["MEDIA_S3_SECRET_ACCESS_KEY"],
        )
        public, private = make_media_buckets(client, S3_REGION)
        yield ObjectStorage(endpoint=endpoint, client=client, public=public, private=private)
    finally:
        server.stop()


# --- Web nodes ----------------------------------------------------------------------------------


@dataclass
class Node:
    name: str
    base_url: str
    process: Process

    def health(self, host: str = "10.0.0.1") -> httpx.Response:
        """``/health/`` as a load balancer asks: plain HTTP, by the node's own address (a
        host name the site does not serve)."""
        return httpx.get(
            f"{self.base_url}/health/", headers={"Host": host}, timeout=TIMEOUT, trust_env=False
        )


def _answers_health(base_url: str) -> bool:
    try:
        return httpx.get(f"{base_url}/health/", timeout=5, trust_env=False).status_code == 200
    except httpx.HTTPError:
        return False


def start_web_node(site: Site, name: str, *, workers: int = 2, **env: str) -> Node:
    """``gunicorn cms.wsgi`` as the README starts a web node, on a free port of 127.0.0.1,
    with the site's environment plus ``env``; returns once ``/health/`` answers."""
    port = free_port()
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "cms.wsgi",
        "-b",
        f"127.0.0.1:{port}",
        "-w",
        str(workers),
        "--access-logfile",
        "-",
    ]
    process = site.start(name=name, command=command, **env)
    base_url = f"http://127.0.0.1:{port}"
    wait_for(
        lambda: process.returncode is not None or _answers_health(base_url),
        WEB_START_BOUND,
        lambda: f"{name} did not answer. Output:\n{process.output()}",
    )
    assert process.returncode is None, f"{name} stopped. Output:\n{process.output()}"
    return Node(name=name, base_url=base_url, process=process)


def stop_worker(process: Process, *, bound: float) -> None:
    """Stop ``manage.py worker`` and its cluster. The command runs ``qcluster`` in a process
    group of its own, so killing the command's group (``Process.kill``) would leave the
    cluster running on. Stop it as a process manager does (SIGTERM: it stops the cluster
    within Q_STOP_GRACE), then kill whatever of the cluster is left."""
    clusters = child_pids(process.pid)
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.popen.wait(timeout=bound)
    for pid in clusters:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
    process.kill()


# --- A person's browser -------------------------------------------------------------------------


@dataclass
class Browser:
    """One browser: its cookies, sent to whichever node a request goes to."""

    site_url: str
    cookies: dict[str, str] = field(default_factory=dict)
    secure_cookies: set[str] = field(default_factory=set)

    def __post_init__(self):
        parts = urlsplit(self.site_url)
        self.host = parts.netloc
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.client = httpx.Client(timeout=TIMEOUT, trust_env=False, follow_redirects=False)

    def close(self) -> None:
        self.client.close()

    def get(self, node: Node, path: str, *, follow: bool = True) -> httpx.Response:
        return self.request(node, "GET", path, follow=follow)

    def post(
        self, node: Node, path: str, data: dict, *, files=None, follow: bool = True
    ) -> httpx.Response:
        return self.request(node, "POST", path, data=data, files=files, follow=follow)

    def submit(
        self,
        node: Node,
        page: httpx.Response,
        *,
        having: str,
        fields: dict | None = None,
        files=None,
        follow: bool = True,
    ) -> httpx.Response:
        """Fill in the page's form that has a field ``having`` with ``fields`` (the rest as
        the page gave them) and send it to ``node``."""
        action = self.local_path(form_action(page, having=having), base=path_of(page))
        data = {**form_fields(page, having=having), **(fields or {})}
        return self.post(node, action, data, files=files, follow=follow)

    def request(self, node: Node, method: str, path: str, *, follow=True, **kwargs):
        for _ in range(MAX_REDIRECTS):
            response = self._send(node, method, path, **kwargs)
            if not (follow and response.is_redirect):
                return response
            path = self.local_path(response.headers["location"], base=path)
            method, kwargs = "GET", {}
        raise AssertionError(f"More than {MAX_REDIRECTS} redirects, the last to {path}")

    def local_path(self, location: str, *, base: str = "/") -> str:
        """The path (and query) of an address on the site; fails for any other host."""
        target = urlsplit(urljoin(f"{self.origin}{base}", location))
        assert f"{target.scheme}://{target.netloc}" == self.origin, (
            f"Sent away from the site, to {location}"
        )
        return target.path + (f"?{target.query}" if target.query else "")

    def _send(self, node: Node, method: str, path: str, **kwargs) -> httpx.Response:
        headers = {
            "Host": self.host,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": "192.0.2.10",
        }
        if method == "POST":
            # What a browser sends with a form, which Django's CSRF check asks for over HTTPS.
            headers |= {"Origin": self.origin, "Referer": f"{self.origin}{path}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.client.cookies.clear()
        response = self.client.request(method, node.base_url + path, headers=headers, **kwargs)
        self.client.cookies.clear()
        for header in response.headers.get_list("set-cookie"):
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
                    if morsel["secure"]:
                        self.secure_cookies.add(name)
        return response


def page_soup(response: httpx.Response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def main_text(response: httpx.Response) -> str:
    soup = page_soup(response)
    main = soup.find("main") or soup
    return " ".join(main.get_text(" ").split())


def form_fields(response: httpx.Response, *, having: str) -> dict[str, str]:
    """What a browser sends back for the page's form that has a field named ``having``
    (the header's sign-out form comes first on every page): its inputs with their values,
    ticked boxes and chosen options, and where it posts to (``"action"``)."""
    soup = page_soup(response)
    forms = [
        form
        for form in soup.find_all("form")
        if form.find(["input", "select", "textarea"], attrs={"name": having})
    ]
    assert forms, f"No form with a field {having!r} on the page: {main_text(response)}"
    form = forms[0]
    data: dict[str, str] = {}
    for element in form.find_all(["input", "select", "textarea"]):
        name = element.get("name")
        if not name or element.has_attr("disabled"):
            continue
        if element.name == "select":
            chosen = element.find("option", selected=True) or element.find("option")
            data[name] = chosen.get("value", chosen.get_text()) if chosen else ""
        elif element.name == "textarea":
            data[name] = element.get_text()
        elif element.get("type") in ("checkbox", "radio"):
            if element.has_attr("checked"):
                data[name] = element.get("value", "on")
        elif element.get("type") not in ("file", "submit", "button", "image"):
            data[name] = element.get("value", "")
    return data


def form_action(response: httpx.Response, *, having: str) -> str:
    """Where the form with a field named ``having`` posts to (its own page when unsaid)."""
    soup = page_soup(response)
    for form in soup.find_all("form"):
        if form.find(["input", "select", "textarea"], attrs={"name": having}):
            return form.get("action") or path_of(response)
    raise AssertionError(f"No form with a field {having!r} on the page.")


def path_of(response: httpx.Response) -> str:
    """The path and query of the page a response is (after any redirects)."""
    url = response.url
    return url.path + (f"?{url.query.decode()}" if url.query else "")


def option_value(response: httpx.Response, *, select: str, label: str) -> str:
    """The value of the option a person picks by its words, in the select named ``select``."""
    element = page_soup(response).find("select", attrs={"name": select})
    assert element is not None, f"No {select!r} list on the page."
    for option in element.find_all("option"):
        if " ".join(option.get_text().split()) == label:
            return option.get("value", label)
    raise AssertionError(f"No option {label!r} in {select!r}.")


def input_value(response: httpx.Response, input_id: str) -> str | None:
    element = page_soup(response).find("input", id=input_id)
    return None if element is None else element.get("value")


# --- Authenticator codes ------------------------------------------------------------------------

# A code typed in the last seconds of its period may reach the site in the next one.
TOTP_MARGIN_SECONDS = 5


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now (allauth's own HOTP functions, at the period
    allauth checks). Close to the end of a period, it waits for the next one, so the code
    is still current when it arrives."""
    period = mfa_settings.TOTP_PERIOD
    left = period - time.time() % period
    if left < TOTP_MARGIN_SECONDS:
        time.sleep(left + 0.5)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))
