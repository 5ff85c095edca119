"""Wagtail admin viewsets of the site shell."""

from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.users.views.users import UserViewSet as WagtailUserViewSet

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
