"""The start of every page's <title>: "Error: " when a form on the page has errors.

A screen reader reads the title first, so people hear straight away that what they sent
needs fixing (the GOV.UK and NHS pattern). Any bound form or formset the view passed to the
template counts, so every form page gets it from the layout (``base.html`` wraps its title
in ``{% error_title %}``) without asking; a title that already says so is left as it is.
"""

from django import template
from django.forms import BaseForm, BaseFormSet

register = template.Library()

ERROR_PREFIX = "Error: "


def has_form_errors(context) -> bool:
    """Whether any form or formset in ``context`` was sent and has errors."""
    for value in context.flatten().values():
        if isinstance(value, BaseForm) and value.is_bound and value.errors:
            return True
        if isinstance(value, BaseFormSet) and value.is_bound and value.total_error_count():
            return True
    return False


class ErrorTitleNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context) -> str:
        title = self.nodelist.render(context)
        if title.startswith(ERROR_PREFIX) or not has_form_errors(context):
            return title
        return ERROR_PREFIX + title


@register.tag
def error_title(parser, token):
    """``{% error_title %}…{% enderror_title %}``: the title inside, after "Error: " when
    a form on the page has errors."""
    nodelist = parser.parse(("enderror_title",))
    parser.delete_first_token()
    return ErrorTitleNode(nodelist)
