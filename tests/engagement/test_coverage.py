"""Coverage and trust trends are pure functions over meeting facts."""
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from engagement.coverage import (
    NO_NEIGHBORHOOD,
    AnswerFact,
    MeetingFact,
    coverage_csv_rows,
    coverage_report,
    months_between,
    trust_trends,
)

NAMES = {1: ("Lakeside PD", "lk-pd"), 2: ("County Sheriff", "lk-so")}


def fact(day, kind="community_forum", hood="North", agencies=(1,)):
    return MeetingFact(date=day, type=kind, neighborhood=hood, agencies=tuple(agencies))


def test_months_between_includes_both_ends_and_crosses_years():
    assert months_between(date(2025, 11, 20), date(2026, 2, 1)) == ["2025-11", "2025-12", "2026-01", "2026-02"]


def test_counts_per_month_neighbourhood_and_agency():
    meetings = [
        fact(date(2026, 1, 5)),
        fact(date(2026, 1, 20), "advisory_board", "South", (1, 2)),
        fact(date(2026, 2, 3), "private_meeting", "", (2,)),
        fact(date(2025, 6, 1), "focus_group", "East"),  # before the period
    ]
    report = coverage_report(meetings, start=date(2026, 1, 1), end=date(2026, 3, 31), agency_names=NAMES)

    assert report.months == ["2026-01", "2026-02", "2026-03"]
    assert report.monthly["community_forum"] == [1, 0, 0]
    assert report.monthly["advisory_board"] == [1, 0, 0]
    assert "private_meeting" not in report.monthly  # private meetings are not engagement
    hoods = {row.name: row for row in report.neighborhoods}
    assert hoods["North"].by_type["community_forum"] == 1 and hoods["South"].by_type["advisory_board"] == 1
    assert hoods["East"].engagement_total == 0  # known, but nothing in the period
    assert hoods[NO_NEIGHBORHOOD].private == 1
    agencies = {row.key: row for row in report.agencies}
    assert (agencies["lk-pd"].public, agencies["lk-pd"].private) == (2, 0)
    assert (agencies["lk-so"].public, agencies["lk-so"].private) == (1, 1)
    assert agencies["lk-so"].private_share == 0.5


def test_every_row_lists_its_counts_in_the_headers_order():
    from engagement.types import ENGAGEMENT_TYPES

    report = coverage_report([fact(date(2026, 1, 5), "focus_group")], start=date(2026, 1, 1), end=date(2026, 1, 31), agency_names=NAMES)
    for row in report.neighborhoods + report.agencies:
        assert list(row.by_type) == [t.value for t in ENGAGEMENT_TYPES]


def test_quiet_neighbourhoods_had_no_engagement_meeting_in_the_last_90_days():
    end = date(2026, 6, 30)
    meetings = [
        fact(date(2026, 6, 1), hood="Busy"),
        fact(date(2026, 3, 1), hood="Lapsed"),  # 121 days before the end
        fact(date(2026, 6, 10), "private_meeting", hood="OnlyPrivate"),
        fact(date(2026, 4, 1), hood="Edge"),  # exactly 90 days before the end: outside the window
    ]
    report = coverage_report(meetings, start=date(2026, 1, 1), end=end, agency_names=NAMES)
    assert [name for name, _ in report.quiet_neighborhoods] == ["OnlyPrivate", "Lapsed", "Edge"]
    assert dict(report.quiet_neighborhoods)["Lapsed"] == date(2026, 3, 1)
    assert dict(report.quiet_neighborhoods)["OnlyPrivate"] is None


def test_a_meeting_after_the_period_end_does_not_make_a_neighbourhood_active():
    report = coverage_report([fact(date(2026, 8, 1), hood="Later")], start=date(2026, 1, 1), end=date(2026, 6, 30), agency_names=NAMES)
    assert report.quiet_neighborhoods == [("Later", None)]


def test_periods_at_the_ends_of_the_calendar_give_a_report():
    # the page's fuzz found year 1 (there is no "90 days before" 0001-01-01)
    first = coverage_report([fact(date.min, hood="Ancient")], start=date.min, end=date.min, agency_names=NAMES)
    last = coverage_report([fact(date.max, hood="Future")], start=date(9999, 12, 1), end=date.max, agency_names=NAMES)

    assert first.months == ["0001-01"] and first.monthly["community_forum"] == [1]
    assert last.months == ["9999-12"] and last.quiet_neighborhoods == []


def test_csv_rows_are_long_format_and_sum_to_the_meetings():
    meetings = [fact(date(2026, 1, 5)), fact(date(2026, 1, 6), agencies=(1, 2))]
    rows = list(coverage_csv_rows(meetings, start=date(2026, 1, 1), end=date(2026, 1, 31), agency_names=NAMES))
    assert ["neighborhood", "North", "", "2026-01", "community_forum", 2] in rows
    assert ["agency", "Lakeside PD", "lk-pd", "2026-01", "community_forum", 2] in rows
    assert ["agency", "County Sheriff", "lk-so", "2026-01", "community_forum", 1] in rows


meeting_facts = st.builds(
    MeetingFact,
    date=st.dates(min_value=date(2020, 1, 1), max_value=date(2027, 12, 31)),
    type=st.sampled_from(["advisory_board", "focus_group", "community_forum", "community_policing", "council_hearing", "private_meeting"]),
    neighborhood=st.sampled_from(["", "North", "South"]),
    agencies=st.lists(st.sampled_from([1, 2]), unique=True).map(tuple),
)


@given(st.lists(meeting_facts, max_size=40), st.dates(min_value=date(2021, 1, 1), max_value=date(2026, 12, 31)))
def test_every_meeting_in_the_period_is_counted_once_per_neighbourhood(meetings, start):
    end = date(start.year + 1, start.month, 1)
    report = coverage_report(meetings, start=start, end=end, agency_names=NAMES)
    in_period = [m for m in meetings if start <= m.date <= end]
    assert sum(r.private + r.public for r in report.neighborhoods) == len(in_period)
    assert sum(sum(v) for v in report.monthly.values()) == sum(r.engagement_total for r in report.neighborhoods)
    assert sum(r.private + r.public for r in report.agencies) == sum(len(m.agencies) for m in in_period)


def test_trust_trend_averages_per_month_for_neighbourhoods_and_agencies():
    answers = [
        AnswerFact(date(2026, 1, 5), "North", (1,), 2, "no"),
        AnswerFact(date(2026, 1, 9), "North", (1,), 4, "yes"),
        AnswerFact(date(2026, 2, 1), "North", (1, 2), 5, "yes"),
    ]
    months, hoods, agencies = trust_trends(answers, agency_names=NAMES)
    assert months == ["2026-01", "2026-02"]
    north = hoods[0]
    assert north.by_month == {"2026-01": (3.0, 2), "2026-02": (5.0, 1)}
    assert north.cells == [(3.0, 2), (5.0, 1)]
    assert round(north.average, 2) == 3.67
    sheriff = next(s for s in agencies if s.key == "lk-so")
    assert sheriff.cells == [None, (5.0, 1)]
