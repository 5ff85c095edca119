"""Wagtail admin viewsets of the site shell, and the scoped viewset every app's admin uses."""

from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Permission
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.views import View
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.auth import permission_denied
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history, usage
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.models import CopyViewMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.users.views.users import CreateView as WagtailUserCreateView
from wagtail.users.views.users import EditView as WagtailUserEditView
from wagtail.users.views.users import UserViewSet as WagtailUserViewSet

from . import permissions, staff_accounts
from .admin_dates import typed_dates
from .exports import SafeIndexView, SpreadsheetSafeExportMixin
from .forms import AuthenticatorResetForm, UserCreationForm, UserEditForm, add_once_only_field
from .models import Organisation, User
from .refusals import Refused
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


# --- People ----------------------------------------------------------------------------------


class RuleGuardedViewSet:
    """For a ModelViewSet of records that Wagtail's own views never edit, reached only by
    the people one permission rule (``rule``) allows, on pages of the viewset's own.

    Links to a record from elsewhere in the admin (site history) go to ``record_url_name``,
    for those the rule allows; Django's model permissions are not offered to groups (the
    rule decides, so they would change nothing); and Wagtail's edit, delete, history and
    usage views are switched off, with its add view too unless ``allow_add``.
    """

    rule: str = ""
    record_url_name: str = ""
    allow_add: bool = False

    @property
    def url_finder_class(self):
        rule = self.rule

        class RuleGuardedURLFinder(ModelAdminURLFinder):
            edit_url_name = self.record_url_name

            def get_edit_url(self, instance):
                if self.user and not permissions.can(self.user, rule):
                    return None
                return self.construct_edit_url(instance)

        return RuleGuardedURLFinder

    def get_permissions_to_register(self):
        return Permission.objects.none()

    def get_common_view_kwargs(self, **kwargs):
        switched_off = ["edit", "delete", "history", "usage"]
        if not self.allow_add:
            switched_off.append("add")
        return super().get_common_view_kwargs(
            **{**{f"{view}_url_name": None for view in switched_off}, **kwargs}
        )


class InvitingCreateView(WagtailUserCreateView):
    """Adding a person emails them an invitation to choose their own password."""

    success_message = "%(object)s has been added and emailed an invitation to choose a password."

    def save_instance(self):
        person = super().save_instance()
        refusal = staff_accounts.invitation_refusal(by=self.request.user, person=person)
        if refusal:
            messages.warning(self.request, refusal)
        else:
            staff_accounts.person_invite(person=person, by=self.request.user)
        return person


class PersonEditView(WagtailUserEditView):
    """A person's page, with how they sign in: an invitation still waiting to be used (sent
    again from here) and their authenticator (reset from here, by someone else)."""

    send_invitation_url_name = ""
    reset_authenticator_url_name = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        person, by = self.object, self.request.user
        context["sign_in"] = {
            "name": str(person),
            "invitation_waiting": not person.has_usable_password(),
            "may_invite": staff_accounts.invitation_refusal(by=by, person=person) is None,
            "invite_url": reverse(self.send_invitation_url_name, args=[person.pk]),
            "has_authenticator": Authenticator.objects.filter(user=person).exists(),
            "may_reset": staff_accounts.authenticator_reset_refusal(by=by, person=person) is None,
            "reset_url": reverse(self.reset_authenticator_url_name, args=[person.pk]),
            "editing_self": self.editing_self,
            "own_security_url": reverse("mfa_index"),
        }
        return context


class InvitingCopyView(CopyViewMixin, InvitingCreateView):
    """A person made from a copy of another is invited like anyone added."""


