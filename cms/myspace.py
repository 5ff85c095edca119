"""The registry behind "My space", the page people land on after signing in.

Like Wagtail's ``construct_homepage_panels``, each app adds panels with a hook::

    @hooks.register("construct_my_space_panels")
    def add_claims_panel(request, panels):
        panels.append(ClaimsPanel())

A panel decides from the person's roles whether it is shown, fetches its own data through
its app's selectors, and renders a template with a helpful empty state. A panel that shows
how many of something wait (claims to approve, messages to answer) names the querysets in
``counts()`` and reads the numbers with ``counted()``: the page counts every panel's in one
query, so a person with many such panels does not pay a query for each.

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
# Where the page keeps the numbers its panels show, counted together, for this request.
COUNTS_ATTRIBUTE = "_my_space_counts"


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

    def render(self, request) -> SafeString:
        context = {"panel": self, **self.get_context_data(request)}
        return render_to_string(self.template_name, context, request=request)


def panels_for(request) -> list[MySpacePanel]:
    """The panels this person may see, in order, with the numbers they show counted."""
    panels: list[MySpacePanel] = []
    for hook in hooks.get_hooks(HOOK_NAME):
        hook(request, panels)
    shown = sorted((p for p in panels if p.is_shown(request)), key=lambda p: (p.order, p.name))
    setattr(
        request,
        COUNTS_ATTRIBUTE,
        count_together(
            {
                (panel.name, name): queryset
                for panel in shown
                for name, queryset in panel.counts(request).items()
            }
        ),
    )
    return shown


def count_together(querysets: dict) -> dict:
    """How many rows each queryset has (as ``.count()`` says), in one query for them all:
    ``SELECT (SELECT COUNT(*) FROM (…)), (SELECT COUNT(*) FROM (…)), …``."""
    if len(querysets) < 2:
        return {key: queryset.count() for key, queryset in querysets.items()}
    databases = {queryset.db for queryset in querysets.values()}
    if len(databases) > 1:
        return {key: queryset.count() for key, queryset in querysets.items()}
    using = databases.pop()
    parts, params = [], []
    for number, queryset in enumerate(querysets.values()):
        query = queryset.order_by().values("pk").query
        # Django's own SQL for the queryset, its values passed apart as parameters.
        sql, query_params = query.get_compiler(using=using).as_sql()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) counted_{number})")  # noqa: S608
        params.extend(query_params)
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return dict(zip(querysets, row, strict=True))


def name_to_greet(user) -> str:
    """The name My space greets someone by: the one they chose in an app, else their first
    name; empty when they have given neither (the page then says "Welcome", not "Hello.")."""
    for hook in hooks.get_hooks(CHOSEN_NAME_HOOK):
        name = (hook(user) or "").strip()
        if name:
            return name
    return user.first_name.strip()
