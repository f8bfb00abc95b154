"""The lakeside worked example end to end: import, recompute, export, compare with expected/."""
import csv
import io

import pytest
from django.core.management import call_command

EVIDENCE_RULES = {"FUNDING_DEPENDENCE", "REVOLVING_DOOR", "CONTRIBUTION_FROM_OVERSEEN", "PERSONAL_TIE"}


def exported_flags(tmp_path):
    call_command("export_dataset", str(tmp_path), stdout=io.StringIO())
    with open(tmp_path / "flags.csv") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.django_db
@pytest.mark.parametrize("as_of", ["2024-01-01", "2026-06-30"])
def test_recompute_then_export_gives_exactly_the_expected_evidence_flags(lakeside, lakeside_dir, tmp_path, as_of):
    call_command("recompute", "--as-of", as_of, stdout=io.StringIO())

    flags = exported_flags(tmp_path)

    got = {
        (f["rule"], f["subject"], f["counterpart"]): f for f in flags if f["rule"] in EVIDENCE_RULES
    }
    with open(lakeside_dir / "expected" / f"flags-{as_of}.csv") as fh:
        expected = {(r["rule"], r["subject"], r["counterpart"]): r for r in csv.DictReader(fh)}
    assert set(got) == set(expected)
    for key, want in expected.items():
        flag = got[key]
        assert flag["severity"] == want["severity"], key
        assert flag["disclosed"] == want["disclosed"], key
        assert flag["persons"] == want["persons"], key
        assert set(want["conflicting"].split(";")) <= set(flag["evidence"].split(";")), key
        assert flag["status"] == "open"
        assert flag["explanation"].endswith(".")


@pytest.mark.django_db
def test_closeness_flags_as_of_mid_2026(lakeside, tmp_path):
    call_command("recompute", "--as-of", "2026-06-30", stdout=io.StringIO())

    flags = exported_flags(tmp_path)

    closeness_flags = {(f["rule"], f["subject"], f["counterpart"], f["severity"], f["disclosed"]) for f in flags if f["rule"] not in EVIDENCE_RULES}
    assert closeness_flags == {
        ("OVERSIGHT_TOO_CLOSE", "lk-ob", "lk-pd", "medium", "no"),
        ("POWER_IMBALANCE", "lk-cc", "lk-pd", "low", "no"),
    }


@pytest.mark.django_db
def test_expected_bands_as_of_mid_2026(lakeside, lakeside_dir, tmp_path):
    call_command("recompute", "--as-of", "2026-06-30", stdout=io.StringIO())
    call_command("export_dataset", str(tmp_path), stdout=io.StringIO())
    with open(tmp_path / "closeness.csv") as fh:
        rows = {(r["entity_a"], r["entity_b"]): r for r in csv.DictReader(fh)}

    def score(a, b):
        row = rows.get(tuple(sorted((a, b))))
        return (float(row["score"]), row["band"]) if row else (0.0, "distant")

    with open(lakeside_dir / "expected" / "closeness-2026-06-30.csv") as fh:
        expectations = list(csv.DictReader(fh))
    assert expectations
    for exp in expectations:
        value, band = score(exp["entity_a"], exp["entity_b"])
        if exp["expect"] == "close":
            assert band == "close", exp
        elif exp["expect"] == "not close":
            assert band != "close", exp
        elif exp["expect"] == "distant":
            assert band == "distant", exp
        else:
            other = exp["expect"].removeprefix("higher than ").split("/")
            assert value > score(*other)[0], exp
    for row in rows.values():
        assert row["entity_a"] < row["entity_b"]
        assert row["as_of"] == "2026-06-30"
        assert 0 < float(row["score"]) <= 10


@pytest.mark.django_db
def test_a_revolving_door_explanation_names_the_member_then_the_body(lakeside, tmp_path):
    """Names often hold a title ("Board Member Jamie Fox"): the body follows in brackets, so it
    does not read "Lakeside Police Oversight Board member Board Member Jamie Fox"."""
    call_command("recompute", "--as-of", "2026-06-30", stdout=io.StringIO())

    door = next(f for f in exported_flags(tmp_path) if (f["rule"], f["subject"]) == ("REVOLVING_DOOR", "lk-ob"))

    assert door["explanation"].startswith("Board Member Jamie Fox (Lakeside Police Oversight Board) worked for Lakeside Police Department until ")
