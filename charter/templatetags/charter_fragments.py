"""Template tags for the charter's markup that is written in Python (``charter.fragments``)."""

from django import template

from charter import fragments

register = template.Library()


@register.simple_tag
def rag_status(status):
    return fragments.status_html(status)


@register.simple_tag
def trend_chart(chart, chart_id, title):
    return fragments.chart_html(chart, chart_id=chart_id, title=title)


@register.simple_tag
def dashboard_measures(measures):
    return fragments.dashboard_measures_html(measures)
