"""Selectors' pure helpers (the database-backed ones are tested through the pages)."""
from datetime import date

from scoring.selectors import history_through, with_evidence_changes


def point(as_of: str, score: float, current: bool) -> dict:
    return {"as_of": as_of, "computed": f"{as_of}T03:00:00", "score": score, "current": current}


def test_a_pair_unchanged_since_its_last_change_is_drawn_up_to_the_current_scores_date():
    history = [point("2026-01-01", 8.1, False), point("2026-03-01", 9.3, True)]

    chart = history_through(history, date(2026, 12, 1))

    assert chart == [{"as_of": "2026-01-01", "score": 8.1}, {"as_of": "2026-03-01", "score": 9.3}, {"as_of": "2026-12-01", "score": 9.3}]


def test_nothing_is_added_when_the_last_change_is_today_or_no_longer_current():
    changed_today = [point("2026-12-01", 9.3, True)]
    gone = [point("2026-01-01", 8.1, False)]

    assert history_through(changed_today, date(2026, 12, 1)) == [{"as_of": "2026-12-01", "score": 9.3}]
    assert history_through(gone, date(2026, 12, 1)) == [{"as_of": "2026-01-01", "score": 8.1}]
    assert history_through([], date(2026, 12, 1)) == []
    assert history_through(changed_today, None) == [{"as_of": "2026-12-01", "score": 9.3}]


def test_each_version_names_the_relationships_gained_and_lost_since_the_one_before():
    history = [{"relationship_ids": [3, 5]}, {"relationship_ids": [3, 5]}, {"relationship_ids": [5, 8, 9]}, {"relationship_ids": []}]

    changes = [(v["evidence_added"], v["evidence_removed"]) for v in with_evidence_changes(history)]

    assert changes == [([3, 5], []), ([], []), ([8, 9], [3]), ([], [5, 8, 9])]
