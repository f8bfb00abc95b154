"""Finding what is given twice: rows whose key an earlier row had. Shared by the checks for a
relationship given twice (relationships.checks) and a meeting given twice (engagement.checks)."""
from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

Row = TypeVar("Row")


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
