"""Row ids read from requests."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.params import BIGINT_MAX, row_id


@pytest.mark.parametrize("value, expected", [
    ("1", 1), ("0042", 42), (str(BIGINT_MAX), BIGINT_MAX),
    ("", None), ("-1", None), ("1x", None), ("²", None), ("١", None), ("１", None), (" 1", None),
    (str(BIGINT_MAX + 1), None), ("9" * 5000, None),
])
def test_a_row_id_is_ascii_digits_within_a_bigint(value, expected):
    assert row_id(value) == expected


@given(st.text())
def test_any_text_gives_an_id_or_none_never_an_error(value):
    result = row_id(value)
    assert result is None or (0 <= result <= BIGINT_MAX and str(result) == value.lstrip("0").rjust(1, "0"))
