"""Wagtail admin viewsets of the site shell, and the scoped viewset every app's admin uses."""

from django.http import Http404
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history, usage
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.users.views.users import UserViewSet as WagtailUserViewSet

from . import permissions
from .forms import UserCreationForm, UserEditForm
from .models import Organisation


class UserViewSet(WagtailUserViewSet):
    def get_form_class(self, for_update=False):
        return UserEditForm if for_update else UserCreationForm


class OrganisationViewSet(ModelViewSet):
    """The partnership's organisations, managed by administrators."""

    model = Organisation
    icon = "site"
    menu_label = "Organisations"
    menu_order = 610
    add_to_settings_menu = True
    list_display = ["name", "kind", "area", "website"]
    list_filter = ["kind"]
    list_export = ["name", "kind", "area", "website"]
    export_filename = "organisations"
    search_fields = ["name", "area"]
    inspect_view_enabled = True
    form_fields = ["name", "kind", "area", "website"]


# --- Viewsets scoped to what a person may see ----------------------------------------------


class _ScopedObject:
    """Any single-record view (edit, inspect, delete, history, usage, copy): a record the
    person may not see is a 404, exactly like one that does not exist."""

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        visible = permissions.visible_to(self.request.user, type(obj)._default_manager.all())
        if not visible.filter(pk=obj.pk).exists():
            raise Http404
        return obj


class _ScopedIndex:
    """The listing, its filters, counts and exports: only records the person may see."""

    def get_base_queryset(self):
        return permissions.visible_to(self.request.user, super().get_base_queryset())


def _scoped(view_class, mixin):
    return type(f"Scoped{view_class.__name__}", (mixin, view_class), {})


class ScopedModelViewSet(ModelViewSet):
    """A ModelViewSet whose every view shows only ``visible_to(user, model)``.

    Wagtail's model permissions still decide which actions a role has (add, change,
    delete); this narrows *which records* to those of the person's organisation, panels or
    own, using the same rule as every front-end list.
    """

    index_view_class = _scoped(generic.IndexView, _ScopedIndex)
    edit_view_class = _scoped(generic.EditView, _ScopedObject)
    delete_view_class = _scoped(generic.DeleteView, _ScopedObject)
    inspect_view_class = _scoped(generic.InspectView, _ScopedObject)
    history_view_class = _scoped(history.HistoryView, _ScopedObject)
    usage_view_class = _scoped(usage.UsageView, _ScopedObject)
    copy_view_class = _scoped(generic.CopyView, _ScopedObject)
