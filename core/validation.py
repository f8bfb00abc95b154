"""The validation rules of the interchange contract, in one place.

Each function takes already-parsed values (dates as `date`, money as `Decimal`) and returns the
problems it finds as `FieldProblem(field, message)`; an empty list means valid. Model `clean()`,
the importer, forms and the API all call these functions, so a rule is written once.
"""
from __future__ import annotations

import difflib
import functools
import re
import uuid
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation

from core.formatting import count_text
from engagement.types import AttendanceRole, MeetingType
from entities.kinds import Kind
from relationships.types import MONEY_TYPES, RelationshipType

EXTERNAL_ID_PATTERN = re.compile(r"[A-Za-z0-9._-]+")  # matched whole (fullmatch): "$" let a final newline in
EXTERNAL_ID_MAX_LENGTH = 100
MAX_AMOUNT = Decimal("1e13")
_WIDEST_KEPT = 40  # digits before the point that kept_to writes out; larger numbers are refused anyway
AMOUNT_PLACES = 2  # amounts are kept to the cent
RATING_PLACES = 1  # an analyst's rating, 0 to 10, to a tenth
TEXT_LIMITS = {
    "name": 300,
    "title": 300,
    "jurisdiction": 200,
    "website": 1000,
    "source_url": 1000,
    "location": 300,
    "neighborhood": 200,
}


@dataclass(frozen=True)
class FieldProblem:
    field: str
    message: str


def name_meant(written: str, known) -> str:
    """The name among `known` most likely meant by an unknown one (a column, a field, a query
    parameter), spelt closely enough (`descripton`, `staus`, `ammount`), or "" for none; case,
    spaces at either end and hyphens for underscores are not told apart. Sorted first, so that of
    two as close the same one is named every time."""
    close = difflib.get_close_matches(written.strip().lower().replace("-", "_"), sorted(known), n=1, cutoff=0.8)
    return close[0] if close else ""


def unknown_name_message(name: str, known, *, what: str, known_words: str) -> str:
    """Why `name` is refused where only `known` are read (a query parameter of an API list, a field
    of a record): "unknown field: this record has a, b, c; did you mean 'b'?"."""
    meant = name_meant(name, known)
    return f"unknown {what}: {known_words} {', '.join(sorted(known))}" + (f"; did you mean '{meant}'?" if meant else "")


@functools.cache
def _allowed(choices) -> frozenset[str]:
    # Django rebuilds `Choices.values` as a list on every access: at a million attendance rows
    # that alone took 10 s of an import
    return frozenset(choices.values)


def _choice_problem(field: str, value: str, choices, reversed_of: dict[str, str] | None = None) -> list[FieldProblem]:
    """`value` refused unless it is one of `choices`, naming the value meant where it is written
    otherwise, or (`reversed_of`) the type it is the other side of."""
    if value in _allowed(choices):
        return []
    allowed = ", ".join(choices.values)
    message = f"unknown {field} '{value}' (expected one of: {allowed})"
    # "Private meeting", "police-department", "Sheriff's office", "Civil-rights organisation": the
    # value or its label as the pages show it, written otherwise, said as the value; and the words
    # other data sets use for it ("donation", "town hall", "organiser")
    meant = (_OTHER_WORDS | {_as_words(label): v for v, label in choices.choices} | {_as_words(v): v for v in choices.values})
    meant = {words: v for words, v in meant.items() if v in _allowed(choices)}
    guess = meant.get(_as_words(value))
    either = [f"'{v}' ({why})" for v, why in _EITHER_OF.get(_as_words(value), ()) if v in _allowed(choices)]
    other_side = (reversed_of or {}).get(_as_words(value))
    if guess is not None and guess != value:
        message += f"; did you mean '{guess}'?"
    elif either:
        message += f"; did you mean {' or '.join(either)}?"
    elif other_side is not None:
        message += f"; write it as '{other_side}' from the other side (swap source and target)"
    return [FieldProblem(field, message)]


