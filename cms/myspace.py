"""The registry behind "My space", the page people land on after signing in.

Like Wagtail's ``construct_homepage_panels``, each app adds panels with a hook::

    @hooks.register("construct_my_space_panels")
    def add_claims_panel(request, panels):
        panels.append(ClaimsPanel())

A panel decides from the person's roles whether it is shown, fetches its own data through
its app's selectors, and renders a template with a helpful empty state.

The page greets people by the name they chose. Names chosen in an app (a member's
involvement profile) reach the shell the same way, through a hook::

    @hooks.register("my_space_chosen_name")
    def involvement_name(user):
        return chosen_name(user)
"""

from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from wagtail import hooks

HOOK_NAME = "construct_my_space_panels"
CHOSEN_NAME_HOOK = "my_space_chosen_name"


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

    def render(self, request) -> SafeString:
        context = {"panel": self, **self.get_context_data(request)}
        return render_to_string(self.template_name, context, request=request)


def panels_for(request) -> list[MySpacePanel]:
    """The panels this person may see, in order."""
    panels: list[MySpacePanel] = []
    for hook in hooks.get_hooks(HOOK_NAME):
        hook(request, panels)
    return sorted((p for p in panels if p.is_shown(request)), key=lambda p: (p.order, p.name))


def name_to_greet(user) -> str:
    """The name My space greets someone by: the one they chose in an app, else their first
    name; empty when they have given neither (the page then says "Welcome", not "Hello.")."""
    for hook in hooks.get_hooks(CHOSEN_NAME_HOOK):
        name = (hook(user) or "").strip()
        if name:
            return name
    return user.first_name.strip()
