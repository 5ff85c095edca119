"""Sensitive records leave an append-only trail of who viewed or changed them, and why."""

import pytest
from wagtail.models import ModelLogEntry

from cms import audit
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_viewing_a_record_is_logged_with_who_and_why(make_person):
    supervisor = make_person("supervisor")
    record = OrganisationFactory(name="Audited Org")
    audit.audit_view(user=supervisor, instance=record, reason="Supervision review")
    entry = ModelLogEntry.objects.get(action=audit.VIEW)
    assert entry.user_id == supervisor.pk
    assert entry.object_id == str(record.pk)
    assert entry.data["reason"] == "Supervision review"
    assert entry.timestamp is not None


def test_changes_record_field_names_never_values(make_person):
    hr = make_person("hr")
    record = OrganisationFactory(name="Audited Org")
    audit.audit_change(user=hr, instance=record, reason="Corrected area", fields=["area"])
    entry = ModelLogEntry.objects.get(action=audit.CHANGE)
    assert entry.data == {"reason": "Corrected area", "fields": ["area"]}


def test_exports_and_erasures_are_logged(make_person):
    admin = make_person("admin")
    record = OrganisationFactory(name="Audited Org")
    audit.audit_export(user=admin, instance=record, reason="Subject access request", count=12)
    audit.audit_erase(user=admin, instance=record, reason="Erasure request")
    assert set(ModelLogEntry.objects.values_list("action", flat=True)) == {
        audit.EXPORT,
        audit.ERASE,
    }


def test_an_audit_entry_needs_a_reason(make_person):
    with pytest.raises(ValueError):
        audit.audit_view(user=make_person("admin"), instance=OrganisationFactory(), reason="")


def test_admins_read_the_audit_log_in_the_wagtail_admin(client_as, make_person):
    record = OrganisationFactory(name="Audited Org")
    audit.audit_view(user=make_person("supervisor"), instance=record, reason="Safeguarding check")
    client = client_as("admin")
    response = client.get("/admin/reports/site-history/?action=lep.view")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Viewed a sensitive record" in text
    assert "Audited Org" in text


def test_an_entry_about_a_persons_record_names_whose_it_is(db):
    """The registry of personal data tells the audit log whose record it was, so the person
    can see who looked at it."""
    hr = UserFactory()
    person = UserFactory()
    audit.audit_view(user=hr, instance=person, reason="Checked their details")
    entry = ModelLogEntry.objects.get(action=audit.VIEW)
    assert entry.data == {"reason": "Checked their details", "about": person.pk}
