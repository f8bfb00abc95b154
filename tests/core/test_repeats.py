"""Finding what is given twice (core.repeats), as the relationship and meeting checks use it."""
from typing import NamedTuple

from core.repeats import first_repeats, repeats


class Item(NamedTuple):
    at: int
    external_id: str
    colour: str


ITEMS = [Item(2, "a", "red"), Item(3, "b", "blue"), Item(4, "c", "red"), Item(5, "d", "red"), Item(6, "e", "blue")]


def test_each_repeat_is_paired_with_the_first_row_that_had_its_key_in_the_rows_order():
    pairs, more = first_repeats(ITEMS, lambda item: item.colour, limit=10)

    assert [(row.external_id, earlier.external_id) for row, earlier in pairs] == [("c", "a"), ("d", "a"), ("e", "b")]
    assert more == 0


def test_past_the_limit_the_repeats_are_counted_and_said_on_one_last_line():
    found = repeats(ITEMS, lambda item: item.colour, 2, lambda row, earlier: f"{row.external_id} as {earlier.external_id}",
                    ("item", "items"))

    assert [(r.at, r.first_at, r.message, r.more) for r in found] == [
        (4, 2, "c as a", 0), (5, 2, "d as a", 0), (5, 2, "and 1 more item that repeats an earlier one", 1)]


def test_a_check_s_finds_are_listed_up_to_a_bound_then_counted_in_one_line():
    from core.repeats import first_listed, more_like_the_one_above

    listed, more = first_listed(["m-3", "m-4", "m-5"], limit=2)

    assert listed == ["m-3", "m-4"] and more == 1
    assert first_listed(["m-3"], limit=2) == (["m-3"], 0)
    assert more_like_the_one_above(more, "meeting", "meetings") == "and 1 more meeting like the one above"
    assert more_like_the_one_above(3, "entity", "entities") == "and 3 more entities like the one above"

