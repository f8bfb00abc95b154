"""Selectors' pure helpers (the database-backed ones are tested through the pages)."""
from datetime import date

from scoring.selectors import history_through


def point(as_of: str, score: float, current: bool) -> dict:
    return {"as_of": as_of, "computed": f"{as_of}T03:00:00", "score": score, "current": current}


def test_a_pair_unchanged_since_its_last_change_is_drawn_up_to_the_current_scores_date():
    history = [point("2026-01-01", 8.1, False), point("2026-03-01", 9.3, True)]

    chart = history_through(history, date(2026, 12, 1))

    assert chart[:2] == history
    assert chart[2] == {**history[1], "as_of": "2026-12-01"}


def test_nothing_is_added_when_the_last_change_is_today_or_no_longer_current():
    changed_today = [point("2026-12-01", 9.3, True)]
    gone = [point("2026-01-01", 8.1, False)]

    assert history_through(changed_today, date(2026, 12, 1)) == changed_today
    assert history_through(gone, date(2026, 12, 1)) == gone
    assert history_through([], date(2026, 12, 1)) == []
    assert history_through(changed_today, None) == changed_today
