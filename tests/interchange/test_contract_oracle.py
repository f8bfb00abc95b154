"""The contract's commands end to end, as the acceptance checks run them: a random data set written
as CSV files, `import_dataset`, `recompute --as-of`, `export_dataset`; flags.csv must list exactly
the evidence rules' flags that a literal reading of the spec's rule table raises
(tests/conflicts/spec_reading.py), by external id, with their severity, `disclosed`, persons and
conflicting relationships. What the pure rules' oracle test cannot see is tested here: the CSV
reading, what is stored and loaded again, and how flags.csv writes it all."""
import csv
import io
from datetime import date

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conflicts.spec_reading import EVIDENCE_RULES, REF, spec_flags, worlds
from tests.interchange.strategies import data_set_emptied


def _write(path, header: list[str], rows: list[list]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows([["" if cell is None else cell for cell in row] for row in rows])


def _write_data_set(folder, entities, relationships, disclosures) -> None:
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


def _ids(cell: str) -> set[str]:
    return set(cell.split(";")) if cell else set()


@pytest.mark.django_db
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(world=worlds(), as_of=st.sampled_from([REF, date(2024, 2, 29)]))
def test_flags_csv_lists_the_flags_the_spec_describes(world, as_of, tmp_path_factory):
    entities, relationships, disclosures = world
    data, out = tmp_path_factory.mktemp("data"), tmp_path_factory.mktemp("out")
    _write_data_set(data, entities, relationships, disclosures)
    data_set_emptied()

    call_command("import_dataset", str(data), stdout=io.StringIO(), stderr=io.StringIO())
    call_command("recompute", "--as-of", as_of.isoformat(), stdout=io.StringIO())
    call_command("export_dataset", str(out), stdout=io.StringIO())

    with open(out / "flags.csv", newline="", encoding="utf-8") as exported:
        listed = {
            (row["rule"], row["subject"], row["counterpart"]): row
            for row in csv.DictReader(exported) if row["rule"] in EVIDENCE_RULES
        }
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
