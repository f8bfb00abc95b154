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
    })

    # the form again, as typed, the field at fault saying why (a redirect lost what was typed)
    assert answer.status_code == 200
    form = answer.context["adminform"].form
    assert form.errors["target"] == ["was deleted meanwhile by someone else, or merged into another: choose again"]
    assert form["notes"].value() == "after"
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


def admin_form_shown(client, path: str) -> dict[str, str]:
    return admin_form_shown_in(client.get(path).content.decode())


def test_an_admin_change_that_would_undo_one_saved_since_the_form_was_shown_is_refused_showing_theirs(admin_site_client):
    entity = EntityFactory(name="Riverton Police", description="")
    path = f"/admin/entities/entity/{entity.pk}/change/"
    shown = admin_form_shown(admin_site_client, path)
    assert "shown_as" in shown
    Entity.objects.filter(pk=entity.pk).update(description="Theirs.")  # saved by someone else meanwhile

    refused = admin_site_client.post(path, {**shown, "name": "Riverton Police Department"})

    page = refused.content.decode()
    assert refused.status_code == 200 and "someone saved a change after you opened this form" in page
    assert "the form now shows what they saved for description" in page
    stored = Entity.objects.get(pk=entity.pk)
    assert (stored.name, stored.description) == ("Riverton Police", "Theirs.")

    again = admin_form_shown_in(page)
    assert (again["name"], again["description"]) == ("Riverton Police Department", "Theirs.")
    assert admin_site_client.post(path, again).status_code == 302  # checked: a second save goes through
    stored.refresh_from_db()
    assert (stored.name, stored.description) == ("Riverton Police Department", "Theirs.")


def admin_form_shown_in(page: str) -> dict[str, str]:
    from tests.form_helpers import FormsOnPage

    return FormsOnPage(page).fields_of("")


def test_an_admin_change_saved_between_the_forms_check_and_the_write_is_not_overwritten(admin_site_client, monkeypatch):
    from core.admin import AdminCorrectionForm
    from tests.meanwhile import changed_once_checked

    entity = EntityFactory(name="Riverton Police", description="")
    path = f"/admin/entities/entity/{entity.pk}/change/"
    shown = admin_form_shown(admin_site_client, path)
    changed_once_checked(monkeypatch, AdminCorrectionForm, "clean", entity, description="Theirs.")

    answer = admin_site_client.post(path, {**shown, "name": "Riverton Police Department"})

    assert answer.status_code == 200
    page = answer.content.decode()
    assert "Not saved: someone saved a change to this entity at the same moment; nothing was written: save again to see what they changed." in page
    assert admin_form_shown_in(page)["name"] == "Riverton Police Department"  # what was typed is still there
    # not written (their change, made here in the admin's own transaction, went back with it)
    assert Entity.objects.get(pk=entity.pk).name == "Riverton Police"


def test_an_admin_change_of_a_record_deleted_meanwhile_does_not_store_it_again(admin_site_client, monkeypatch):
    """Django saves a record it read as an UPDATE, then, finding no row, an INSERT."""
    from core.admin import AdminCorrectionForm

    entity = EntityFactory(name="Riverton Police")
    path = f"/admin/entities/entity/{entity.pk}/change/"
    shown = admin_form_shown(admin_site_client, path)
    deleted_once_checked(monkeypatch, AdminCorrectionForm, "clean", entity)

    answer = admin_site_client.post(path, {**shown, "name": "Riverton Police Department"})

    assert answer.status_code == 200
    page = answer.content.decode()
    assert "This entity was deleted meanwhile by someone else: nothing was saved." in page
    assert admin_form_shown_in(page)["name"] == "Riverton Police Department"
    # not written (the deletion, made here in the admin's own transaction, went back with it)
    assert Entity.objects.get(pk=entity.pk).name == "Riverton Police"


def test_an_admin_addition_whose_id_was_stored_meanwhile_comes_back_as_typed_saying_so(admin_site_client, monkeypatch):
    """The admin's form checked the id free, then an import stored it before the save (simulated:
    the form's own check passes although the id is taken)."""
    from core.admin import AdminCorrectionForm

    EntityFactory(external_id="harbor-watch")
    monkeypatch.setattr(AdminCorrectionForm, "validate_unique", lambda self: None)
    before = Entity.objects.count()

    answer = admin_site_client.post("/admin/entities/entity/add/", {
        "external_id": "harbor-watch", "name": "Harbor Watch", "kind": "community_group", "description": "Typed."})

    assert answer.status_code == 200
    form = answer.context["adminform"].form
    assert "was stored meanwhile by someone else" in " ".join(form.errors["external_id"])
    assert (form["name"].value(), form["description"].value()) == ("Harbor Watch", "Typed.")
    assert Entity.objects.count() == before
