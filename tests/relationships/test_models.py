"""What a relationship says of itself."""
from datetime import date

import pytest

from relationships.models import Relationship


def test_its_end_reads_as_a_date_a_one_off_or_in_force():
    assert Relationship(type="oversees", end_date=date(2024, 5, 1)).end_in_words == "2024-05-01"
    assert Relationship(type="oversees").end_in_words == "in force"
    assert Relationship(type="contributes_to", start_date=date(2025, 3, 11)).end_in_words == "one-off"
    assert Relationship(type="endorses").end_in_words == "one-off"


@pytest.mark.parametrize("type_, start, end, words", [
    ("employed_by", date(2019, 1, 1), None, "since 2019-01-01"),
    ("employed_by", date(2019, 1, 1), date(2024, 6, 30), "2019-01-01 to 2024-06-30"),
    ("contributes_to", date(2025, 3, 2), None, "2025-03-02"),
    ("employed_by", None, date(2024, 6, 30), "until 2024-06-30"),
    ("personal", None, None, "undated"),
])
def test_when_a_relationship_held_in_words(type_, start, end, words):
    assert Relationship(type=type_, start_date=start, end_date=end).held_in_words == words
