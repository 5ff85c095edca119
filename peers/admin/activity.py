"""HR's numbers of peer work in the Wagtail admin: an organisation's hours, sessions,
settings and topics by month and per team, over the last 12 months.

Numbers only, counted in SQL by ``peers.selectors.activity``: never a note, a person's
reference or a session. They are counts of staff activity, not of people supported, so
small numbers are shown as they are. HR sees their own organisation; partnership-wide HR
and admins choose any organisation with peer workers.
"""

from django.urls import path
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import TemplateView
from wagtail.admin.auth import permission_denied
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from cms.permissions import can

from ..forms.workers import ActivityFilterForm
from ..selectors import activity as selectors


class PeerActivityView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "peers/admin/activity.html"
    page_title = "Peer work activity"
    header_icon = "table"

    def dispatch(self, request, *args, **kwargs):
        if not can(request.user, "peers.view_aggregates"):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organisations = selectors.organisations_for_aggregates(self.request.user)
        form = ActivityFilterForm(self.request.GET or None, organisations=organisations)
        organisation = (
            form.cleaned_data["organisation"] if form.is_valid() else None
        ) or organisations.first()
        today = timezone.localdate()
        start = selectors.months_back(today)
        numbers = None
        if organisation is not None and can(
            self.request.user, "peers.view_aggregates", organisation
        ):
            numbers = selectors.organisation_activity(
                organisation=organisation, start=start, end=today
            )
        context.update(
            form=form,
            show_form=organisations.count() > 1,
            organisation=organisation,
            numbers=numbers,
            activity=numbers.activity if numbers else None,
            start=start,
            end=today,
        )
        return context


class PeerActivityViewSet(ViewSet):
    """The numbers page, in the peer work menu for HR and admins only."""

    name = "peer_activity"
    url_prefix = "peer-activity"
    icon = "table"
    menu_label = "Activity"
    menu_order = 120

    def get_urlpatterns(self):
        return [path("", PeerActivityView.as_view(), name="index")]

    @cached_property
    def menu_item_class(self):
        base = super().menu_item_class

        def is_shown(_self, request):
            return can(request.user, "peers.view_aggregates")

        return type(base.__name__, (base,), {"is_shown": is_shown})
