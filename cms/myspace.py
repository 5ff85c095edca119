"""The registry behind "My space", the page people land on after signing in.

Like Wagtail's ``construct_homepage_panels``, each app adds panels with a hook::

    @hooks.register("construct_my_space_panels")
    def add_claims_panel(request, panels):
        panels.append(ClaimsPanel())

A panel decides from the person's roles whether it is shown, fetches its own data through
its app's selectors, and renders a template with a helpful empty state.
"""

from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from wagtail import hooks

HOOK_NAME = "construct_my_space_panels"


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
