"""What the database refused, read into one shape, and a write that meets a change made meanwhile
(core/integrity.py)."""
import pytest
from django.db import IntegrityError, transaction

from core.integrity import DELETED, FOREIGN_KEY, OTHER, UNIQUE, ChangedMeanwhile, Refusal, refusal_of, written_unless_changed_meanwhile
from entities.models import Entity
from relationships.models import Relationship
from tests.factories import EntityFactory, RelationshipFactory
from tests.meanwhile import deleted_by_someone_else

RELATIONSHIP_FORM = ("source", "type", "target", "start_date", "end_date", "amount", "analyst_score", "source_url", "notes", "external_id")


@pytest.mark.django_db
def test_an_id_taken_is_read_as_a_unique_value_of_its_column():
    EntityFactory(external_id="taken")
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        Entity.objects.create(external_id="taken", name="Again", kind="person")

    refusal = refusal_of(refused.value)

    assert (refusal.kind, refusal.table, refusal.columns) == (UNIQUE, "entities_entity", ("external_id",))
    assert "already exists" in refusal.detail
    assert refusal.errors(Entity, ["name", "external_id"]) == {
        "external_id": "was stored meanwhile by someone else (an import, another analyst): choose another id, or leave it empty to have one made up"}


@pytest.mark.django_db(transaction=True)
def test_an_entity_deleted_before_the_commit_refuses_the_write_on_its_field_and_nothing_is_written():
    # the foreign keys are checked when the transaction commits, as in production
    source, target = EntityFactory(), EntityFactory()

    def write():
        Relationship.objects.create(external_id="r-late", source=source, target=target, type="personal")
        deleted_by_someone_else(target)  # as if deleted by someone else just before the commit

    with pytest.raises(ChangedMeanwhile) as changed:
        written_unless_changed_meanwhile(write)

    refusal = changed.value.refusal
    assert (refusal.kind, refusal.table, refusal.columns) == (FOREIGN_KEY, "relationships_relationship", ("target_id",))
    assert refusal.errors(Relationship, RELATIONSHIP_FORM) == {"target": "was deleted meanwhile by someone else, or merged into another: choose again"}
    assert not Relationship.objects.exists() and Entity.objects.filter(pk=target.pk).exists()  # rolled back whole


@pytest.mark.django_db(transaction=True)
def test_a_row_referring_to_one_being_deleted_refuses_the_deletion_saying_what_refers_to_it():
    relationship = RelationshipFactory()

    with pytest.raises(ChangedMeanwhile) as changed:
        written_unless_changed_meanwhile(lambda: deleted_by_someone_else(relationship.target))

    assert changed.value.refusal.kind == FOREIGN_KEY
    assert changed.value.refusal.why_not_deleted() == "a relationship recorded meanwhile by someone else refers to it; nothing was deleted"
    assert Entity.objects.filter(pk=relationship.target_id).exists()


@pytest.mark.django_db
def test_a_correction_of_a_row_deleted_meanwhile_is_refused_not_stored_again():
    entity = EntityFactory(name="Before")
    deleted_by_someone_else(entity)
    entity.name = "After"

    with pytest.raises(ChangedMeanwhile) as changed:
        written_unless_changed_meanwhile(entity.save, correcting=entity)

    assert changed.value.refusal.kind == DELETED
    assert changed.value.refusal.errors(Entity, ["name"]) == {None: "This entity was deleted meanwhile by someone else: nothing was saved."}
    assert changed.value.refusal.why_not_deleted() == "it was deleted meanwhile by someone else"
    assert not Entity.objects.filter(pk=entity.pk).exists()  # Django's save had inserted it again


@pytest.mark.django_db
def test_a_correction_of_a_stored_row_is_written():
    entity = EntityFactory(name="Before")
    entity.name = "After"

    written_unless_changed_meanwhile(entity.save, correcting=entity)

    assert Entity.objects.get(pk=entity.pk).name == "After"


@pytest.mark.parametrize(("message", "kind", "table", "columns"), [
    ("UNIQUE constraint failed: entities_entity.external_id", UNIQUE, "entities_entity", ("external_id",)),
    ("UNIQUE constraint failed: entities_follow.user_id, entities_follow.entity_id", UNIQUE, "entities_follow", ("user_id", "entity_id")),
    ("FOREIGN KEY constraint failed", FOREIGN_KEY, None, ()),
    ("NOT NULL constraint failed: entities_entity.name", OTHER, None, ()),
])
def test_sqlites_messages_are_read_alike(message, kind, table, columns):
    # SQLite names no key in its exception but its message (the embedded default runs on it)
    refusal = refusal_of(IntegrityError(message))

    assert (refusal.kind, refusal.table, refusal.columns) == (kind, table, columns)
    assert refusal.detail == message


def test_a_refusal_of_what_the_form_does_not_hold_is_said_for_the_whole_form_naming_what_went():
    attendee_gone = Refusal(FOREIGN_KEY, "engagement_attendance", ("entity_id",), "Key (entity_id)=(7) is not present")
    nothing_named = Refusal(FOREIGN_KEY, detail="FOREIGN KEY constraint failed")
    other = Refusal(OTHER, detail="NOT NULL constraint failed: entities_entity.name")
    disclosed_gone = Refusal(FOREIGN_KEY, "relationships_disclosure", ("relationship_id",), "Key (relationship_id)=(7) is not present")

    from engagement.models import Meeting

    assert attendee_gone.errors(Meeting, ["title", "date"]) == {
        None: "Not saved: the entity of its attendance was deleted meanwhile by someone else, or merged into another; "
              "nothing was written: check the form and save again."}
    assert "something it refers to was deleted meanwhile" in nothing_named.errors(Relationship, RELATIONSHIP_FORM)[None]
    from relationships.models import Disclosure

    # a relationship is deleted, never merged
    assert disclosed_gone.errors(Disclosure, ["discloser", "disclosed_on"]) == {
        None: "Not saved: the relationship it refers to was deleted meanwhile by someone else; nothing was written: check the form and save again."}
    assert other.errors(Entity, ["name"]) == {None: "Not saved: the stored data changed meanwhile (NOT NULL constraint failed: "
                                                    "entities_entity.name); nothing was written: check the form and save again."}