# words other data sets use for a kind, type or role (as `_as_words` reads them), and the value
# they most likely mean; a guess only names it, the row is still refused
_OTHER_WORDS = {
    "police": "police_department", "police dept": "police_department", "sheriff office": "sheriffs_office",
    "union": "police_union", "review board": "oversight_body", "inspector general": "oversight_body", "council": "government_body",
    "company": "business", "elected": "elected_official", "individual": "person", "officer": "person",
    "oversight": "oversees", "funding": "funds", "grant": "funds", "donation": "contributes_to", "contribution": "contributes_to",
    "campaign contribution": "contributes_to", "endorsement": "endorses", "membership": "member_of", "member": "member_of",
    "employment": "employed_by", "employee": "employed_by", "works for": "employed_by", "partnership": "partners_with",
    "mou": "partners_with", "friend": "personal", "friendship": "personal", "relative": "family", "lobbying": "lobbies",
    "appointment": "appoints", "advice": "advises", "representation": "represents",
    "town hall": "community_forum", "forum": "community_forum", "public meeting": "community_forum", "hearing": "council_hearing",
    "private": "private_meeting", "focus": "focus_group", "advisory": "advisory_board",
    "organiser": "organizer", "host": "organizer", "chair": "organizer", "moderator": "organizer", "facilitator": "organizer",
    "speaker": "presenter", "panelist": "presenter", "witness": "presenter", "participant": "attendee", "guest": "attendee",
    "observer": "attendee", "member of the public": "attendee",
    "mayor": "elected_official", "council member": "elected_official", "councilmember": "elected_official",
    "councillor": "elected_official", "councilor": "elected_official", "alderman": "elected_official",
}
# words that could mean either of two kinds: both are named, each with what it is
_EITHER_OF = {
    "sheriff": (("sheriffs_office", "the office"), ("elected_official", "the sheriff, elected")),
    "chief": (("police_department", "the department"), ("person", "the chief")),
}

# a tie written from its other end ("the department is funded_by the city"): the type that reads it
# from the end the contract starts at
_TYPES_FROM_THE_OTHER_SIDE = {
    "overseen by": "oversees", "funded by": "funds", "appointed by": "appoints", "endorsed by": "endorses",
    "represented by": "represents", "led by": "leads", "headed by": "leads", "advised by": "advises", "lobbied by": "lobbies",
    "employs": "employed_by", "employer of": "employed_by", "has member": "member_of", "budget set by": "budget_authority",
}


def _as_words(text: str) -> str:
    """A choice's value or label reduced to its words: case, apostrophes, hyphens and spacing aside."""
    return " ".join(re.sub(r"['\u2019]", "", text).replace("-", " ").replace("_", " ").lower().split())


def external_id_problems(value: str, field: str = "external_id") -> list[FieldProblem]:
    if not value:
        return [FieldProblem(field, "is required")]
    if len(value) > EXTERNAL_ID_MAX_LENGTH:
        return [FieldProblem(field, f"is longer than {EXTERNAL_ID_MAX_LENGTH} characters")]
    if not EXTERNAL_ID_PATTERN.fullmatch(value):
        return [FieldProblem(field, f"'{value}' may hold only the letters A-Z and a-z, digits, '-', '_' and '.' ({refused_character(value)})")]
    return []


def web_external_id(prefix: str) -> str:
    """An id for a record made on a page where none was typed (`m-web-3f2a…` for a meeting): unique
    without asking anyone to choose one, and marked as made on a page, not in a data set."""
    return f"{prefix}-web-{uuid.uuid4().hex[:12]}"


def bare_id(value: str) -> str:
    """`value` with only the characters an id may hold: an id pasted with an invisible space, as meant."""
    return "".join(EXTERNAL_ID_PATTERN.findall(value))


def refused_character(value: str) -> str | None:
    """The first character an id may not hold, named so that it can be found: a space, or one that
    does not show (a zero-width space or a no-break space pasted from a web page) looks like nothing.
    None when it holds none."""
    position, char = next(((i, c) for i, c in enumerate(value, start=1) if not EXTERNAL_ID_PATTERN.fullmatch(c)), (0, ""))
    if not char:
        return None
    shown = f"'{char}'" if char.isprintable() and not char.isspace() else f"U+{ord(char):04X}, {unicodedata.name(char, 'a control character').lower()},"
    return f"{shown} at character {position}"


def text_problems(field: str, value: str | None) -> list[FieldProblem]:
    """Free text: no NUL characters (PostgreSQL refuses them) and within the column's length."""
    if not value:
        return []
    if "\x00" in value:
        return [FieldProblem(field, "contains a NUL character")]
    limit = TEXT_LIMITS.get(field)
    if limit and len(value) > limit:
        return [FieldProblem(field, f"is longer than {limit} characters")]
    return []


