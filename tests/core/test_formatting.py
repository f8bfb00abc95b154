"""How money, scores, counts and lists of names read on pages, in flag explanations and in command output."""
from decimal import Decimal

import pytest
from django.template import Context, Template

from core.formatting import count_text, money_text


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("85000.00"), "85,000"),
        (Decimal("1234.50"), "1,234.50"),
        (Decimal("0.07"), "0.07"),
        (48500000, "48,500,000"),
        (12500.0, "12,500"),
        (None, ""),
    ],
)
def test_money_has_thousands_separators_and_cents_only_when_there_are_any(amount, text):
    assert money_text(amount) == text


def test_the_template_filter_is_the_same_text():
    rendered = Template("{% load formatting %}[{{ a|money }}][{{ b|money }}]").render(Context({"a": Decimal("60000.00"), "b": None}))
    assert rendered == "[60,000][]"


@pytest.mark.parametrize(("score", "text"), [(4.6, "4.6"), (1.0, "1.0"), (0.9, "under 1.0"), (0, "under 1.0"), (10.0, "10.0")])
def test_a_pair_score_under_one_reads_as_such(score, text):
    from core.formatting import pair_score_text

    assert pair_score_text(score) == text
    assert Template("{% load formatting %}{{ s|pair_score }}").render(Context({"s": score})) == text


@pytest.mark.parametrize(("count", "noun", "plural", "text"), [
    (1, "pair", None, "1 pair"), (0, "flag", None, "0 flags"), (2, "row", None, "2 rows"), (1234567, "pair", None, "1234567 pairs"),
    (3, "more relationship", "more relationships", "3 more relationships"), (1, "entry", "entries", "1 entry"), (5, "entry", "entries", "5 entries"),
])
def test_a_count_reads_with_its_noun_in_the_right_number(count, noun, plural, text):
    assert count_text(count, noun, plural) == text


@pytest.mark.parametrize(("names", "text"), [
    ([], ""), (["Riverton PD"], "Riverton PD"), (["Chief Laura Benton", "Riverton POA"], "Chief Laura Benton and Riverton POA"),
    (["A", "B", "C"], "A, B and C"), (iter(["A", "B", "C", "D"]), "A, B, C and D"),
])
def test_names_read_as_a_sentence_lists_them(names, text):
    from core.formatting import names_text

    assert names_text(names) == text
