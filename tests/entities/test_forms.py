"""The entity field of the forms that name one (entities/forms.py): an id or an exact name."""
import pytest
from django.core.exceptions import ValidationError

from entities.forms import EntityField
from tests.factories import EntityFactory


@pytest.mark.django_db
def test_an_id_pasted_with_an_invisible_character_is_refused_naming_the_id_meant_and_the_character():
    EntityFactory(external_id="lk-pd", name="Lakeside PD", kind="police_department")

    with pytest.raises(ValidationError) as refused:
        EntityField().clean("lk-pd\u200b")

    assert refused.value.messages == ["No entity 'lk-pd\u200b': pick one from the suggestions. Did you mean 'lk-pd'? "
                                      "(This one holds U+200B, zero width space, at character 6.)"]


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["lk-pdd", "Lakeside Police", "lk pd"])
def test_what_names_no_entity_is_refused_without_a_guess(typed):
    EntityFactory(external_id="lk-pd", name="Lakeside PD", kind="police_department")

    with pytest.raises(ValidationError) as refused:
        EntityField().clean(typed)

    assert refused.value.messages == [f"No entity '{typed}': pick one from the suggestions."]


@pytest.mark.django_db
def test_an_id_or_an_exact_name_is_the_entity():
    pd = EntityFactory(external_id="lk-pd", name="Lakeside PD", kind="police_department")

    assert EntityField().clean("lk-pd") == pd == EntityField().clean("lakeside pd")


@pytest.mark.django_db
def test_the_id_of_a_twin_merged_away_names_the_entity_it_was_merged_into_until_the_merge_is_undone():
    from django.utils import timezone

    from entities.models import MergeRecord
    from entities.services import entity_merge, entity_merge_undo

    kept = EntityFactory(external_id="rv-towing", name="Riverton Towing Co.", kind="business")
    twin = EntityFactory(external_id="rv-towing-co", name="Riverton Towing Co", kind="business")
    entity_merge(keep=kept, duplicate=twin)
    record = MergeRecord.objects.get()

    with pytest.raises(ValidationError) as refused:
        EntityField().clean("rv-towing-co")
    assert refused.value.messages == [
        f"'rv-towing-co' was merged into Riverton Towing Co. (rv-towing) on {timezone.localdate(record.merged_at):%Y-%m-%d}: type 'rv-towing'."]

    entity_merge_undo(record)
    assert EntityField().clean("rv-towing-co").name == "Riverton Towing Co"


@pytest.mark.django_db
def test_a_part_of_one_name_is_the_entity_only_where_the_field_takes_parts_of_names():
    chief = EntityFactory(external_id="p-chief", name="Chief Laura Benton", kind="person")
    EntityFactory(external_id="hc-benton", name="Benton County", kind="government_body")

    assert EntityField(part_of_name=True).clean("laura benton") == chief
    with pytest.raises(ValidationError) as refused:
        EntityField(part_of_name=True).clean("Benton")
    assert refused.value.messages == ["More than one entity's name holds 'Benton': Benton County (hc-benton), "
                                      "Chief Laura Benton (p-chief). Pick one from the suggestions or type its id."]
    with pytest.raises(ValidationError):  # the meeting form credits attendance: an id or a whole name only
        EntityField().clean("laura benton")
