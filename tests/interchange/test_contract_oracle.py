"""The contract's commands end to end, as the acceptance checks run them: a random data set written
as CSV files, `import_dataset`, `recompute --as-of`, `export_dataset`; flags.csv must list exactly
the flags that a literal reading of the spec's rule table raises (tests/conflicts/spec_reading.py),
by external id: the evidence rules' with their severity, `disclosed`, persons and conflicting
relationships, and the two closeness rules' from the pairs closeness.csv says are `close` (a few
pairs meet about monthly in private, so that some are). What the pure rules' oracle test cannot
see is tested here: the CSV reading, what is stored and loaded again, and how the two exported
files agree. closeness.csv itself is held to the pure engine's scores of the same records."""
import csv
import io
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interchange.format import csv_text
from scoring.engine import Evidence, MeetingTable, ScoringParameters, closeness_scores
from tests.conflicts.spec_reading import EVIDENCE_RULES, N, REF, spec_closeness_flags, spec_flags, worlds
from tests.examples import examples
from tests.imports import data_set
from tests.interchange.strategies import data_set_emptied


def _write_data_set(folder, entities, relationships, disclosures, meetings) -> None:
    """The world as the contract's five files; `meetings` as (id, date, type, attendee ids)."""
    ext = {i: f"e{i}" for i in entities}
    by_id = {r.id: r for r in relationships}
    tables = {
        "entities": (["external_id", "name", "kind", "parent"], [
            [ext[e.id], e.name, e.kind, ext.get(e.parent_id)] for e in entities.values()
        ]),
        "relationships": (["external_id", "source", "target", "type", "start_date", "end_date", "amount", "analyst_score"], [
            [f"r{r.id}", ext[r.source], ext[r.target], r.type, r.start_date, r.end_date,
             r.amount, None if r.analyst_score is None else int(r.analyst_score)]
            for r in relationships
        ]),
        "disclosures": (["external_id", "discloser", "relationship", "disclosed_on"], [
            [f"d{n}", ext[by_id[d.relationship_id].source], f"r{d.relationship_id}", d.disclosed_on]
            for n, d in enumerate(disclosures)
        ]),
        "meetings": (["external_id", "date", "type", "title"], [
            [f"m{meeting}", day, meeting_type, "Meeting"] for meeting, day, meeting_type, _ in meetings
        ]),
        "attendance": (["meeting", "entity"], [
            [f"m{meeting}", ext[e]] for meeting, _, _, attendees in meetings for e in attendees
        ]),
    }
    # the csv module writes None as an empty cell and a date as ISO text, as the contract has them
    data_set(folder, **{name: csv_text([header, *rows]) for name, (header, rows) in tables.items()})


def _run_commands(data, out, as_of) -> None:
    data_set_emptied()
    call_command("import_dataset", str(data), stdout=io.StringIO(), stderr=io.StringIO())
    call_command("recompute", "--as-of", as_of.isoformat(), stdout=io.StringIO())
    call_command("export_dataset", str(out), stdout=io.StringIO())


