"""Relationships that are valid by the contract but read oddly, most likely written the wrong way
round (the roll-up and the conflict rules read every tie as written), or with a date or an amount nothing reads:
noted by an import, warned about in the admin, listed on the Sources page. An entity's parent unit
is checked here too, as a tie of the type `PARENT` from the entity to its parent (noted by an
import, warned about in the admin, shown on the entity's page). Pure: rows and entity kinds in,
notes out."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from core.repeats import NOTES_PER_CHECK, Repeat, first_listed, firsts, more_like_the_one_above, repeats
from entities.kinds import Category, Kind, category_for_kind, is_person_kind

from .types import AFFILIATION_TYPES, MONEY_TYPES, ONE_OFF_TYPES, OVERSIGHT_TYPES, PERSONAL_TIE_TYPES, SYMMETRIC_TYPES

PARENT = "parent"  # an entity's link to its parent unit (entities.csv's `parent`), checked as a tie


class TieRow(NamedTuple):  # a tuple: made by the tens of thousands for the Sources page
    at: int  # where the tie is: its line in a file, or the id of a stored relationship
    source: str
    target: str
    type: str
    ended: bool = False  # it has an end date
    has_amount: bool = False  # it has an amount
    undated: bool = False  # it has no start date


@dataclass(frozen=True)
class OddTie:
    at: int
    column: str  # the side at fault: source or target
    message: str
    more: int = 0  # on the line after the first NOTES_PER_CHECK of a check: how many more it found


def _a(kind: str) -> str:
    return f"{'an' if kind[:1] in 'aeiou' else 'a'} {kind}"


def _reversed_affiliation(row: TieRow, kind_of: Mapping[str, str]) -> tuple[str, str] | None:
    source, target = kind_of.get(row.source, ""), kind_of.get(row.target, "")
    if row.type in AFFILIATION_TYPES and source and not is_person_kind(source) and is_person_kind(target):
        return "source", (f"{row.source} ({source}) {row.type} {row.target} ({target}): a `{row.type}` tie goes from the "
                          f"person to the organisation; is it the wrong way round? (the roll-up and the conflict rules read it as written)")
    return None


_PERSON = Kind.PERSON.value  # once: an enum's value is looked up anew each time


def _affiliation_between_persons(row: TieRow, kind_of: Mapping[str, str]) -> tuple[str, str] | None:
    source, target = kind_of.get(row.source, ""), kind_of.get(row.target, "")
    # an elected official's office may be the official: an aide `employed_by` a councilmember stands for them
    if row.type in AFFILIATION_TYPES and target == _PERSON and is_person_kind(source):
        # "the sergeant leads the officer": the roll-up would have the sergeant stand for the officer at every meeting
        return "target", (f"{row.source} ({source}) {row.type} {row.target} ({target}): a `{row.type}` tie goes from a person "
                          f"to an organisation, and {row.target} is a person (the roll-up would count {row.source}'s "
                          f"meetings as {row.target}'s); tie both to the organisation instead")
    return None


# who answers to whom: law enforcement and its unions are the overseen side of the conflict rules
_OVERSEEN_CATEGORIES = {Category.LAW_ENFORCEMENT.value, Category.LAW_ENFORCEMENT_AFFILIATE.value}
_OVERSEEING_CATEGORIES = {Category.OVERSIGHT.value, Category.GOVERNMENT.value, Category.PERSON_OF_INFLUENCE.value}


def _reversed_oversight(row: TieRow, kind_of: Mapping[str, str]) -> tuple[str, str] | None:
    if row.type not in OVERSIGHT_TYPES:
        return None
    source, target = kind_of.get(row.source, ""), kind_of.get(row.target, "")
    if source and target and category_for_kind(source) in _OVERSEEN_CATEGORIES and category_for_kind(target) in _OVERSEEING_CATEGORIES:
        return "source", (f"{row.source} ({source}) {row.type} {row.target} ({target}): law enforcement is the side that is "
                          f"overseen; is it the wrong way round? (the conflict rules read it as written, with {row.source} "
                          f"as the overseer)")
    return None


def _tie_between_non_persons(row: TieRow, kind_of: Mapping[str, str]) -> tuple[str, str] | None:
    if row.type not in PERSONAL_TIE_TYPES:
        return None
    for column, ext in (("source", row.source), ("target", row.target)):
        kind = kind_of.get(ext, "")
        if kind and not is_person_kind(kind):
            return column, (f"a `{row.type}` tie joins two persons; {ext} is {_a(kind)} "
                            f"(the PERSONAL_TIE rule reads such ties between persons only)")
    return None


def _represents_without_a_union(row: TieRow, kind_of: Mapping[str, str]) -> tuple[str, str] | None:
    kind = kind_of.get(row.source, "")
    if row.type == "represents" and kind and kind != "police_union":
        return "source", (f"`represents` is a police union representing the officers of its target; {row.source} is "
                          f"{_a(kind)} (the conflict rules read `represents` from a police_union only)")
    return None


_POLICE_UNION, _LAW_ENFORCEMENT = Kind.POLICE_UNION.value, Category.LAW_ENFORCEMENT.value


def _union_representing_no_police(row: TieRow, kind_of: Mapping[str, str]) -> tuple[str, str] | None:
    source, target = kind_of.get(row.source, ""), kind_of.get(row.target, "")
    if row.type == "represents" and source == _POLICE_UNION and target and category_for_kind(target) != _LAW_ENFORCEMENT:
        return "target", (f"`represents` is a police union representing the officers of its target, a law-enforcement agency; "
                          f"{row.target} is {_a(target)} (the conflict rules would put {row.source} on {row.target}'s side)")
    return None


def _one_off_with_an_end(row: TieRow, kind_of: Mapping[str, str]) -> tuple[str, str] | None:
    if row.type in ONE_OFF_TYPES and row.ended:
        return "end_date", (f"a `{row.type}` tie is a one-off event, dated by its start_date: its end_date is kept "
                            f"but neither the scores nor the conflict rules read it")
    return None


def _one_off_without_a_date(row: TieRow, kind_of: Mapping[str, str]) -> tuple[str, str] | None:
    if row.type in ONE_OFF_TYPES and row.undated:
        return "start_date", (f"a `{row.type}` tie is a one-off event dated by its start_date, and this one has none: the scores "
                              f"count it as made on the reference date, and the conflict rules cannot tell whether it is "
                              f"less than 4 years old, so it never raises CONTRIBUTION_FROM_OVERSEEN; give its date")
    return None


def _amount_on_a_tie_without_money(row: TieRow, kind_of: Mapping[str, str]) -> tuple[str, str] | None:
    if row.has_amount and row.type not in MONEY_TYPES:
        return "amount", (f"only `funds` and `contributes_to` carry money: an amount on `{row.type}` is kept "
                          f"but neither the scores nor the conflict rules read it")
    return None


def _parent_with_a_person(row: TieRow, kind_of: Mapping[str, str]) -> tuple[str, str] | None:
    if row.type != PARENT:
        return None
    unit, parent = kind_of.get(row.source, ""), kind_of.get(row.target, "")
    if unit and is_person_kind(unit):
        # a person's employer written as a parent: nothing reads it, and the roll-up misses the person
        return "parent", (f"{row.source} ({unit}) has the parent unit {row.target}: a parent unit is for organisations "
                          f"(a precinct under a department); for whom a person works or sits, add an `employed_by`, "
                          f"`leads` or `member_of` relationship (the roll-up and the conflict rules read those, not a parent)")
    if parent and is_person_kind(parent):
        return "parent", (f"{row.target} ({parent}) is the parent unit of {row.source}: a parent unit is an organisation "
                          f"(the conflict rules count {row.source}'s parent on its side)")
    return None


# each check with the types it can find odd (None: any type), in the order the notes are listed
_CHECKS_FOR = (
    (_reversed_affiliation, AFFILIATION_TYPES), (_affiliation_between_persons, AFFILIATION_TYPES), (_reversed_oversight, OVERSIGHT_TYPES),
    (_tie_between_non_persons, PERSONAL_TIE_TYPES), (_represents_without_a_union, {"represents"}),
    (_union_representing_no_police, {"represents"}), (_one_off_with_an_end, ONE_OFF_TYPES), (_one_off_without_a_date, ONE_OFF_TYPES),
    (_amount_on_a_tie_without_money, None), (_parent_with_a_person, {PARENT}),
)
CHECKS = tuple(check for check, _ in _CHECKS_FOR)
# a row runs only the checks of its type: ten calls a row were a third of the Sources page at 60,000 ties
_ANY_TYPE = tuple(check for check, types in _CHECKS_FOR if types is None)
_BY_TYPE = {rel_type: tuple(check for check, types in _CHECKS_FOR if types is None or rel_type in types)
            for types in (t for _, t in _CHECKS_FOR if t is not None) for rel_type in types}
# no other type can be odd here; a one-off event only when it has an end date or no start date;
# any type but the money ones when it has an amount
CHECKED_TYPES = AFFILIATION_TYPES | OVERSIGHT_TYPES | PERSONAL_TIE_TYPES | {"represents"}
CHECKED_WHEN_ENDED = CHECKED_WHEN_UNDATED = ONE_OFF_TYPES


def odd_ties(rows: Iterable[TieRow], kind_of: Mapping[str, str]) -> list[OddTie]:
    """Each relationship a check finds odd, at most NOTES_PER_CHECK per check, then one saying how
    many more (`more`); in the rows' order within each check. Entities of unknown kind are let be (a reference
    the validation refused never gets here)."""
    found: dict[object, list[OddTie]] = {check: [] for check in CHECKS}
    more: dict[object, int] = {check: 0 for check in CHECKS}
    for row in rows:
        for check in _BY_TYPE.get(row.type, _ANY_TYPE):
            hit = check(row, kind_of)
            if hit is None:
                continue
            if len(found[check]) < NOTES_PER_CHECK:
                found[check].append(OddTie(row.at, *hit))
            else:
                more[check] += 1
    odd = []
    for check in CHECKS:
        odd += found[check]
        if more[check]:
            last = found[check][-1]
            noun = ("entity", "entities") if check is _parent_with_a_person else ("relationship", "relationships")
            odd.append(OddTie(last.at, last.column, more_like_the_one_above(more[check], *noun), more[check]))
    return odd


def odd_parent(unit: str, unit_kind: str, parent: str, parent_kind: str) -> list[str]:
    """Why an entity's parent unit reads oddly, if it does: the entity page and the admin's word."""
    return [odd.message for odd in odd_ties([TieRow(0, unit, parent, PARENT)], {unit: unit_kind, parent: parent_kind})]


class FactRow(NamedTuple):
    """A relationship as the scores and the rules read it, to find one fact entered twice."""

    at: int  # its line in a file, or the id of a stored relationship
    external_id: str
    source: str
    target: str
    type: str
    start_date: object = None  # a date, or None; compared only for equality
    end_date: object = None
    amount: object = None


def repeated_facts(rows: Iterable[FactRow]) -> list[Repeat]:
    """Each relationship that repeats an earlier one (a symmetric type in either direction), at most
    NOTES_PER_CHECK, then one saying how many more: merged extracts (a campaign-finance file and a
    roster) often give one fact twice under two ids, and the scores count each."""
    def why(row: FactRow, earlier: FactRow) -> str:
        counted = "its amount is added twice" if row.type in MONEY_TYPES else "the tie counts twice"
        return (f"{row.external_id} gives the same fact as {earlier.external_id} (same source, target, type, dates "
                f"and amount): both are counted, so {counted}; if it is one fact, remove one")

    return repeats(rows, fact_of, NOTES_PER_CHECK, why, ("relationship", "relationships"))


def fact_of(row: FactRow) -> tuple:
    """What makes two relationships one fact: their ends (either way round for a symmetric type),
    type, dates and amount."""
    ends = (min(row.source, row.target), max(row.source, row.target)) if row.type in SYMMETRIC_TYPES else (row.source, row.target)
    return (*ends, row.type, row.start_date, row.end_date, row.amount)


def facts_given_again(stored: Iterable[FactRow], given: Iterable[FactRow]) -> list[Repeat]:
    """Each of the `given` rows (a file's, in its order) that repeats a `stored` one, at most
    NOTES_PER_CHECK, then one saying how many more. Repeats within either side are not reported
    here (the file's own are noted on their lines; the stored ones are listed on the Sources page)."""
    return repeated_facts(firsts(stored, fact_of) + firsts(given, fact_of))


class DisclosureRow(NamedTuple):
    """A disclosure with the start of the relationship it discloses, to find one dated before it."""

    at: int  # its line in a file
    external_id: str
    relationship: str
    disclosed_on: object  # a date
    relationship_start: object  # a date, or None (undated: nothing to compare)


def early_disclosures(rows: Iterable[DisclosureRow]) -> list[OddTie]:
    """Each disclosure dated before the relationship it discloses began, at most NOTES_PER_CHECK,
    then one saying how many more: the rules count it all the same (a flag on that relationship
    reads as disclosed, one severity lower), so a mistyped year there lowers a flag without a word.
    A tie announced before it began is possible, hence a note, not a fault."""
    listed, more = first_listed([row for row in rows if row.relationship_start is not None and row.disclosed_on < row.relationship_start])
    found = [OddTie(row.at, "disclosed_on", f"{row.external_id} is dated {row.disclosed_on.isoformat()}, before {row.relationship} began "
                                            f"({row.relationship_start.isoformat()}): it counts as a disclosure of it all the same "
                                            f"(a flag on it reads as disclosed, one severity lower); if the date is mistyped, correct it")
             for row in listed]
    if more:
        found.append(OddTie(found[-1].at, "disclosed_on", more_like_the_one_above(more, "disclosure", "disclosures"), more))
    return found
