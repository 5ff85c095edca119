"""Copies of public pages for visitors, so a visitor's page costs no rendering and no query.

How it is built, and why:

- **One middleware**, ``PageCacheMiddleware``, just after whitenoise and before the session.
  A visitor's request (GET or HEAD, no session cookie, no messages cookie) is answered from
  a copy when there is one, before the session, the user or any view is looked at. On the
  way out it keeps a copy of a response only if every inner middleware is done with it, so
  it sees what they added: the policy header, and any cookie (a form's CSRF token, a new
  session, a message) which makes a response unfit to share.
- **An allow-list, not a deny-list**: only views marked ``public_page(cache_for=…)``
  (cms/middleware.py) and Wagtail pages (``before_serve_page`` in cms/wagtail_hooks.py,
  with a page class's ``page_cache_for``) are ever kept, each for its own lifetime: a
  minute where "open now" depends on the clock, longer elsewhere, and never past local
  midnight (dates in words, vacancies closing).
- **A generation number** in the shared cache is part of every copy's key. Publishing,
  unpublishing, moving or deleting a page, and saving or deleting any model an app
  registers as public content (the ``register_public_content_models`` hook), replace it,
  so every copy on every machine is out of date at once; nothing has to find the pages a
  change touched.
- **Small facts every page needs** (the request's Wagtail site, the sites' root paths, the
  header and footer, whether any page is restricted) are worked out once per process and
  generation (``for_generation``), not once a request: a signed-in page, which is never
  copied, still saves their queries.
- **Copies live in each process's memory**, bounded in bytes: a hit costs a dictionary
  look-up, not a round trip (with the database cache, a query). Each process looks at the
  shared generation at most every ``GENERATION_RECHECK`` seconds, so another process's
  change shows within about a second; a change made in this process shows at once (its
  copies are dropped when the change is saved, and the generation is replaced when the
  change is committed, so a page read before the commit is not kept as the new one).

- **Every write is seen**, not just those that send a signal. A bulk ``QuerySet.update()``,
  ``bulk_create()`` or raw SQL sends none, so ``PublicWrites`` wraps every database
  connection's statements and treats an INSERT, UPDATE or DELETE on a public-content table
  as a change, whichever code made it: no caller has to remember to.
"""

import copy as copying
import logging
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers, set_response_etag
from django.utils.http import http_date

from . import params

logger = logging.getLogger(__name__)

# Lifetimes, in seconds, for ``public_page(cache_for=…)`` and a page class's
# ``page_cache_for``. CLOCK: the page says what is open now.
CLOCK = 60
LONG = 10 * 60
# How long a browser (or a shared proxy) may reuse a visitor's page without asking again.
BROWSER_MAX_AGE = 60
GENERATION_KEY = "page-cache:generation"
GENERATION_RECHECK = 1.0
MAX_BYTES = 64 * 1024 * 1024
HOOK = "register_public_content_models"
# Never a visitor's page, whatever a view says (all of it needs an account, or is a file).
NEVER_PREFIXES = ("/admin/", "/accounts/", "/my-space/", "/reports/", "/documents/")
# A response header no copy may keep: the response it came from was for one person.
PERSONAL_HEADERS = ("Set-Cookie",)


# --- The generation -------------------------------------------------------------------------


class _Generation:
    """This process's view of the shared generation number."""

    def __init__(self):
        self.lock = threading.Lock()
        self.value: int | None = None
        self.checked_at = float("-inf")

    def current(self) -> int:
        if time.monotonic() - self.checked_at < GENERATION_RECHECK and self.value is not None:
            return self.value
        value = cache.get(GENERATION_KEY)
        if value is None:
            # The cache was emptied (or never held one): start a new generation.
            cache.add(GENERATION_KEY, time.time_ns(), None)
            value = cache.get(GENERATION_KEY) or time.time_ns()
        with self.lock:
            self.value, self.checked_at = value, time.monotonic()
        return value

    def replace(self) -> int:
        old = cache.get(GENERATION_KEY) or 0
        value = max(time.time_ns(), old + 1, (self.value or 0) + 1)
        cache.set(GENERATION_KEY, value, None)
        with self.lock:
            self.value, self.checked_at = value, time.monotonic()
        return value

    def forget(self) -> None:
        with self.lock:
            self.value, self.checked_at = None, float("-inf")

    def assume(self) -> None:
        """Take a number of this process's own without asking the cache (tests)."""
        with self.lock:
            self.value, self.checked_at = time.time_ns(), time.monotonic()


generation = _Generation()


# --- Facts kept for a generation ------------------------------------------------------------


