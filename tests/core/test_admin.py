"""What the apps' admin classes share (core/admin.py): a save or a deletion that meets a change made
meanwhile is refused with a message, not a server error."""
from entities.models import Entity
from relationships.models import Relationship
from tests.factories import EntityFactory, RelationshipFactory
from tests.meanwhile import deleted_once_checked


def test_an_admin_save_naming_an_entity_deleted_meanwhile_is_refused_saying_which(checked_at_each_statement, admin_site_client, monkeypatch):
    from django.forms.models import BaseModelForm

    relationship = RelationshipFactory(notes="before")
    gone = EntityFactory(kind="police_department")
    deleted_once_checked(monkeypatch, BaseModelForm, "_post_clean", gone)  # the form found it; someone deleted it before the save

    answer = admin_site_client.post(f"/admin/relationships/relationship/{relationship.pk}/change/", {
        "external_id": relationship.external_id, "source": relationship.source_id, "target": gone.pk, "type": "employed_by",
        "start_date": "2020-01-01", "notes": "after", "disclosures-TOTAL_FORMS": 0, "disclosures-INITIAL_FORMS": 0,
    }, follow=True)

    assert answer.status_code == 200
    assert ("Not saved: target: was deleted meanwhile by someone else, or merged into another: choose again"
            in [str(m) for m in answer.context["messages"]])
    relationship.refresh_from_db()
    assert (relationship.target_id, relationship.notes) != (gone.pk, "after") and relationship.notes == "before"


def test_an_admin_deletion_that_a_row_stored_meanwhile_refers_to_is_refused_saying_so(admin_site_client, monkeypatch):
    """The admin's confirmation page found nothing referring to the entity; a relationship naming
    it was stored before the deletion (simulated: the admin's check passes although one does)."""
    from entities.admin import EntityAdmin

    relationship = RelationshipFactory()
    monkeypatch.setattr(EntityAdmin, "get_deleted_objects", lambda self, objs, request: ([], {}, set(), []))

    answer = admin_site_client.post(f"/admin/entities/entity/{relationship.target_id}/delete/", {"post": "yes"}, follow=True)

    assert answer.status_code == 200
    assert "Not deleted: relationships recorded meanwhile by someone else refer to it." in [str(m) for m in answer.context["messages"]]
    assert Entity.objects.filter(pk=relationship.target_id).exists() and Relationship.objects.filter(pk=relationship.pk).exists()
