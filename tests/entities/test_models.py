"""Entity model validation: the contract's rules through Model.clean (admin and forms use it)."""
import pytest
from django.core.exceptions import ValidationError

from tests.factories import EntityFactory


@pytest.mark.django_db
def test_an_entity_cannot_become_the_parent_of_its_own_parent():
    top = EntityFactory(external_id="top", kind="police_department")
    unit = EntityFactory(external_id="unit", kind="police_department", parent=top)
    top.parent = unit

    with pytest.raises(ValidationError, match="the parents form a cycle: top -> unit -> top"):
        top.full_clean()


@pytest.mark.django_db
def test_unknown_kind_is_refused_with_the_allowed_kinds():
    entity = EntityFactory.build(external_id="x", kind="sheriff")

    with pytest.raises(ValidationError, match="unknown kind 'sheriff'"):
        entity.full_clean()