class _ForGeneration:
    """Values worked out at most once per process for each generation: anything a change
    keeps right by replacing the generation. In this process such a change also clears
    them at once (``site_or_pages_changed``, ``site_shell_forget``), before it commits."""

    def __init__(self):
        self.lock = threading.Lock()
        self.generation: int | None = None
        self.values: dict = {}
        # Bumped by ``clear``: a value worked out before a clear is not kept after it.
        self.epoch = 0

    def get(self, key, compute):
        current = generation.current()
        with self.lock:
            if self.generation != current:
                self.values, self.generation = {}, current
            elif key in self.values:
                return self.values[key]
            epoch = self.epoch
        value = compute()
        with self.lock:
            if self.generation == current and self.epoch == epoch:
                self.values[key] = value
        return value

    def clear(self, kind: str | None = None) -> None:
        """Forget every value, or only those whose key starts with ``kind``."""
        with self.lock:
            if kind is None:
                self.values = {}
            else:
                self.values = {
                    key: value
                    for key, value in self.values.items()
                    if not (isinstance(key, tuple) and key[0] == kind)
                }
            self.epoch += 1


for_generation = _ForGeneration()


def any_view_restrictions() -> bool:
    """Whether any page has a view restriction (a password, or sign-in needed); when none
    has, checking a page's restrictions needs no query."""
    from wagtail.models import PageViewRestriction

    return for_generation.get("view-restrictions", PageViewRestriction.objects.exists)


def public_only(queryset):
    """Wagtail's ``queryset.public()`` (no page behind a password or a sign-in), without
    the query it makes to read every restriction while no page has one."""
    return queryset.public() if any_view_restrictions() else queryset


def know_site(request) -> None:
    """Tell Wagtail the request's site, its home page and the sites' root paths from this
    process's memory, so none costs a query a request (``Site.find_for_request`` and
    ``Page.route_for_request`` read them)."""
    from django.http.request import split_domain_port
    from wagtail.models import Site

    try:
        hostname = split_domain_port(request._get_raw_host())[0]
        port = request.get_port()
    except DisallowedHost:
        return
    site = for_generation.get(("site", hostname, port), lambda: Site._find_for_request(request))
    if site is None:
        request._wagtail_site = None
    else:
        # The home page every route starts from, as its own page type. Each request has
        # its own copies, so nothing it sets on the site or the page reaches another's.
        home = for_generation.get(("home", site.pk), lambda: site.root_page.specific)
        request._wagtail_site = copying.copy(site)
        request._wagtail_site.root_page = copying.copy(home)
    request._wagtail_cached_site_root_paths = for_generation.get(
        "site-root-paths", Site.get_site_root_paths
    )


# --- The copies -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Copy:
    """One page as a visitor got it: everything needed to send it again."""

    generation: int
    expires_at: float  # wall-clock seconds, so frozen time in tests moves it
    status: int
    headers: tuple[tuple[str, str], ...]
    content: bytes

    @property
    def size(self) -> int:
        return len(self.content) + sum(len(k) + len(v) for k, v in self.headers)

    def response(self) -> HttpResponse:
        response = HttpResponse(self.content, status=self.status)
        for name, value in self.headers:
            response[name] = value
        _browsers_may_keep(response, self.expires_at)
        return response


def _browsers_may_keep(response, expires_at: float) -> None:
    """Let browsers and proxies reuse a visitor's page briefly (the view's own word wins)."""
    if not response.has_header("Cache-Control"):
        seconds = max(0, min(BROWSER_MAX_AGE, int(expires_at - time.time())))
        patch_cache_control(response, public=True, max_age=seconds)


class _Copies:
    """The process's copies, least recently used first, at most ``MAX_BYTES`` in all."""

    def __init__(self):
        self.lock = threading.Lock()
        self.items: OrderedDict[tuple, Copy] = OrderedDict()
        self.bytes = 0

    def get(self, key: tuple, current: int) -> Copy | None:
        with self.lock:
            copy = self.items.get(key)
            if copy is None:
                return None
            if copy.generation != current or copy.expires_at <= time.time():
                self._drop(key)
                return None
            self.items.move_to_end(key)
            return copy

    def put(self, key: tuple, copy: Copy) -> None:
        limit = getattr(settings, "PAGE_CACHE_MAX_BYTES", MAX_BYTES)
        if copy.size > limit // 8:
            return  # one huge page must not push out every other
        with self.lock:
            if key in self.items:
                self._drop(key)
            self.items[key] = copy
            self.bytes += copy.size
            while self.bytes > limit and self.items:
                self._drop(next(iter(self.items)))

    def _drop(self, key: tuple) -> None:
        copy = self.items.pop(key)
        self.bytes -= copy.size

    def clear(self) -> None:
        with self.lock:
            self.items.clear()
            self.bytes = 0

    def __len__(self) -> int:
        return len(self.items)