def _blank(value: str | None) -> bool:
    """Empty, or nothing but spaces: a name of spaces shows as nothing on every page."""
    return not value or not value.strip()


def entity_problems(*, name: str, kind: str) -> list[FieldProblem]:
    problems = []
    if _blank(name):
        problems.append(FieldProblem("name", "is required"))
    if not kind:
        problems.append(FieldProblem("kind", "is required"))
    else:
        problems += _choice_problem("kind", kind, Kind)
    return problems


def parent_problems(*, external_id: str, parent: str | None) -> list[FieldProblem]:
    if parent and parent == external_id:
        return [FieldProblem("parent", "an entity cannot be its own parent")]
    return []


def kept_to(value: Decimal, places: int) -> Decimal:
    """A number as stored with `places` decimals, rounded half up (7.25 is kept as 7.3 with one,
    1234.565 as 1234.57 with two, 5000 and 5e3 as 5000.00). The contract sets no number of
    decimals, so a file may give more than the column keeps: the import rounds them and says so.
    Rounding works to 28 digits by default, and a cell may hold thirty-two digits with decimals:
    the context is as wide as the number. One too large for any column (refused as implausible
    after this) is returned as it is, rather than written out to a billion digits."""
    if not value.is_finite() or value.adjusted() > _WIDEST_KEPT:
        return value
    wide_enough = Context(prec=max(value.adjusted(), 0) + places + 2)  # rounding up may carry one digit
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=wide_enough)


_CURRENCY_SIGNS = "$€£¥"
# commas as thousands separators, and only so: "12,500" or "1,234,567.50". A comma anywhere else is a
# decimal comma ("1,5", "1.234,50"), which taken as a separator read 1,5 as 15 and 0,5 as 5
_THOUSANDS = re.compile(r"[-+]?\d{1,3}(,\d{3})+(\.\d+)?")
# points between groups of three digits: "1.500" is one and a half where the point is the decimal
# mark and fifteen hundred where it separates thousands. A valid number, so read as written, but an
# amount written so is noted (`may_be_thousands`): it was read as 1.5 without a word
_POINT_THOUSANDS = re.compile(r"[-+]?[1-9]\d{0,2}(\.\d{3})+")


def may_be_thousands(value: Decimal) -> bool:
    """Whether an amount was written with a point between groups of three digits ("1.500",
    "12.000"): one and a half as read, fifteen hundred where the point separates thousands."""
    return _POINT_THOUSANDS.fullmatch(str(value)) is not None


def parse_decimal(cell: str, places: int | None) -> Decimal:
    """A number as written in a cell, any number of decimals, to be kept rounded (`kept_to`).

    `places`: the decimals the column keeps where a point may separate thousands (an amount; None
    where it cannot, a rating of 0 to 10). A cell with points between groups of three digits and
    more decimals than that ("1.234") is refused: it may be 1,234, and rounded to 1.23 it would be
    lost without a word."""
    try:
        if "," in cell and not _THOUSANDS.fullmatch(cell):
            raise InvalidOperation
        value = Decimal(cell.replace(",", ""))
    except InvalidOperation:  # the hints only here: most cells are plain numbers
        if any(sign in cell for sign in _CURRENCY_SIGNS):
            raise ValueError(f"'{cell}' is not a number: write the amount without its currency sign") from None
        if "," in cell:
            raise ValueError(f"'{cell}' is not a number: write decimals with a point (1234.50), not a comma") from None
        if _POINT_THOUSANDS.fullmatch(cell):
            raise ValueError(f"'{cell}' is not a number: write thousands without a point between them ({cell.replace('.', '')})") from None
        raise ValueError(f"'{cell}' is not a number") from None
    if not value.is_finite():
        raise ValueError(f"'{cell}' is not a number")
    if places is not None and _POINT_THOUSANDS.fullmatch(cell) and value != kept_to(value, places):
        whole = cell.replace(".", "")
        raise ValueError(f"'{cell}' may be {int(whole):,}, with a point between thousands: write {whole.lstrip('+')}, "
                         f"or at most {count_text(places, 'decimal')} if it is {cell}")
    return value


