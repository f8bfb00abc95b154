"""The form fields the apps share (core/forms.py)."""
from decimal import Decimal

from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from core.forms import AmountField
from core.validation import AMOUNT_PLACES, parse_decimal

# numbers as written (groups of three, a decimal part, an exponent), and anything of their characters
number_like = st.from_regex(r"[+-]?[0-9]{1,4}([.,][0-9]{3}){0,3}([.,][0-9]{1,4})?([eE][+-]?[0-9]{1,3})?", fullmatch=True) | st.text(
    alphabet="0123456789,.eE+-$ ", max_size=16)


@settings(max_examples=1000)  # fast; the shapes that matter are few among them
@given(number_like)
def test_an_amount_field_reads_what_the_import_reads_or_refuses_it_with_a_message(typed):
    field = AmountField(max_digits=16, decimal_places=AMOUNT_PLACES, required=False)
    try:
        amount = field.clean(typed)
    except ValidationError as refused:
        assert all(message.strip() for message in refused.messages)  # said, never a server error
        return
    if amount is None:
        assert not typed.strip()
    else:
        assert isinstance(amount, Decimal) and amount == parse_decimal(typed.strip(), places=AMOUNT_PLACES)