copies = _Copies()


def forget_everything() -> None:
    """Drop this process's copies, its facts and its view of the generation."""
    copies.clear()
    for_generation.clear()
    generation.forget()


# --- What changes public pages --------------------------------------------------------------


def public_content_changed(**kwargs) -> None:
    """Every public page may now be out of date: drop this process's copies now, and
    replace the shared generation when the change is committed (once per transaction)."""
    copies.clear()
    connection = connections[DEFAULT_DB_ALIAS]
    if not connection.in_atomic_block:
        generation.replace()
        return
    if not any(func is _replace_after_commit for _, func, _ in connection.run_on_commit):
        transaction.on_commit(_replace_after_commit, robust=True)


def _replace_after_commit() -> None:
    copies.clear()
    generation.replace()


def site_or_pages_changed(instance=None, **kwargs) -> None:
    """A site, a page or a view restriction changed. What ``for_generation`` keeps of pages
    is the sites' home pages and root paths: when one of those (or a site, or a
    restriction) changed, this process forgets it all now; the others do when the
    generation is replaced, like every copy."""
    from wagtail.models import Page

    if not isinstance(instance, Page) or instance.depth <= 2:
        for_generation.clear()
    public_content_changed()


def public_content_models() -> list:
    """Every model an app registers as shown on public pages, through the hook."""
    from django.apps import apps
    from wagtail import hooks

    found = []
    for hook in hooks.get_hooks(HOOK):
        for model in hook():
            model = apps.get_model(model) if isinstance(model, str) else model
            if model not in found:
                found.append(model)
    return found


