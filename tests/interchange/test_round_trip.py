"""The interchange contract's round trip, for any valid data set (hypothesis): generated files
import without a problem, every value stored as given (cells are trimmed), and export, import
into an empty database and export again give the same files, byte for byte. Cells hold any text:
commas, quotes, line breaks of every kind, formulas, right-to-left marks; files come in any column
order, with or without the optional columns, a byte-order mark and either line ending."""
import csv
import io
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engagement.models import Attendance, Meeting
from entities.models import Entity
from interchange.export import dataset_export
from interchange.format import INPUT_FILES
from interchange.reading import files_from_directory
from interchange.services import dataset_import
from relationships.models import Disclosure, Relationship
from tests.examples import examples
from tests.interchange.strategies import DATES, data_set_emptied, data_sets, data_sets_changed, files_of


def _export(directory) -> dict[str, bytes]:
    dataset_export(directory)
    return {fmt.name: (directory / fmt.name).read_bytes() for fmt in INPUT_FILES}


@pytest.mark.django_db
@settings(max_examples=examples(20), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_any_valid_data_set_imports_as_given_and_round_trips_byte_for_byte(data, tmp_path_factory):
    data_set = data.draw(data_sets())
    files = data.draw(files_of(data_set))
    data_set_emptied()

    result = dataset_import(files=files)

    assert result.ok, [str(p) for p in result.problems]
    stored = {e.external_id: e for e in Entity.objects.select_related("parent")}
    for row in data_set["entities.csv"]:
        entity = stored[row["external_id"]]
        assert (entity.name, entity.kind, entity.description, entity.parent.external_id if entity.parent else "") == (
            row["name"].strip(), row["kind"], row["description"].strip(), row["parent"])
    for row in data_set["relationships.csv"]:
        tie = Relationship.objects.get(external_id=row["external_id"])
        assert (tie.notes, tie.amount, tie.analyst_score) == (
            row["notes"].strip(), Decimal(row["amount"].replace(",", "")) if row["amount"] else None,
            Decimal(row["analyst_score"]) if row["analyst_score"] else None)
    for row in data_set["meetings.csv"]:
        assert Meeting.objects.get(external_id=row["external_id"]).source_url == row["source_url"].strip()
    for row in data_set["disclosures.csv"]:
        assert Disclosure.objects.get(external_id=row["external_id"]).source_url == row["source_url"].strip()
    assert Attendance.objects.count() == len(data_set["attendance.csv"])
    again = dataset_import(files=files)  # the same files again change nothing
    assert again.ok and all(c.created == c.updated == 0 for c in again.counts.values()), again.counts

    first = _export(tmp_path_factory.mktemp("first"))
    data_set_emptied()
    again = dataset_import(files=files_from_directory(tmp_path_factory.mktemp("unused")) | first)
    assert again.ok, [str(p) for p in again.problems]
    second = _export(tmp_path_factory.mktemp("second"))

    assert second == first


def _exported_results(directory) -> tuple[list[dict], list[dict]]:
    dataset_export(directory)
    read = lambda name: list(csv.DictReader(io.StringIO((directory / name).read_text(encoding="utf-8"), newline="")))  # noqa: E731
    return read("closeness.csv"), read("flags.csv")


@pytest.mark.django_db
@settings(max_examples=examples(10), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data(), as_of=DATES)
def test_any_valid_data_set_recomputes_to_well_formed_results_that_survive_a_round_trip(data, as_of, tmp_path_factory):
    """closeness.csv and flags.csv of any data set, as of any date, are as the contract shapes them,
    and a round trip of the data set gives the same ones."""
    from django.core.management import call_command

    data_set_emptied()
    assert dataset_import(files=data.draw(files_of(data.draw(data_sets())))).ok
    call_command("recompute", "--as-of", as_of.isoformat(), stdout=io.StringIO())
    closeness, flags = _exported_results(tmp_path_factory.mktemp("first"))

    entity_ids = set(Entity.objects.values_list("external_id", flat=True))
    for pair in closeness:
        score = Decimal(pair["score"])
        assert pair["entity_a"] < pair["entity_b"] and {pair["entity_a"], pair["entity_b"]} <= entity_ids
        assert Decimal("0.1") <= score <= 10 and score == score.quantize(Decimal("0.1")) and pair["as_of"] == as_of.isoformat()
        assert pair["band"] == ("close" if score >= 8 else "working" if score >= 4 else "distant")
    for flag in flags:
        assert flag["severity"] in ("low", "medium", "high") and flag["status"] == "open" and flag["disclosed"] in ("yes", "no")
        assert {flag["subject"], flag["counterpart"]} <= entity_ids and flag["evidence"]

    first = _export(tmp_path_factory.mktemp("data"))
    data_set_emptied()
    assert dataset_import(files=first).ok
    call_command("recompute", "--as-of", as_of.isoformat(), stdout=io.StringIO())
    assert _exported_results(tmp_path_factory.mktemp("second")) == (closeness, flags)


@pytest.mark.django_db
@settings(max_examples=examples(15), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_importing_a_later_version_over_an_earlier_one_stores_what_importing_it_alone_does(data, tmp_path_factory):
    """A data set imported, then a later version of it (any value of any row changed, cleared or
    set, parents moved, rows added) imported over it: every file exports as when the later version
    is imported into an empty database. The upsert leaves nothing of the earlier version behind."""
    earlier = data.draw(data_sets())
    later = data.draw(data_sets_changed(earlier))
    data_set_emptied()
    assert dataset_import(files=data.draw(files_of(earlier))).ok
    over = dataset_import(files=data.draw(files_of(later, every_column=True)))
    assert over.ok, [str(p) for p in over.problems]
    upserted = _export(tmp_path_factory.mktemp("upserted"))

    data_set_emptied()
    assert dataset_import(files=data.draw(files_of(later, every_column=True))).ok

    assert _export(tmp_path_factory.mktemp("alone")) == upserted
