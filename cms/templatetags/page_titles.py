"""The start of every page's <title>: "Error: " when a form on the page has errors.

A screen reader reads the title first, so people hear straight away that what they sent
needs fixing (the GOV.UK and NHS pattern). Any bound form or formset the view passed to the
template counts, so every form page gets it from the layout (``base.html`` wraps its title
in ``{% error_title %}``) without asking. This tag is the one home of the rule: no template
writes "Error: " in its own title (``tests/cms/test_page_titles.py`` fails if one does).
"""

from django import template
from django.forms import BaseForm, BaseFormSet

register = template.Library()

ERROR_PREFIX = "Error: "


def has_form_errors(context) -> bool:
    """Whether any form or formset in ``context`` was sent and has errors.

    Only the context's top-level values are looked at, by their real type: ``isinstance``
    would open lazy values such as ``csrf_token`` and ``user``, and opening ``csrf_token``
    sets a cookie on every page, so anonymous pages could no longer be cached.
    """
    for layer in context.dicts:
        for value in layer.values():
            kind = type(value)
            if issubclass(kind, BaseForm) and value.is_bound and value.errors:
                return True
            if issubclass(kind, BaseFormSet) and value.is_bound and value.total_error_count():
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
