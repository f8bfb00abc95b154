"""Engagement coverage and trust trends: pure functions over plain meeting facts (no ORM, no clock).

The loader (engagement/selectors.py) turns the database into `MeetingFact`s; the pages and CSV
downloads render what these functions return.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from core.dates import days_before

from .types import ENGAGEMENT_TYPES, PRIVATE_TYPES

QUIET_DAYS = 90
NO_NEIGHBORHOOD = "(no neighbourhood given)"


@dataclass(frozen=True)
class MeetingFact:
    date: date
    type: str
    neighborhood: str
    agencies: tuple[int, ...]  # law-enforcement entities that attended


@dataclass
class CoverageRow:
    name: str
    key: str  # neighbourhood name or agency external_id
    by_type: dict[str, int]
    private: int = 0
    public: int = 0
    last_engagement: date | None = None

    @property
    def engagement_total(self) -> int:
        return sum(self.by_type.values())

    @property
    def private_share(self) -> float | None:
        total = self.private + self.public
        return self.private / total if total else None


@dataclass
class Coverage:
    start: date
    end: date
    months: list[str]
    # engagement meetings per type per month (the chart)
    monthly: dict[str, list[int]]
    neighborhoods: list[CoverageRow]
    agencies: list[CoverageRow]
    # neighbourhoods known from any meeting that had no engagement meeting in the QUIET_DAYS up to `end`
    quiet_neighborhoods: list[tuple[str, date | None]] = field(default_factory=list)


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def months_between(start: date, end: date) -> list[str]:
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _neighborhood(fact: MeetingFact) -> str:
    return fact.neighborhood or NO_NEIGHBORHOOD


def coverage_report(
    meetings: list[MeetingFact], *, start: date, end: date, agency_names: dict[int, tuple[str, str]]
) -> Coverage:
    """Count meetings in [start, end] by month, neighbourhood and agency.

    `meetings` may include meetings outside the period: they tell which neighbourhoods exist and when
    each last had an engagement meeting. `agency_names` maps agency id -> (name, external_id).
    """
    months = months_between(start, end)
    month_index = {m: i for i, m in enumerate(months)}
    monthly = {t.value: [0] * len(months) for t in ENGAGEMENT_TYPES}
    # a list, not a set: the tables print each row's counts in this order under one header
    engagement_types = [t.value for t in ENGAGEMENT_TYPES]
    by_hood: dict[str, CoverageRow] = {}
    by_agency: dict[int, CoverageRow] = {}
    last_engagement: dict[str, date] = {}

    def hood_row(name: str) -> CoverageRow:
        if name not in by_hood:
            by_hood[name] = CoverageRow(name=name, key=name, by_type=dict.fromkeys(engagement_types, 0))
        return by_hood[name]

    for fact in meetings:
        hood = _neighborhood(fact)
        hood_row(hood)  # every neighbourhood ever met in is known, even if quiet now
        if fact.type in engagement_types and fact.date <= end:
            if hood not in last_engagement or fact.date > last_engagement[hood]:
                last_engagement[hood] = fact.date
        if not start <= fact.date <= end:
            continue
        rows = [hood_row(hood)]
        for agency in fact.agencies:
            if agency not in by_agency:
                name, key = agency_names.get(agency, (str(agency), str(agency)))
                by_agency[agency] = CoverageRow(name=name, key=key, by_type=dict.fromkeys(engagement_types, 0))
            rows.append(by_agency[agency])
        for row in rows:
            if fact.type in engagement_types:
                row.by_type[fact.type] += 1
            if fact.type in PRIVATE_TYPES:
                row.private += 1
            else:
                row.public += 1
        if fact.type in engagement_types:
            monthly[fact.type][month_index[month_key(fact.date)]] += 1

    quiet_since = days_before(end, QUIET_DAYS)
    for name, row in by_hood.items():
        row.last_engagement = last_engagement.get(name)
    quiet = sorted(
        ((name, last_engagement.get(name)) for name in by_hood
         if name != NO_NEIGHBORHOOD and (last_engagement.get(name) is None or last_engagement[name] <= quiet_since)),
        key=lambda item: (item[1] or date.min, item[0]),
    )
    return Coverage(
        start=start,
        end=end,
        months=months,
        monthly=monthly,
        neighborhoods=sorted(by_hood.values(), key=lambda r: (-r.engagement_total, r.name)),
        agencies=sorted(by_agency.values(), key=lambda r: (-(r.private + r.public), r.name)),
        quiet_neighborhoods=quiet,
    )


def coverage_csv_rows(meetings: list[MeetingFact], *, start: date, end: date, agency_names: dict[int, tuple[str, str]]):
    """Long-format rows for the CSV download: one per (scope, name, month, meeting type) with meetings > 0."""
    counts: Counter = Counter()
    for fact in meetings:
        if not start <= fact.date <= end:
            continue
        month = month_key(fact.date)
        counts[("neighborhood", _neighborhood(fact), "", month, fact.type)] += 1
        for agency in fact.agencies:
            name, key = agency_names.get(agency, (str(agency), str(agency)))
            counts[("agency", name, key, month, fact.type)] += 1
    for (scope, name, key, month, meeting_type), n in sorted(counts.items()):
        yield [scope, name, key, month, meeting_type, n]


@dataclass(frozen=True)
class AnswerFact:
    date: date
    neighborhood: str
    agencies: tuple[int, ...]
    trust: int
    felt_heard: str


@dataclass
class TrustSeries:
    name: str
    key: str
    # month -> (average trust, answers)
    by_month: dict[str, tuple[float, int]]
    answers: int
    average: float
    # (average, answers) or None for each month of the trend, in order (for tables)
    cells: list[tuple[float, int] | None]


def trust_trends(answers: list[AnswerFact], *, agency_names: dict[int, tuple[str, str]]) -> tuple[list[str], list[TrustSeries], list[TrustSeries]]:
    """Average trust (1-5) per month, per neighbourhood and per agency that attended the meeting."""
    sums: dict[tuple[str, object], dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    months = set()
    for answer in answers:
        month = month_key(answer.date)
        months.add(month)
        sums[("neighborhood", answer.neighborhood or NO_NEIGHBORHOOD)][month].append(answer.trust)
        for agency in answer.agencies:
            sums[("agency", agency)][month].append(answer.trust)

    ordered_months = sorted(months)

    def series(scope: str) -> list[TrustSeries]:
        out = []
        for (kind, key), per_month in sums.items():
            if kind != scope:
                continue
            everything = [t for values in per_month.values() for t in values]
            name, ident = (key, key) if scope == "neighborhood" else agency_names.get(key, (str(key), str(key)))
            by_month = {m: (sum(v) / len(v), len(v)) for m, v in per_month.items()}
            out.append(TrustSeries(
                name=name,
                key=ident,
                by_month=by_month,
                answers=len(everything),
                average=sum(everything) / len(everything),
                cells=[by_month.get(m) for m in ordered_months],
            ))
        return sorted(out, key=lambda s: (-s.answers, s.name))

    return ordered_months, series("neighborhood"), series("agency")