def _read(path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as exported:
        return list(csv.DictReader(exported))


def _ids(cell: str) -> set[str]:
    return set(cell.split(";")) if cell else set()


@pytest.mark.django_db
@settings(max_examples=examples(15), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(world=worlds(), as_of=st.sampled_from([REF, date(2024, 2, 29)]), data=st.data())
def test_flags_csv_lists_the_flags_the_spec_describes(world, as_of, data, tmp_path_factory):
    entities, relationships, disclosures = world
    # the pairs that meet: mostly an overseer and what it oversees, whom the closeness rules are about
    powers = sorted({tuple(sorted((r.source, r.target))) for r in relationships if r.type in ("oversees", "budget_authority", "appoints")})
    pair = st.sampled_from(powers) if powers else st.nothing()
    meeting_pairs = data.draw(st.lists(pair | pair | st.sets(st.integers(1, N), min_size=2, max_size=2).map(sorted).map(tuple),
                                       min_size=1, max_size=3, unique=True))
    data, out = tmp_path_factory.mktemp("data"), tmp_path_factory.mktemp("out")
    # twelve private meetings a pair, about monthly over the year before the reference date
    meetings = [(n * 100 + k, as_of - timedelta(days=30 * k + 1), "private_meeting", pair)
                for n, pair in enumerate(meeting_pairs) for k in range(12)]
    _write_data_set(data, entities, relationships, disclosures, meetings)

    _run_commands(data, out, as_of)

    flags = _read(out / "flags.csv")
    close = {frozenset((int(row["entity_a"][1:]), int(row["entity_b"][1:]))) for row in _read(out / "closeness.csv") if row["band"] == "close"}
    closeness_flags = {(row["rule"], row["subject"], row["counterpart"]): (row["severity"], row["disclosed"]) for row in flags
                       if row["rule"] not in EVIDENCE_RULES}
    assert closeness_flags == {
        (rule, f"e{o}", f"e{x}"): (severity, "no") for (rule, o, x), severity in spec_closeness_flags(relationships, close, as_of).items()
    }
    listed = {(row["rule"], row["subject"], row["counterpart"]): row for row in flags if row["rule"] in EVIDENCE_RULES}
    expected = {
        (rule, f"e{subject}", f"e{x}"): flag
        for (rule, subject, x), flag in spec_flags(entities, relationships, disclosures, as_of).items()
    }
    assert set(listed) == set(expected)
    for key, row in listed.items():
        want = expected[key]
        assert (row["severity"], row["disclosed"], row["status"]) == (want["severity"], "yes" if want["disclosed"] else "no", "open"), key
        assert _ids(row["evidence"]) == {f"r{r}" for r in want["evidence"]}, key
        assert _ids(row["persons"]) == {f"e{p}" for p in want["persons"]}, key


MEETING_TYPES = ["advisory_board", "focus_group", "community_forum", "community_policing", "council_hearing", "private_meeting"]


@st.composite
def meetings_of_a_world(draw, as_of):
    """Meetings of any type over the three years before `as_of` and a month after it (ignored), each
    with one to six of the world's entities, persons and organisations alike."""
    return [
        (n, as_of + timedelta(days=draw(st.integers(-3 * 365, 30))), draw(st.sampled_from(MEETING_TYPES)),
         sorted(draw(st.sets(st.integers(1, N), min_size=1, max_size=6))))
        for n in range(draw(st.integers(0, 12)))
    ]


@pytest.mark.django_db
@settings(max_examples=examples(15), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(world=worlds(), as_of=st.sampled_from([REF, date(2024, 2, 29)]), data=st.data())
def test_closeness_csv_lists_what_the_engine_scores_from_the_same_evidence(world, as_of, data, tmp_path_factory):
    """Every pair the pure engine scores non-zero at one decimal from the world's records, and no
    other, with the same score and components: what the import stores, the recompute loads and
    writes (weak pairs packed), and the export reads back loses nothing."""
    entities, relationships, disclosures = world
    relationships = [r._replace(analyst_score=data.draw(st.none() | st.integers(0, 10).map(float))) for r in relationships]
    meetings = data.draw(meetings_of_a_world(as_of))
    folder, out = tmp_path_factory.mktemp("data"), tmp_path_factory.mktemp("out")
    _write_data_set(folder, entities, relationships, disclosures, meetings)

    _run_commands(folder, out, as_of)

    table = MeetingTable.from_rows([(m, day, t) for m, day, t, _ in meetings], [(m, e) for m, _, _, people in meetings for e in people])
    scored = closeness_scores(Evidence(list(entities.values()), relationships, table), ScoringParameters(), as_of).as_dict()
    components = ("score", "formal", "interaction", "financial", "analyst")
    expected = {
        frozenset((f"e{a}", f"e{b}")): tuple(f"{values[c]:.1f}" for c in components)
        for (a, b), values in scored.items() if values["score"] > 0
    }
    listed = {frozenset((row["entity_a"], row["entity_b"])): tuple(row[c] for c in components) for row in _read(out / "closeness.csv")}
    assert listed == expected