class _PersonSignInView(WagtailAdminTemplateMixin):
    """An administrator's action on how someone signs in: Wagtail's "no permission" for
    anyone else, a 404 for nobody, and the person's page with a message when the action
    does not apply to them (``refusal``)."""

    header_icon = "user"
    index_url_name = ""
    edit_url_name = ""

    def dispatch(self, request, *args, **kwargs):
        if not permissions.can(request.user, staff_accounts.RULE):
            return permission_denied(request)
        self.person = get_object_or_404(User, pk=kwargs["pk"])
        refusal = self.refusal()
        if refusal:
            messages.warning(request, refusal)
            return self.back_to_person()
        return super().dispatch(request, *args, **kwargs)

    def refusal(self) -> str | None:
        return None

    def back_to_person(self):
        return redirect(self.edit_url_name, self.person.pk)

    def get_page_subtitle(self):
        return str(self.person)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.index_url_name), "label": "Users"},
            {"url": reverse(self.edit_url_name, args=[self.person.pk]), "label": str(self.person)},
            {"url": "", "label": self.get_page_title()},
        ]


class SendInvitationView(_PersonSignInView, View):
    """The "send the invitation again" button: a new link, and earlier ones stop working."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            staff_accounts.person_invite(person=self.person, by=request.user)
        except Refused as refusal:
            messages.warning(request, refusal.message)
        else:
            messages.success(
                request,
                f"A new invitation has been emailed to {self.person.email}. "
                "Links in earlier invitations no longer work.",
            )
        return self.back_to_person()


class AuthenticatorResetView(_PersonSignInView, FormView):
    """Asks why, then removes someone's authenticator app and recovery codes."""

    page_title = "Reset authenticator"
    template_name = "cms/admin/users/reset_authenticator.html"
    form_class = AuthenticatorResetForm

    def refusal(self) -> str | None:
        return staff_accounts.authenticator_reset_refusal(by=self.request.user, person=self.person)

    def form_valid(self, form):
        try:
            staff_accounts.authenticator_reset(
                person=self.person, by=self.request.user, reason=form.cleaned_data["reason"]
            )
        except Refused as refusal:
            form.add_error(None, refusal.message)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"{self.person}’s authenticator has been reset and they have been signed out. "
            "They have been emailed, and will set up a new one when they next sign in.",
        )
        return self.back_to_person()

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        cancel_url = reverse(self.edit_url_name, args=[self.person.pk])
        return super().get_context_data(person=self.person, cancel_url=cancel_url, **kwargs)


class UserViewSet(OnceOnlyAddViewSet, WagtailUserViewSet):
    """People: added with an invitation to choose their own password (no administrator
    types one: ``WAGTAILUSERS_PASSWORD_ENABLED`` is off), their organisation on their form,
    and an administrator's two actions on how they sign in."""

    create_template_name = "cms/admin/users/create.html"
    edit_template_name = "cms/admin/users/edit.html"
    add_view_class = InvitingCreateView
    copy_view_class = InvitingCopyView
    edit_view_class = PersonEditView

    def get_form_class(self, for_update=False):
        return UserEditForm if for_update else UserCreationForm

    def get_edit_view_kwargs(self, **kwargs):
        return super().get_edit_view_kwargs(
            send_invitation_url_name=self.get_url_name("send_invitation"),
            reset_authenticator_url_name=self.get_url_name("reset_authenticator"),
            **kwargs,
        )

    def _sign_in_view(self, view_class):
        return view_class.as_view(
            index_url_name=self.get_url_name("index"), edit_url_name=self.get_url_name("edit")
        )

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path(
                "send-invitation/<int:pk>/",
                self._sign_in_view(SendInvitationView),
                name="send_invitation",
            ),
            path(
                "reset-authenticator/<int:pk>/",
                self._sign_in_view(AuthenticatorResetView),
                name="reset_authenticator",
            ),
        ]


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
    list_export = ["name", "kind", "area", "website", "on_call_phone", "on_call_when"]
    export_filename = "organisations"
    search_fields = ["name", "area"]
    inspect_view_enabled = True
    form_fields = ["name", "kind", "area", "website", "on_call_phone", "on_call_when"]


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
