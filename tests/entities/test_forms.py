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
