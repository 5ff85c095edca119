"""The registry of pages the benchmark measures, and the site shell's own scenarios.

A scenario is a page requested over and over by each kind of user it names. Other apps
register theirs from their own ``bench.py`` module, found by ``discover()``::

    from cms.bench.scenarios import register

    register("offers", "/offers/")
    register("offer", lambda: OfferPage.objects.live().first().url, users=("anonymous",))

``path`` may be a callable, called once the bench data exists, for pages whose address
depends on generated rows.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

ANONYMOUS = "anonymous"
MEMBER = "member"
PEER_WORKER = "peer-worker"
# Who each signed-in kind of user is: a demo person, signed in by the bench.
USER_EMAILS = {MEMBER: "member@example.org", PEER_WORKER: "peer@example.org"}
USER_KINDS = (ANONYMOUS, MEMBER, PEER_WORKER)
# Scenarios name their users; most pages are measured for visitors and the demo member.
DEFAULT_USERS = (ANONYMOUS, MEMBER)

# Each app's optional module of scenarios and generators.
APP_MODULE = "bench"


@dataclass(frozen=True)
class Scenario:
    """One page to measure, for each kind of user in ``users``."""

    name: str
    path: str | Callable[[], str]
    users: tuple[str, ...] = DEFAULT_USERS
    # The status a working page answers with; anything else is reported beside the numbers.
    expected_status: int = 200

    def resolve_path(self) -> str:
        return self.path() if callable(self.path) else self.path


_scenarios: dict[str, Scenario] = {}
_discovered = False


def register(
    name: str,
    path: str | Callable[[], str],
    *,
    users: Iterable[str] = DEFAULT_USERS,
    expected_status: int = 200,
) -> Scenario:
    """Add a page to measure; names are unique across apps."""
    users = tuple(users)
    unknown = set(users) - set(USER_KINDS)
    if unknown:
        raise ValueError(f"Unknown user kinds {sorted(unknown)}: use {USER_KINDS}.")
    scenario = Scenario(name, path, users, expected_status)
    if name in _scenarios and _scenarios[name] != scenario:
        raise ValueError(f"A benchmark scenario called {name!r} is already registered.")
    _scenarios[name] = scenario
    return scenario


def discover() -> None:
    """Import ``<app>.bench`` for every project app that has one (needs Django set up)."""
    global _discovered
    if _discovered:
        return
    from django.apps import apps
    from django.conf import settings
    from django.utils.module_loading import module_has_submodule

    # The shell's offers directory keeps its scenarios and generator beside the harness.
    import_module(f"{__package__}.offers")
    project = Path(settings.BASE_DIR).resolve()
    for config in apps.get_app_configs():
        if config.name == "cms" or not Path(config.path).resolve().is_relative_to(project):
            continue
        if module_has_submodule(config.module, APP_MODULE):
            import_module(f"{config.name}.{APP_MODULE}")
    _discovered = True


def scenarios(names: Iterable[str] | None = None) -> list[Scenario]:
    """The registered scenarios in registration order, or just ``names`` in the order given."""
    discover()
    if not names:
        return list(_scenarios.values())
    missing = [name for name in names if name not in _scenarios]
    if missing:
        raise KeyError(
            f"No benchmark scenario called {', '.join(missing)}. "
            f"Choose from: {', '.join(_scenarios)}."
        )
    return [_scenarios[name] for name in dict.fromkeys(names)]


# --- The site shell's pages ---------------------------------------------------------------

register("home", "/")
register("content-page", "/about/")
register("nested-page", lambda: _deepest_bench_page().url)
register("search", "/search/?q=mental")
# Signed-in people are sent on from the log-in page, so only visitors see it.
register("login", "/accounts/login/", users=(ANONYMOUS,))
register("my-space", "/my-space/", users=(MEMBER,))


def _deepest_bench_page():
    """A generated page two levels below home, so its breadcrumbs have ancestors to show."""
    from ..models import ContentPage

    return ContentPage.objects.filter(slug__startswith="bench-page-").order_by("-path").first()
