"""Entities valid by the contract that may be one entered twice: two ids of one kind whose names
are the same but for case, accents, punctuation, spacing and common short forms. One entity under
two ids has its evidence, and its closeness, split in two. Listed on the Sources page, noted by an
import for the entities it adds; pure: rows in, notes out."""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

from core.repeats import NOTES_PER_CHECK, Repeat, firsts, repeats
from core.unaccent import without_accents

_APOSTROPHES = re.compile(r"['\u2019\u02bc`]")
_NOT_A_LETTER_OR_DIGIT = re.compile(r"[^\w]+")


# Words written short in the names of public bodies, as their full form; "pd" stands for two words.
_ABBREVIATIONS = {
    "dept": "department", "pd": "police department", "assn": "association", "assoc": "association",
    "govt": "government", "natl": "national", "intl": "international", "cmte": "committee", "ctte": "committee",
}
# A company's legal form at the end of its name says nothing about which company it is.
_LEGAL_FORMS = frozenset({"inc", "incorporated", "llc", "ltd", "corp", "corporation", "co", "lp", "llp", "plc"})


def name_key(name: str) -> str:
    """A name as compared for duplicates: accents, case, punctuation and spacing ignored
    ("Chief Laura Benton", "chief  laura benton." and "Chief Laura Bentón" are one key),
    apostrophes dropped ("Sheriff's Office" and "Sheriffs Office"), common abbreviations written
    out ("Riverton PD", "Riverton Police Dept." and "Riverton Police Department"), "&" read as
    "and", and a leading "The" and a trailing legal form ("Inc", "LLC") left out."""
    # accents taken off as the searches take them (Łódź as Lodz), and again once case is set aside:
    # a few capitals (Ʀ) have no rule of their own where their small letters do
    text = without_accents(without_accents(name.replace("&", " and ")).casefold())
    words = []
    for word in _NOT_A_LETTER_OR_DIGIT.sub(" ", _APOSTROPHES.sub("", text).casefold()).split():
        words += _ABBREVIATIONS[word].split() if word in _ABBREVIATIONS else [word]
    while words and words[0] == "the":
        words = words[1:]
    while len(words) > 1 and words[-1] in _LEGAL_FORMS:
        words = words[:-1]
    return " ".join(words)


class EntityRow(NamedTuple):
    at: int  # its line in a file, or 0 for a stored entity
    external_id: str
    name: str
    kind: str


def twin_key(row: EntityRow) -> tuple:
    """What two entities share when they may be one: their kind and their name's key (a name with
    no letter or digit has no key, and is like no other)."""
    return (row.kind, name_key(row.name) or f"id:{row.external_id}")


def possible_twins_added(stored: Iterable[EntityRow], given: Iterable[EntityRow]) -> list[Repeat]:
    """Each of the `given` entities (those a file adds, in its order) of the kind and name key of a
    `stored` one or of an earlier given one, at most NOTES_PER_CHECK, then one saying how many
    more. Stored entities alike are let be here (the Sources page lists them)."""
    def why(row: EntityRow, earlier: EntityRow) -> str:
        where = f"line {earlier.at}" if earlier.at else "already in the tracker"
        return (f"{row.external_id} ({row.name}) may be the same {row.kind} as {earlier.external_id} ({earlier.name}, {where}): "
                f"one entity under two ids has its evidence, and its closeness, split in two")

    return repeats(firsts(stored, twin_key) + list(given), twin_key, NOTES_PER_CHECK, why, ("entity", "entities"))
