"""Walk Django's URL resolver: every URL the site resolves, with a path to request.

Each route also says which view answers it and, for the Wagtail admin, whether the project
added it (``is_ours``): a view written in one of our packages, or any view of a viewset or
snippet our packages register (whose add and edit views may be Wagtail's own classes). The
access matrix needs a row for each of ours; Wagtail's own admin URLs share its prefix row.
"""

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern, RoutePattern

PROJECT_PACKAGES = ("cms", "coproduce", "peers", "charter")

SAMPLE_BY_CONVERTER = {
    "int": "1",
    "str": "x",
    "slug": "x",
    "uuid": "00000000-0000-0000-0000-000000000001",
    "path": "x/",
}


def _is_ours(module: str) -> bool:
    return module.split(".", 1)[0] in PROJECT_PACKAGES


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", or "" for unnamed patterns
    pattern: str  # the pattern's own text, for messages
    sample_path: str  # a concrete path with sample values filled in
    view: str  # dotted path of the view class or function
    kwargs: tuple[str, ...]  # the names of the values the path carries
    model: type | None = None  # the model of the admin viewset the route belongs to
    viewset_is_ours: bool = False
    full_pattern: str = ""  # joined from the site's root, as Django's ResolverMatch.route

    @property
    def key(self) -> str:
        """How the access matrix names this route: its URL name, else its full pattern."""
        return self.name or self.full_pattern

    @property
    def is_admin(self) -> bool:
        return self.sample_path.startswith("/admin/")

    @property
    def is_ours(self) -> bool:
        """Added by the project: our own view, or a view of a viewset we register."""
        return _is_ours(self.view) or self.viewset_is_ours

    def path(self, **kwargs) -> str:
        """The path with ``kwargs`` filled in (the sample path when there are none)."""
        if not self.kwargs:
            return self.sample_path
        return reverse(self.name, kwargs=kwargs)


def _sample(pattern) -> str:
    if isinstance(pattern, RoutePattern):
        route = str(pattern)

        def fill(match):
            converter = match.group(1) or "str"
            return SAMPLE_BY_CONVERTER.get(converter, "1")

        return re.sub(r"<(?:(\w+):)?\w+>", fill, route)
    if isinstance(pattern, RegexPattern):
        regex = str(pattern).lstrip("^").rstrip("$").replace("\\Z", "")

        # Fill each group with a sample that its own sub-pattern accepts.
        def fill_group(match):
            body = match.group(0)
            if "\\d" in body or "[0-9]" in body and "A-Za-z" not in body:
                return "1"
            return "x"

        # Named or plain groups, innermost first.
        previous = None
        while previous != regex:
            previous = regex
            regex = re.sub(r"\((?:\?P<\w+>|\?:)?[^()]*\)[*+?]?", fill_group, regex)
        return regex.replace("\\", "").replace("^", "").replace("$", "")
    raise TypeError(f"Unknown pattern type {type(pattern)!r}")


def _kwarg_names(pattern) -> tuple[str, ...]:
    if isinstance(pattern, RoutePattern):
        return tuple(re.findall(r"<(?:\w+:)?(\w+)>", str(pattern)))
    return tuple(re.findall(r"\?P<(\w+)>", str(pattern)))


def _view_path(callback) -> str:
    """The view behind ``callback``, through decorators such as Wagtail's admin-access
    check (a closure that keeps the view it wraps)."""
    view = callback
    for _ in range(10):
        view_class = getattr(view, "view_class", None)
        if view_class is not None:
            return f"{view_class.__module__}.{view_class.__qualname__}"
        inner = getattr(view, "__wrapped__", None)
        if inner is None:
            cells = [cell.cell_contents for cell in getattr(view, "__closure__", None) or ()]
            inner = next((c for c in cells if callable(c) and hasattr(c, "__code__")), None)
        if inner is None:
            break
        view = inner
    return f"{getattr(view, '__module__', '?')}.{getattr(view, '__qualname__', '?')}"


def _admin_viewsets() -> dict[str, tuple[type | None, bool]]:
    """Each registered admin viewset's URL namespace: its model, and whether it is ours."""
    from wagtail.admin.viewsets import viewsets

    found = {}
    for viewset in viewsets.viewsets:
        if not getattr(viewset, "name", None):
            continue  # page type viewsets: no URLs of their own
        namespace = viewset.url_namespace
        model = getattr(viewset, "model", None)
        if isinstance(model, str):
            model = None
        ours = _is_ours(type(viewset).__module__) or (
            model is not None and model._meta.app_label in PROJECT_PACKAGES
        )
        found[namespace] = (model, ours)
    return found


def _join(prefix: str, pattern: str) -> str:
    """Join patterns as Django does for ``ResolverMatch.route`` (an inner ``^`` dropped)."""
    return prefix + pattern.removeprefix("^") if prefix else pattern


def walk(resolver=None, prefix="", namespace=None, pattern_prefix="", viewsets=None):
    resolver = resolver or get_resolver()
    if viewsets is None:
        resolver.url_patterns  # noqa: B018 - loading the URLconf registers the viewsets
        viewsets = _admin_viewsets()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner_namespace = namespace
            if entry.namespace:
                inner_namespace = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from walk(
                entry,
                prefix + _sample(entry.pattern),
                inner_namespace,
                _join(pattern_prefix, str(entry.pattern)),
                viewsets,
            )
        elif isinstance(entry, URLPattern):
            name = entry.name or ""
            if name and namespace:
                name = f"{namespace}:{name}"
            model, viewset_is_ours = viewsets.get(namespace or "", (None, False))
            yield Route(
                name=name,
                pattern=str(entry.pattern),
                sample_path="/" + prefix + _sample(entry.pattern),
                view=_view_path(entry.callback),
                kwargs=_kwarg_names(entry.pattern),
                model=model,
                viewset_is_ours=viewset_is_ours,
                full_pattern=_join(pattern_prefix, str(entry.pattern)),
            )


def all_routes() -> list[Route]:
    return list(walk())
