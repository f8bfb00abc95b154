"""Comparing two sets of scores (pure): what scoring settings would change before they are saved."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .parameters import CLOSE_TENTHS, LISTED_TENTHS, WORKING_TENTHS

Scores = tuple[np.ndarray, np.ndarray, np.ndarray]  # entity a, entity b (a < b), score in tenths


def listed_by_band(score_tenths: np.ndarray) -> dict[str, int]:
    """How many pairs scoring 1.0 or more fall in each band."""
    listed = score_tenths[score_tenths >= LISTED_TENTHS]
    close = int((listed >= CLOSE_TENTHS).sum())
    working = int((listed >= WORKING_TENTHS).sum()) - close
    return {"close": close, "working": working, "distant": len(listed) - close - working}


@dataclass(frozen=True)
class CloseShift:
    """Two sets of scores of the same pairs compared: the listed pairs per band in each, and the
    pairs that would enter or leave `close` as (a, b, tenths before, tenths after), the largest
    moves first (0: under 1.0 or no score)."""

    before: dict[str, int]
    after: dict[str, int]
    entered: list[tuple[int, int, int, int]]
    left: list[tuple[int, int, int, int]]


def _tenths_of(keys: np.ndarray, tenths: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """The tenths of the pairs `wanted` among (`keys`, `tenths`); 0 for a pair not among them."""
    if len(keys) == 0:
        return np.zeros(len(wanted), np.int64)
    order = np.argsort(keys, kind="stable")
    keys, tenths = keys[order], tenths[order]
    at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
    return np.where(keys[at] == wanted, tenths[at], 0)


def close_shift(before: Scores, after: Scores) -> CloseShift:
    """Compare scores `before` and `after` of the pairs that have one; a pair missing from one
    side scores under 1.0 there."""
    width = 1 + max([0, *(int(side[1].max()) for side in (before, after) if len(side[1]))])
    keys_before = before[0].astype(np.int64) * width + before[1]
    keys_after = after[0].astype(np.int64) * width + after[1]
    close_before = keys_before[before[2] >= CLOSE_TENTHS]
    close_after = keys_after[after[2] >= CLOSE_TENTHS]

    def moves(keys: np.ndarray) -> list[tuple[int, int, int, int]]:
        was, now = _tenths_of(keys_before, before[2], keys), _tenths_of(keys_after, after[2], keys)
        rows = [(k // width, k % width, int(w), int(n)) for k, w, n in zip(keys.tolist(), was, now)]
        return sorted(rows, key=lambda row: (-abs(row[3] - row[2]), row[0], row[1]))

    return CloseShift(
        listed_by_band(before[2]), listed_by_band(after[2]),
        entered=moves(np.setdiff1d(close_after, close_before)), left=moves(np.setdiff1d(close_before, close_after)),
    )
