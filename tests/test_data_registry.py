"""The registry of personal data covers every model that holds information about a person.

A model that links to a user, or to a record that belongs to a person (a claim, a session
log, a job application), is personal data: it must be declared in its app's
``personal_data.py`` so downloads, erasure, retention and the privacy notice include it.
"""

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Q

from cms import data_registry
from cms.data_registry import SPECIAL_CATEGORY, DataClass, Fate


def _links(model):
    """(field, target) for each link a model declares itself (not inherited ones)."""
    for f in model._meta.get_fields():
        declared = f.is_relation and not f.auto_created and (f.concrete or f.many_to_many)
        if declared and f.model._meta.concrete_model is model._meta.concrete_model:
            yield f, f.related_model


def _person_models():
    return {e.model._meta.concrete_model for e in data_registry.entries() if e.owner}


def _covered_links(model):
    covered = set()
    for entry in data_registry.entries_for(model):
        if entry.owner:
            covered.add(entry.owner.split("__")[0])
        covered.update(entry.staff_links)
    for links in data_registry.staff_links():
        if links.model._meta.concrete_model is model._meta.concrete_model:
            covered.update(links.fields)
    return covered


def test_every_link_to_a_user_is_declared():
    user_model = get_user_model()
    missing = []
    for model in apps.get_models(include_auto_created=False):
        if model._meta.proxy:
            continue
        covered = _covered_links(model)
        for f, target in _links(model):
            if target is user_model and f.name not in covered:
                missing.append(f"{model._meta.label}.{f.name}")
    assert not missing, (
        "These link to a person's account but are not in the registry of personal data "
        "(declare them in the app's personal_data.py, as the person's data or as a staff "
        f"link): {missing}"
    )


def test_every_model_linked_to_a_persons_record_is_registered():
    people = _person_models()
    registered = {e.model._meta.concrete_model for e in data_registry.entries()}
    missing = []
    for model in apps.get_models(include_auto_created=False):
        if model._meta.proxy or model in registered:
            continue
        for f, target in _links(model):
            if target is not None and target._meta.concrete_model in people:
                missing.append(f"{model._meta.label}.{f.name} → {target._meta.label}")
    assert not missing, f"These hold records about a person but are not registered: {missing}"


@pytest.mark.parametrize("entry", data_registry.entries(), ids=lambda e: e.key)
def test_each_entry_is_complete_and_works(entry, django_db_blocker):
    assert entry.label and entry.purpose and entry.retention.reason
    if entry.data_class in SPECIAL_CATEGORY:
        assert entry.condition is not None
    # Every named field exists; erasing knows a blank for each.
    assert entry.export_fields()
    if Fate.ANONYMISE in (entry.on_close, entry.retention.then):
        assert entry.blanks()
    # The owner lookup and the retention clock are real lookups.
    with django_db_blocker.unblock():
        user = get_user_model()(pk=1)
        str(entry.owned_by(user).query)
        from django.utils import timezone

        if entry.retention.counted_from:
            str(entry.due_for_retention(timezone.now()).query)
    assert isinstance(entry.retention.only, Q | None)


def test_every_kind_of_data_the_privacy_notice_names_is_used():
    used = {e.data_class for e in data_registry.entries()}
    assert used == set(DataClass), f"No records registered for: {set(DataClass) - used}"
