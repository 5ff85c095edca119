"""Wagtail admin viewsets of the site shell, and the scoped viewset every app's admin uses."""

from django.http import Http404
from django.shortcuts import redirect
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history, usage
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.users.views.users import UserViewSet as WagtailUserViewSet

from . import permissions
from .admin_dates import typed_dates
from .exports import SafeIndexView, SpreadsheetSafeExportMixin
from .forms import UserCreationForm, UserEditForm, add_once_only_field
from .models import Organisation
from .submissions import repeat_of, submit_once


class OnceOnlyCreateView:
    """A Wagtail admin create view whose form, sent twice (a double click, two posts at
    once), creates one record: the same token and ``submit_once`` as the front-end forms.
    A repeat goes where the first post went, with no second record and no error."""

    def get_form(self, *args, **kwargs):
        form = super().get_form(*args, **kwargs)
        add_once_only_field(form)
        return form

    @property
    def once_only_key(self) -> str:
        return f"admin.{self.model._meta.label_lower}"

    def form_valid(self, form):
        responses = []

        def create():
            responses.append(super(OnceOnlyCreateView, self).form_valid(form))
            return self.object

        submitted = submit_once(
            form=form, user=self.request.user, create=create, key=self.once_only_key
        )
        return responses[0] if not submitted.repeated else self._after_repeat(submitted)

    def form_invalid(self, form):
        # The second of two posts can fail the form's own checks ("this name is taken")
        # because the first one's record now exists: that is a repeat, not a mistake.
        submitted = repeat_of(form=form, user=self.request.user, key=self.once_only_key)
        if submitted is not None:
            return self._after_repeat(submitted)
        return super().form_invalid(form)

    def _after_repeat(self, submitted):
        if submitted.record is None:
            return redirect(self.index_url_name)
        self.object = submitted.record
        return redirect(self.get_success_url())


class OnceOnlyAddViewSet:
    """Gives a ModelViewSet's create view (its own or Wagtail's) ``OnceOnlyCreateView``."""

    @property
    def add_view(self):
        view_class = self.add_view_class
        if not issubclass(view_class, OnceOnlyCreateView):
            view_class = type(
                f"OnceOnly{view_class.__name__}", (OnceOnlyCreateView, view_class), {}
            )
        return self.construct_view(view_class, **self.get_add_view_kwargs())


class UserViewSet(OnceOnlyAddViewSet, WagtailUserViewSet):
    create_template_name = "cms/admin/users/create.html"
    edit_template_name = "cms/admin/users/edit.html"

    def get_form_class(self, for_update=False):
        return UserEditForm if for_update else UserCreationForm


class OrganisationViewSet(OnceOnlyAddViewSet, ModelViewSet):
    """The partnership's organisations, managed by administrators."""

    model = Organisation
    index_view_class = SafeIndexView
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


def _scoped(view_class, *mixins):
    return type(f"Scoped{view_class.__name__}", (*mixins, view_class), {})


class ScopedModelViewSet(OnceOnlyAddViewSet, ModelViewSet):
    """A ModelViewSet whose every view shows only ``visible_to(user, model)``.

    Wagtail's model permissions still decide which actions a role has (add, change,
    delete); this narrows *which records* to those of the person's organisation, panels or
    own, using the same rule as every front-end list. Its listing's CSV and Excel exports
    are spreadsheet-safe (``cms.exports``), so an app's export cannot forget to be, and
    its create view makes one record however often its form is sent (``cms.submissions``).
    """

    index_view_class = _scoped(generic.IndexView, SpreadsheetSafeExportMixin, _ScopedIndex)
    edit_view_class = _scoped(generic.EditView, _ScopedObject)
    delete_view_class = _scoped(generic.DeleteView, _ScopedObject)
    inspect_view_class = _scoped(generic.InspectView, _ScopedObject)
    history_view_class = _scoped(history.HistoryView, _ScopedObject)
    usage_view_class = _scoped(usage.UsageView, _ScopedObject)
    copy_view_class = _scoped(generic.CopyView, _ScopedObject)

    def get_add_view_kwargs(self, **kwargs):
        view_kwargs = super().get_add_view_kwargs(**kwargs)
        return {**view_kwargs, "form_class": typed_dates(view_kwargs["form_class"])}

    def get_edit_view_kwargs(self, **kwargs):
        view_kwargs = super().get_edit_view_kwargs(**kwargs)
        return {**view_kwargs, "form_class": typed_dates(view_kwargs["form_class"])}
