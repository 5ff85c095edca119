"""Feedback trends in the Wagtail admin: a lead's feedback counted by theme, offer and
month, filterable by offer, theme and dates, as bar charts readable without colour (each
bar labelled and numbered, the same numbers in a table beside it) and as a CSV file whose
every download is written to the audit log. Hidden feedback (spam, abuse) is not counted.
"""

from django.urls import path, reverse
from django.utils.functional import cached_property
from django.views.generic import TemplateView
from wagtail.admin.auth import permission_denied
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from cms import audit
from cms.dates import day_in_words
from cms.exports import csv_response
from cms.exports import export_audit_subject as audit_subject
from cms.permissions import can

from ..forms.feedback import TrendsFilterForm
from ..models import Theme
from ..selectors import feedback as selectors


def trends_csv_rows(trends: selectors.Trends):
    """The trends as spreadsheet rows: a heading row, then one row per bar of each chart.
    Names are typed by people: ``csv_response`` keeps any from running as a formula."""
    yield ["Counted by", "Name", "Feedback", "Average rating (1 to 5)", "Felt listened to (%)"]
    for kind, _heading, rows in trends.sections():
        for row in rows:
            yield [
                kind,
                row.label,
                row.count,
                "" if row.average is None else f"{row.average:.1f}",
                row.listened_percent if row.count else "",
            ]


class FeedbackTrendsView(WagtailAdminTemplateMixin, TemplateView):
    """Counts of the lead's feedback by theme, offer and month, filterable, as bar charts
    with their numbers beside them in tables, and as a CSV file."""

    template_name = "coproduce/admin/feedback/trends.html"
    page_title = "Feedback trends"
    header_icon = "table"

    def dispatch(self, request, *args, **kwargs):
        if not can(request.user, "coproduce.view_feedback_trends"):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("feedback:index"), "label": "Feedback"},
            {"url": "", "label": self.page_title},
        ]

    def get(self, request, *args, **kwargs):
        user = request.user
        data = request.GET.copy()
        export = data.pop("export", [""])[0] == "csv"
        first, last = selectors.default_trend_period()
        form = TrendsFilterForm(
            data or None,
            offers=selectors.trend_offers(user),
            themes=Theme.objects.all(),
            initial={"date_from": first, "date_to": last},
        )
        values = form.cleaned_data if form.is_valid() else {}
        filters = selectors.TrendFilters(
            first=values.get("first", first),
            last=values.get("last", last),
            offer=values.get("offer"),
            theme=values.get("theme"),
        )
        trends = selectors.feedback_trends(user, filters)
        if export and not form.errors:
            return self.csv(trends)
        export_query = data.copy()
        export_query["export"] = "csv"
        context = self.get_context_data(
            form=form,
            trends=trends,
            period=f"{day_in_words(filters.first)} to {day_in_words(filters.last)}",
            export_url=f"{reverse('feedback_trends:index')}?{export_query.urlencode()}",
        )
        return self.render_to_response(context)

    def csv(self, trends: selectors.Trends):
        user = self.request.user
        audit.audit_export(
            user=user,
            instance=audit_subject(user),
            reason="Feedback trends exported (counts by theme, offer and month)",
            count=trends.total,
        )
        filters = trends.filters
        return csv_response(
            trends_csv_rows(trends),
            f"feedback-trends-{filters.first}-to-{filters.last}.csv",
        )


class FeedbackTrendsViewSet(ViewSet):
    """The trends page as a menu item beside the feedback list, for leads only."""

    name = "feedback_trends"
    url_prefix = "feedback-trends"
    icon = "table"
    menu_label = "Trends"

    def get_urlpatterns(self):
        return [path("", FeedbackTrendsView.as_view(), name="index")]

    @cached_property
    def menu_item_class(self):
        base = super().menu_item_class

        def is_shown(_self, request):
            return can(request.user, "coproduce.view_feedback_trends")

        return type(base.__name__, (base,), {"is_shown": is_shown})
