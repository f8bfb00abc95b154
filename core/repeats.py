"""Finding what is given twice: rows whose key an earlier row had. Shared by the checks for a
relationship given twice (relationships.checks) and a meeting given twice (engagement.checks), with
the bound on how many of a check's finds are listed."""
from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from core.formatting import count_text

NOTES_PER_CHECK = 20  # then one line says how many more: a file written the wrong way round has thousands


Item = TypeVar("Item")


def first_listed(found: list[Item], limit: int = NOTES_PER_CHECK) -> tuple[list[Item], int]:
    """The first `limit` of what a check found, and how many more there are (said in one line)."""
    return found[:limit], max(len(found) - limit, 0)


def more_like_the_one_above(more: int, noun: str, plural: str) -> str:
    """The line after the listed finds of a check: "and 3 more amounts like the one above"."""
    return f"and {count_text(more, f'more {noun}', f'more {plural}')} like the one above"


class Given(Protocol):
    at: int  # its line in a file, or the id of a stored row
    external_id: str


Row = TypeVar("Row", bound=Given)


@dataclass(frozen=True)
class Repeat:
    at: int
    external_id: str
    first_at: int  # where the same was first given
    first_external_id: str
    message: str
    more: int = 0  # on the line after the first listed: how many more repeat an earlier one


def firsts(rows: Iterable[Row], key: Callable[[Row], Hashable]) -> list[Row]:
    """The first row of each key, in the rows' order: one side of a comparison between two sets of
    rows (a file's and the stored ones) whose repeats within a side are told elsewhere."""
    first: dict[Hashable, Row] = {}
    for row in rows:
        first.setdefault(key(row), row)
    return list(first.values())


def first_repeats(rows: Iterable[Row], key: Callable[[Row], Hashable], limit: int) -> tuple[list[tuple[Row, Row]], int]:
    """Each row whose key an earlier row had, with the first row that had it, in the rows' order:
    the first `limit` of them, and how many more there are."""
    first: dict[Hashable, Row] = {}
    found: list[tuple[Row, Row]] = []
    more = 0
    for row in rows:
        earlier = first.setdefault(key(row), row)
        if earlier is row:
            continue
        if len(found) < limit:
            found.append((row, earlier))
        else:
            more += 1
    return found, more


def repeats(rows: Iterable[Row], key: Callable[[Row], Hashable], limit: int, why: Callable[[Row, Row], str],
            what: tuple[str, str]) -> list[Repeat]:
    """The first `limit` rows that repeat an earlier one, each saying `why(row, earlier)`, then one
    that counts the others (`what`: the noun, singular and plural, of "and 3 more relationships")."""
    pairs, more = first_repeats(rows, key, limit)
    found = [Repeat(row.at, row.external_id, earlier.at, earlier.external_id, why(row, earlier)) for row, earlier in pairs]
    if more:
        last = found[-1]
        found.append(Repeat(last.at, last.external_id, last.first_at, last.first_external_id,
                            f"and {count_text(more, f'more {what[0]}', f'more {what[1]}')} that {'repeats' if more == 1 else 'repeat'} an earlier one",
                            more))
    return found