def relationship_problems(
    *,
    type: str,
    source: str | None,
    target: str | None,
    start_date: date | None,
    end_date: date | None,
    amount: Decimal | None,
    analyst_score: Decimal | None,
) -> list[FieldProblem]:
    problems = []
    if not type:
        problems.append(FieldProblem("type", "is required"))
    else:
        problems += _choice_problem("type", type, RelationshipType, _TYPES_FROM_THE_OTHER_SIDE)
    if source and target and source == target:
        problems.append(FieldProblem("target", f"source and target are the same entity '{source}'"))
    if start_date and end_date and end_date < start_date:
        problems.append(FieldProblem("end_date", f"{end_date.isoformat()} is before start_date {start_date.isoformat()}"))
    if type in MONEY_TYPES and amount is None:
        problems.append(FieldProblem("amount", f"is required for {type}"))
    if amount is not None:
        if amount <= 0:
            problems.append(FieldProblem("amount", f"must be greater than 0 (got {amount})"))
        elif kept_to(amount, AMOUNT_PLACES) == 0:  # 0.004 would be kept as 0.00
            problems.append(FieldProblem("amount", f"is less than half a cent (got {amount}): amounts are kept to the cent"))
        elif amount >= MAX_AMOUNT:
            problems.append(FieldProblem("amount", f"is implausibly large ({amount})"))
    if analyst_score is not None and not (0 <= analyst_score <= 10):
        problems.append(FieldProblem("analyst_score", f"must be between 0 and 10 (got {analyst_score})"))
    return problems


def ends_by_id(record) -> dict[str, str | None]:
    """A stored relationship's (or a report's) ends as `relationship_problems` names them: their
    external ids, which whoever typed them knows (a primary key would mean nothing to them)."""
    return {end: getattr(record, end).external_id if getattr(record, f"{end}_id") else None for end in ("source", "target")}


def meeting_problems(*, type: str, title: str) -> list[FieldProblem]:
    problems = []
    if not type:
        problems.append(FieldProblem("type", "is required"))
    else:
        problems += _choice_problem("type", type, MeetingType)
    if _blank(title):
        problems.append(FieldProblem("title", "is required"))
    return problems


def attendance_problems(*, role: str) -> list[FieldProblem]:
    if not role:
        return []
    return _choice_problem("role", role, AttendanceRole)


def problems_by_field(problems: list[FieldProblem]) -> dict[str, list[str]]:
    by_field: dict[str, list[str]] = {}
    for problem in problems:
        by_field.setdefault(problem.field, []).append(problem.message)
    return by_field


def raise_for_problems(problems: list[FieldProblem], instance=None) -> None:
    """Turn problems into a Django ValidationError keyed by field (for model.clean and forms).

    From a model's clean(), pass the model (`instance`): a required field left empty is then left to
    Django's own check of that field, which reports it already ("This field is required."); a form
    showed both messages under the field."""
    if instance is not None:
        problems = [p for p in problems if not _reported_by_django(instance, p.field)]
    if problems:
        from django.core.exceptions import ValidationError

        raise ValidationError(problems_by_field(problems))


def _reported_by_django(instance, field_name: str) -> bool:
    """Whether Django's check of the model's fields reports `field_name` as empty (a field that may
    not be blank, holding an empty value)."""
    from django.core.exceptions import FieldDoesNotExist

    try:
        field = instance._meta.get_field(field_name)
    except FieldDoesNotExist:
        return False
    return not field.blank and field.value_from_object(instance) in field.empty_values


def raise_for_api(problems: list[FieldProblem]) -> None:
    """Turn problems into a DRF ValidationError keyed by field (for serializers)."""
    if problems:
        from rest_framework import serializers

        raise serializers.ValidationError(problems_by_field(problems))


def parent_cycle_problems(*, external_id: str, parent: str | None, parent_of) -> list[FieldProblem]:
    """Following parents from `parent` must not lead back to `external_id`.

    `parent_of(external_id)` gives an entity's parent external_id (or None), so the same rule
    serves the importer (the files merged over the database) and single edits (the database)."""
    if not parent or parent == external_id:
        return []  # no parent, or the self-parent rule (parent_problems) already speaks
    chain, current = [external_id, parent], parent_of(parent)
    while current and current not in chain:
        chain.append(current)
        current = parent_of(current)
    if current == external_id:
        return [FieldProblem("parent", f"the parents form a cycle: {' -> '.join(chain + [external_id])}")]
    return []
