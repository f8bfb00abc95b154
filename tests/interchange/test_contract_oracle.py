"""The contract's commands end to end, as the acceptance checks run them: a random data set written
as CSV files, `import_dataset`, `recompute --as-of`, `export_dataset`; flags.csv must list exactly
the flags that a literal reading of the spec's rule table raises (tests/conflicts/spec_reading.py),
by external id: the evidence rules' with their severity, `disclosed`, persons and conflicting
relationships, and the two closeness rules' from the pairs closeness.csv says are `close` (a few
pairs meet about monthly in private, so that some are). What the pure rules' oracle test cannot
see is tested here: the CSV reading, what is stored and loaded again, and how the two exported
files agree."""
import csv
import io
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conflicts.spec_reading import EVIDENCE_RULES, N, REF, spec_closeness_flags, spec_flags, worlds
from tests.interchange.strategies import data_set_emptied


def _write(path, header: list[str], rows: list[list]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows([["" if cell is None else cell for cell in row] for row in rows])


def _write_data_set(folder, entities, relationships, disclosures, meeting_pairs, as_of) -> None:
    ext = {i: f"e{i}" for i in entities}
    _write(folder / "entities.csv", ["external_id", "name", "kind", "parent"], [
        [ext[e.id], e.name, e.kind, ext.get(e.parent_id)] for e in entities.values()
    ])
    _write(folder / "relationships.csv", ["external_id", "source", "target", "type", "start_date", "end_date", "amount"], [
        [f"r{r.id}", ext[r.source], ext[r.target], r.type, r.start_date, r.end_date, None if r.amount is None else int(r.amount)]
        for r in relationships
    ])
    by_id = {r.id: r for r in relationships}
    _write(folder / "disclosures.csv", ["external_id", "discloser", "relationship", "disclosed_on"], [
        [f"d{n}", ext[by_id[d.relationship_id].source], f"r{d.relationship_id}", d.disclosed_on]
        for n, d in enumerate(disclosures)
    ])
    # twelve private meetings a pair, about monthly over the year before the reference date
    meetings = [(f"m{n}-{k}", as_of - timedelta(days=30 * k + 1), pair) for n, pair in enumerate(meeting_pairs) for k in range(12)]
    _write(folder / "meetings.csv", ["external_id", "date", "type", "title"], [
        [meeting, day, "private_meeting", "Meeting"] for meeting, day, _ in meetings
    ])
    _write(folder / "attendance.csv", ["meeting", "entity"], [
        [meeting, ext[e]] for meeting, _, pair in meetings for e in pair
    ])


def _ids(cell: str) -> set[str]:
    return set(cell.split(";")) if cell else set()


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(world=worlds(), as_of=st.sampled_from([REF, date(2024, 2, 29)]), data=st.data())
def test_flags_csv_lists_the_flags_the_spec_describes(world, as_of, data, tmp_path_factory):
    entities, relationships, disclosures = world
    # the pairs that meet: mostly an overseer and what it oversees, whom the closeness rules are about
    powers = sorted({tuple(sorted((r.source, r.target))) for r in relationships if r.type in ("oversees", "budget_authority", "appoints")})
    pair = st.sampled_from(powers) if powers else st.nothing()
    meeting_pairs = data.draw(st.lists(pair | pair | st.sets(st.integers(1, N), min_size=2, max_size=2).map(sorted).map(tuple),
                                       min_size=1, max_size=3, unique=True))
    data, out = tmp_path_factory.mktemp("data"), tmp_path_factory.mktemp("out")
    _write_data_set(data, entities, relationships, disclosures, meeting_pairs, as_of)
    data_set_emptied()

    call_command("import_dataset", str(data), stdout=io.StringIO(), stderr=io.StringIO())
    call_command("recompute", "--as-of", as_of.isoformat(), stdout=io.StringIO())
    call_command("export_dataset", str(out), stdout=io.StringIO())

    with open(out / "flags.csv", newline="", encoding="utf-8") as exported:
        flags = list(csv.DictReader(exported))
    with open(out / "closeness.csv", newline="", encoding="utf-8") as exported:
        close = {frozenset((int(row["entity_a"][1:]), int(row["entity_b"][1:]))) for row in csv.DictReader(exported) if row["band"] == "close"}
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
