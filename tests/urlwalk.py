"""Walk Django's URL resolver: every named URL the site resolves, with a path to request."""

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

SAMPLE_BY_CONVERTER = {
    "int": "1",
    "str": "x",
    "slug": "x",
    "uuid": "00000000-0000-0000-0000-000000000001",
    "path": "x/",
}


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", or "" for unnamed patterns
    pattern: str  # the joined pattern text, for messages
    sample_path: str  # a concrete path with sample values filled in


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


def walk(resolver=None, prefix="", namespace=None):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner_namespace = namespace
            if entry.namespace:
                inner_namespace = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from walk(entry, prefix + _sample(entry.pattern), inner_namespace)
        elif isinstance(entry, URLPattern):
            name = entry.name or ""
            if name and namespace:
                name = f"{namespace}:{name}"
            yield Route(
                name=name,
                pattern=str(entry.pattern),
                sample_path="/" + prefix + _sample(entry.pattern),
            )


def all_routes() -> list[Route]:
    return list(walk())
