"""The registry behind "My space", the page people land on after signing in.

Like Wagtail's ``construct_homepage_panels``, each app adds panels with a hook::

    @hooks.register("construct_my_space_panels")
    def add_claims_panel(request, panels):
        panels.append(ClaimsPanel())

A panel decides from the person's roles whether it is shown, fetches its own data through
its app's selectors, and renders a template with a helpful empty state. A panel that shows
how many of something wait (claims to approve, messages to answer) names the querysets in
``counts()`` and reads the numbers with ``counted()``; a panel that shows one value (a date,
a total) names a one-column queryset in ``values()`` and reads it with ``valued()``. The page
reads every panel's counts and values in one query, so a person with many such panels does
not pay a query for each.

The page greets people by the name they chose. Names chosen in an app (a member's
involvement profile) reach the shell the same way, through a hook::

    @hooks.register("my_space_chosen_name")
    def involvement_name(user):
        return chosen_name(user)
"""

from django.db import connections
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from wagtail import hooks

HOOK_NAME = "construct_my_space_panels"
CHOSEN_NAME_HOOK = "my_space_chosen_name"
# Where the page keeps the numbers and values its panels show, read together, for this request.
COUNTS_ATTRIBUTE = "_my_space_counts"
VALUES_ATTRIBUTE = "_my_space_values"


class MySpacePanel:
    """One box on My space. Subclasses set the heading and template and fill the context."""

    name: str = ""
    heading: str = ""
    order: int = 100
    template_name: str = ""

    def is_shown(self, request) -> bool:
        return True

    def get_context_data(self, request) -> dict:
        return {}

    def counts(self, request) -> dict[str, QuerySet]:
        """The querysets whose sizes the panel shows, by name (none unless overridden)."""
        return {}

    def counted(self, request, name: str) -> int:
        """How many rows ``counts(request)[name]`` has, counted with every other panel's
        numbers when the page was put together (on its own otherwise)."""
        counted = getattr(request, COUNTS_ATTRIBUTE, {})
        if (self.name, name) in counted:
            return counted[self.name, name]
        return self.counts(request)[name].count()

    def values(self, request) -> dict[str, QuerySet]:
        """Single values the panel shows, by name: each a queryset of one column (``values()``
        or ``values_list()`` of one field or annotation), whose first row is the value, or
        None when it has no rows (none unless overridden)."""
        return {}

    def valued(self, request, name: str):
        """The value ``values(request)[name]`` holds, read with every other panel's numbers
        when the page was put together (on its own otherwise)."""
        kept = getattr(request, VALUES_ATTRIBUTE, {})
        if (self.name, name) in kept:
            return kept[self.name, name]
        return first_value(self.values(request)[name])

    def render(self, request) -> SafeString:
        context = {"panel": self, **self.get_context_data(request)}
        return render_to_string(self.template_name, context, request=request)


def panels_for(request) -> list[MySpacePanel]:
    """The panels this person may see, in order, with the numbers they show counted."""
    panels: list[MySpacePanel] = []
    for hook in hooks.get_hooks(HOOK_NAME):
        hook(request, panels)
    shown = sorted((p for p in panels if p.is_shown(request)), key=lambda p: (p.order, p.name))
    counts, values = read_together(
        counts={
            (panel.name, name): queryset
            for panel in shown
            for name, queryset in panel.counts(request).items()
        },
        values={
            (panel.name, name): queryset
            for panel in shown
            for name, queryset in panel.values(request).items()
        },
    )
    setattr(request, COUNTS_ATTRIBUTE, counts)
    setattr(request, VALUES_ATTRIBUTE, values)
    return shown


def count_together(querysets: dict) -> dict:
    """How many rows each queryset has (as ``.count()`` says), in one query for them all."""
    return read_together(counts=querysets)[0]


def first_value(queryset: QuerySet):
    """The first column of the queryset's first row, or None when it has no rows."""
    row = next(iter(queryset[:1]), None)
    if isinstance(row, dict):
        return next(iter(row.values()))
    if isinstance(row, tuple):
        return row[0]
    return row


def read_together(*, counts: dict | None = None, values: dict | None = None) -> tuple[dict, dict]:
    """How many rows each of ``counts`` has (as ``.count()`` says) and the ``first_value`` of
    each of ``values``, in one query for them all:
    ``SELECT (SELECT COUNT(*) FROM (…)), (SELECT … LIMIT 1), …``."""
    counts, values = counts or {}, values or {}
    querysets = [*counts.values(), *values.values()]
    databases = {queryset.db for queryset in querysets}
    if len(querysets) < 2 or len(databases) > 1:
        return (
            {key: queryset.count() for key, queryset in counts.items()},
            {key: first_value(queryset) for key, queryset in values.items()},
        )
    using = databases.pop()
    parts, params, converters = [], [], []
    for number, queryset in enumerate(counts.values()):
        query = queryset.order_by().values("pk").query
        # Django's own SQL for the queryset, its values passed apart as parameters.
        sql, query_params = query.get_compiler(using=using).as_sql()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) counted_{number})")  # noqa: S608
        params.extend(query_params)
    for queryset in values.values():
        compiler = queryset[:1].query.get_compiler(using=using)
        sql, query_params = compiler.as_sql()
        if len(compiler.select) != 1:
            raise ValueError(f"A My space value must be one column: {queryset.query}")
        parts.append(f"({sql})")
        params.extend(query_params)
        # What turns the database's value into Python's (a date from SQLite's text, say),
        # as the queryset itself would.
        converters.append((compiler, compiler.get_converters([compiler.select[0][0]])))
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    counted = dict(zip(counts, row[: len(counts)], strict=True))
    read = {}
    for key, value, (compiler, converter) in zip(
        values, row[len(counts) :], converters, strict=True
    ):
        if converter and value is not None:
            value = next(compiler.apply_converters([[value]], converter))[0]
        read[key] = value
    return counted, read


def name_to_greet(user) -> str:
    """The name My space greets someone by: the one they chose in an app, else their first
    name; empty when they have given neither (the page then says "Welcome", not "Hello.")."""
    for hook in hooks.get_hooks(CHOSEN_NAME_HOOK):
        name = (hook(user) or "").strip()
        if name:
            return name
    return user.first_name.strip()
