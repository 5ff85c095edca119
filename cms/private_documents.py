"""Private documents: Wagtail documents that belong to a record (a meeting's papers, a
charter's evidence) are opened, chosen, edited and deleted only by people who may see that
record, through every route: Wagtail's document listing, chooser, edit, delete, multiple
upload and serve view, as well as the app's own view.

Collections alone cannot say this: the "Panel papers" collection grants every engagement
lead, of every organisation. Apps register which of their models hold documents (and the
private collection they keep them in); a document is then within reach of a person if
``visible_to`` lets them see a record holding it, or, while it is on no record yet, if they
or their organisation uploaded it. The shell imports no app: the registry is filled from
each app's ``wagtail_hooks.py``.
"""

from dataclasses import dataclass

from django.db.models import Q
from wagtail.permission_policies.collections import CollectionOwnershipPermissionPolicy

from .permissions import is_admin, visible_to


@dataclass(frozen=True)
class _Holder:
    model: type
    field: str


_holders: list[_Holder] = []
_private_collections: set[str] = set()


def register_private_documents(model, *, field: str = "document", collection: str = ""):
    """Documents named by ``model.<field>`` (and every document in ``collection``) are
    private: within reach only of people who may see a ``model`` record holding them."""
    holder = _Holder(model, field)
    if holder not in _holders:
        _holders.append(holder)
    if collection:
        _private_collections.add(collection)


def _held() -> Q:
    held = Q(pk__in=[])
    for holder in _holders:
        held |= Q(pk__in=holder.model._default_manager.values(holder.field))
    return held


def _private() -> Q:
    return Q(collection__name__in=sorted(_private_collections)) | _held()


def _within_reach(user) -> Q:
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if is_admin(user):
        return Q(pk__isnull=False)
    reach = Q(pk__in=[])
    for holder in _holders:
        reach |= Q(pk__in=visible_to(user, holder.model).values(holder.field))
    uploaded = Q(uploaded_by_user=user)
    if getattr(user, "organisation_id", None):
        uploaded |= Q(uploaded_by_user__organisation_id=user.organisation_id)
    return reach | (~_held() & uploaded)


def documents_within_reach(user, documents):
    """``documents`` narrowed to the public ones and the private ones ``user`` may reach."""
    return documents.filter(~_private() | _within_reach(user))


def is_private(document) -> bool:
    return type(document)._default_manager.filter(_private(), pk=document.pk).exists()


def may_reach(user, document) -> bool:
    """Whether ``user`` may open (and, with Wagtail's collection permissions, change)
    ``document``."""
    return documents_within_reach(
        user, type(document)._default_manager.filter(pk=document.pk)
    ).exists()


class PrivateDocumentPermissionPolicy(CollectionOwnershipPermissionPolicy):
    """Wagtail's document policy (collections and ownership), narrowed to the documents a
    person may reach: another organisation's papers are neither listed, chosen, edited,
    replaced nor deleted, whatever the collection grants."""

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return super().user_has_any_permission_for_instance(user, actions, instance) and may_reach(
            user, instance
        )

    def instances_user_has_any_permission_for(self, user, actions):
        return documents_within_reach(
            user, super().instances_user_has_any_permission_for(user, actions)
        )
