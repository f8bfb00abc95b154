"""Accents taken off as PostgreSQL's unaccent takes them, in plain Python (no Django): by a copy of
its rules (`unaccent.rules` here, with its licence in NOTICE), so that what Python and SQLite fold
is what PostgreSQL folds. Unicode's decompositions alone leave Ł, ø, ß and Æ as they are and turn
"²" into "2", which unaccent keeps, so the two databases found different rows."""
import functools
from pathlib import Path

UNACCENT_RULES = Path(__file__).with_name("unaccent.rules")


@functools.cache
def unaccent_table() -> dict[int, str]:
    """unaccent.rules as `str.translate` takes it: each line a character and what it reads as (a
    character alone: nothing, a combining accent), separated by a tab; PostgreSQL trims the
    second (" 1/2" for ½ reads as "1/2")."""
    table = {}
    for line in UNACCENT_RULES.read_text(encoding="utf-8").splitlines():
        character, _, reads_as = line.partition("\t")
        table[ord(character)] = reads_as.strip()
    return table


def without_accents(text: str) -> str:
    """`text` with its letters' accents taken off as PostgreSQL's unaccent takes them ("José
    Ramírez": "Jose Ramirez", "Łódź": "Lodz", "Straße": "Strasse")."""
    return text if text.isascii() else text.translate(unaccent_table())


def fold(text: str | None) -> str | None:
    """`text` without its accents and in lower case (SQLite's side of `core.search.Folded`)."""
    return None if text is None else without_accents(text).lower()
