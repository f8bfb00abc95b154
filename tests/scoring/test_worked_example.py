"""docs/scoring.md's worked example quotes the lakeside scores as of 2026-06-30: the engine must
still give them, and the document must still quote them (a formula or default weight changed
without the document, or the document edited without the engine, fails here)."""
import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command

DOC = Path(__file__).resolve().parents[2] / "docs" / "scoring.md"

# pair -> (score, formal, interaction, financial, analyst), and how the document quotes each figure
WORKED_EXAMPLE = {
    ("lk-ob", "lk-pd"): (("9.4", "8.0", "9.9", "9.3", "0.0"), ["`10 × 0.8 = 8.0`", "= 9.3`", "`10 × √0.976 = 9.9`", "= 9.4` → `close`"]),
    ("x-a1", "x-b1"): (("5.6", "0.0", "7.5", "0.0", "0.0"), ["interaction 7.5, score 5.6, `working`"]),
    ("x-a2", "x-b2"): (("0.1", "0.0", "0.1", "0.0", "0.0"), ["score 0.1, `distant`"]),
}


@pytest.mark.django_db
def test_the_engine_gives_the_scores_the_worked_example_quotes(lakeside, tmp_path):
    call_command("recompute", "--as-of", "2026-06-30", stdout=io.StringIO())
    call_command("export_dataset", str(tmp_path), stdout=io.StringIO())
    with open(tmp_path / "closeness.csv") as fh:
        rows = {(r["entity_a"], r["entity_b"]): r for r in csv.DictReader(fh)}

    for pair, (figures, _) in WORKED_EXAMPLE.items():
        row = rows[pair]
        assert (row["score"], row["formal"], row["interaction"], row["financial"], row["analyst"]) == figures, pair


def test_the_document_quotes_those_scores():
    section = DOC.read_text().split("## Worked example", 1)[1].split("\n## ", 1)[0]
    example = " ".join(section.split())  # line breaks in the prose are spaces
    for pair, (_, quotes) in WORKED_EXAMPLE.items():
        for quote in quotes:
            assert quote in example, (pair, quote)