# The table an INSERT, UPDATE or DELETE writes to, as Django (or anyone) writes them.
_WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+[`"]?(\w+)', re.IGNORECASE)


class PublicWrites:
    """A database execute wrapper on every connection: a statement that writes to a table of
    public content (or a relation between such rows) is a change to public pages, even one
    that sends no signal. Reading costs one match of the statement's first words."""

    def __init__(self):
        self.tables: frozenset[str] = frozenset()
        # Off while ``migrate`` runs: the cache's own table may not be made yet, and no
        # process serves copies of a database being migrated.
        self.migrating = False

    def watch(self, models) -> None:
        tables = set()
        for model in models:
            tables.add(model._meta.db_table)
            for field in model._meta.local_many_to_many:
                tables.add(field.remote_field.through._meta.db_table)
        self.tables = frozenset(tables)

    def writes_public_content(self, sql) -> bool:
        found = _WRITE.match(sql) if isinstance(sql, str) else None
        return found is not None and found[1] in self.tables

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not self.migrating and self.writes_public_content(sql):
            connection = context["connection"]
            if connection.in_atomic_block:
                public_content_changed()  # replaced once, when the transaction commits
            elif context["cursor"].description is None:
                # Committed already, and nothing left to read from the cursor: the shared
                # number may be replaced now (with the database cache, by a query).
                public_content_changed()
            else:
                # An INSERT … RETURNING outside a transaction, whose rows are still to be
                # read: Model.save()'s, which its post_save signal (connected below) follows.
                copies.clear()
        return result

    def pause(self, **kwargs) -> None:
        self.migrating = True

    def resume(self, **kwargs) -> None:
        self.migrating = False

    def install(self, connection=None, **kwargs) -> None:
        """Wrap ``connection`` (a ``connection_created`` receiver), once. Put first, so a
        ``with connection.execute_wrapper(…)`` around the connecting leaves it in place."""
        if self not in connection.execute_wrappers:
            connection.execute_wrappers.insert(0, self)


public_writes = PublicWrites()


def watch_public_writes() -> None:
    """Wrap every connection, open or yet to be made, with ``public_writes``."""
    from django.db.backends.signals import connection_created
    from django.db.models.signals import post_migrate, pre_migrate

    public_writes.watch(public_content_models())
    connection_created.connect(public_writes.install, dispatch_uid="page-cache-writes")
    pre_migrate.connect(public_writes.pause, dispatch_uid="page-cache-writes-pause")
    post_migrate.connect(public_writes.resume, dispatch_uid="page-cache-writes-resume")
    for connection in connections.all(initialized_only=True):
        public_writes.install(connection)


def connect_signals() -> None:
    """Replace the generation when a page is published, unpublished, moved or deleted, or a
    registered model is saved or deleted (from ``CmsConfig.ready``)."""
    from django.db.models.signals import m2m_changed, post_delete, post_save
    from wagtail.models import Page, PageViewRestriction, Site
    from wagtail.signals import page_published, page_unpublished, post_page_move

    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(site_or_pages_changed, dispatch_uid=f"page-cache-{signal}")
    post_delete.connect(site_or_pages_changed, sender=Page, dispatch_uid="page-cache-page")
    # What ``for_generation`` keeps: the sites, and whether any page is restricted.
    for model in (Site, PageViewRestriction):
        uid = f"page-cache-{model._meta.label}"
        post_save.connect(site_or_pages_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(site_or_pages_changed, sender=model, dispatch_uid=f"{uid}-del")
    for model in public_content_models():
        uid = f"page-cache-{model._meta.label}"
        post_save.connect(public_content_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(public_content_changed, sender=model, dispatch_uid=f"{uid}-del")
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(public_content_changed, sender=through, dispatch_uid=f"{uid}-m2m")
    watch_public_writes()


# --- The middleware -------------------------------------------------------------------------


def _may_use(request) -> bool:
    """A visitor's request for a page: no session, no message waiting, nothing private."""
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
        and not request.path_info.startswith(NEVER_PREFIXES)
    )


def _key(request) -> tuple:
    """The address as the page sees it: scheme, host, path and the query's names in order
    (each name's values keep their order: a view reading a list reads them so)."""
    return (request.scheme, request.get_host(), request.path, params.query_in_order(request))


def _seconds_until_midnight(now: datetime) -> float:
    local = timezone.localtime(now)
    midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return (midnight - local).total_seconds()


def _fit_to_share(request, response) -> bool:
    """Whether ``response`` is the same for every visitor: no cookie set (a form's token, a
    session, a message), no message shown, no form token made, not marked private."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    stored = getattr(request, "_messages", None)
    if stored is not None and len(stored):
        return False
    cache_control = response.get("Cache-Control", "").lower()
    return not any(word in cache_control for word in ("private", "no-store", "no-cache"))


def mark_for_cache(request, seconds: int | None) -> None:
    """Let the middleware keep this request's page for ``seconds`` (None: never)."""
    request.page_cache_for = seconds


class PageCacheMiddleware:
    """Serves and keeps visitors' copies of public pages, and makes sure no page meant for
    a signed-in person is kept by a browser's shared cache or a proxy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _may_use(request):
            know_site(request)
            return self._personal(request, self.get_response(request))
        try:
            key = _key(request)
        except DisallowedHost:
            return self.get_response(request)  # Django answers it as usual
        current = generation.current()
        copy = copies.get(key, current)
        if copy is not None:
            return copy.response()
        know_site(request)
        started = time.time()
        response = self.get_response(request)
        lifetime = getattr(request, "page_cache_for", None)
        if lifetime and request.method == "GET" and _fit_to_share(request, response):
            lifetime = min(lifetime, _seconds_until_midnight(timezone.now()))
            self._keep(key, current, response, started + lifetime)
            return response
        return self._personal(request, response)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not hasattr(request, "page_cache_for"):
            mark_for_cache(request, getattr(view_func, "page_cache_for", None))

    @staticmethod
    def _keep(key, current, response, expires_at) -> None:
        """Keep a copy of ``response`` (with its ETag and Last-Modified, which every copy
        sent again keeps), and tell browsers how long they may reuse it."""
        if not response.has_header("ETag"):
            set_response_etag(response)
        if not response.has_header("Last-Modified"):
            response["Last-Modified"] = http_date(time.time())
        patch_vary_headers(response, ["Cookie"])
        copies.put(
            key,
            Copy(
                generation=current,
                expires_at=expires_at,
                status=response.status_code,
                headers=tuple(
                    (name, value)
                    for name, value in response.headers.items()
                    if name not in PERSONAL_HEADERS
                ),
                content=response.content,
            ),
        )
        _browsers_may_keep(response, expires_at)

    @staticmethod
    def _personal(request, response):
        """A page for someone with a session, or one that sets a cookie, is theirs alone:
        no shared cache may keep it, and a signed-in page is not stored at all."""
        if settings.SESSION_COOKIE_NAME in request.COOKIES or response.cookies:
            patch_cache_control(response, private=True)
            if settings.SESSION_COOKIE_NAME in request.COOKIES or (
                settings.SESSION_COOKIE_NAME in response.cookies
            ):
                patch_cache_control(response, no_store=True)
        return response
