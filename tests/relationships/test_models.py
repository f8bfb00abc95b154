"""What a relationship says of itself."""
from datetime import date

from relationships.models import Relationship


def test_its_end_reads_as_a_date_a_one_off_or_in_force():
    assert Relationship(type="oversees", end_date=date(2024, 5, 1)).end_in_words == "2024-05-01"
    assert Relationship(type="oversees").end_in_words == "in force"
    assert Relationship(type="contributes_to", start_date=date(2025, 3, 11)).end_in_words == "one-off"
    assert Relationship(type="endorses").end_in_words == "one-off"
