"""The form fields and saving helpers the apps share (core/forms.py)."""
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from core.forms import AmountField, WrittenNumberField
from core.validation import AMOUNT_PLACES, RATING_PLACES, parse_decimal

# numbers as written (groups of three, a decimal part, an exponent), and anything of their characters
number_like = st.from_regex(r"[+-]?[0-9]{1,4}([.,][0-9]{3}){0,3}([.,][0-9]{1,4})?([eE][+-]?[0-9]{1,3})?", fullmatch=True) | st.text(
    alphabet="0123456789,.eE+-$ ", max_size=16)


@settings(max_examples=1000)  # fast; the shapes that matter are few among them
@given(number_like, st.sampled_from([(AmountField, AMOUNT_PLACES, AMOUNT_PLACES), (WrittenNumberField, RATING_PLACES, None)]))
def test_a_number_field_reads_what_the_import_reads_or_refuses_it_with_a_message(typed, kind):
    # an amount, where a point may separate thousands, and a rating, where it may not
    field_class, places, thousands_places = kind
    field = field_class(max_digits=16, decimal_places=places, required=False)
    try:
        number = field.clean(typed)
    except ValidationError as refused:
        assert all(message.strip() for message in refused.messages)  # said, never a server error
        return
    if number is None:
        assert not typed.strip()
    else:
        assert isinstance(number, Decimal) and number == parse_decimal(typed.strip(), places=thousands_places)


@pytest.mark.django_db
@pytest.mark.parametrize(("form_path", "url", "post", "taken"), [
    ("entities.forms.EntityForm", "/record/entity/", {"name": "Harbor Watch", "kind": "community_group"}, "lk-pd"),
    ("relationships.forms.RelationshipForm", "/record/relationship/", {"source": "x-a2", "type": "personal", "target": "x-b2"}, "s-01"),
    ("relationships.forms.DisclosureForm", "/relationships/c-02/disclosures/new/", {"discloser": "eo-c1", "disclosed_on": "2026-02-01"}, "dc-01"),
])
def test_an_id_stored_meanwhile_is_refused_beside_it_not_a_server_error(lakeside, client_as, monkeypatch, form_path, url, post, taken):
    """The form checked the id free, then an import (holding its rows until it ended) or another
    analyst stored it: the save met PostgreSQL's unique constraint, a server error."""
    from django.utils.module_loading import import_string

    form_class = import_string(form_path)
    monkeypatch.setattr(form_class, "validate_unique", lambda self: None)  # as if checked before the other stored it
    model = form_class._meta.model
    before = model.objects.count()

    refused = client_as("analyst").post(url, {**post, "external_id": taken})

    assert refused.status_code == 400
    assert "was stored meanwhile by someone else" in " ".join(refused.context["form"].errors["external_id"])
    assert model.objects.count() == before
