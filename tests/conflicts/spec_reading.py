"""A second reading of ../shared/spec/scoring.md's conflict-rule table, for the property tests that
hold the rules to it (tests/conflicts/test_rules_oracle.py on the pure rules, and
tests/interchange/test_contract_oracle.py through the import, recompute and export commands).

`spec_flags` is written from the spec's sentences alone, one literal loop per rule and no indexes,
slow on purpose; `worlds` builds small random data sets (random kinds, parents, relationships dated
around the reference date so every window bites, disclosures) in which each rule has something to
find.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from conflicts.rules import DisclosureRecord
from core.dates import years_before
from entities.kinds import Kind, is_person_kind
from scoring.engine import EntityRecord, RelationshipRecord

REF = date(2026, 6, 30)
EVIDENCE_RULES = ("FUNDING_DEPENDENCE", "REVOLVING_DOOR", "CONTRIBUTION_FROM_OVERSEEN", "PERSONAL_TIE")
LOWER = {"high": "medium", "medium": "low", "low": "low"}


# --- the spec, read literally ------------------------------------------------------------------

def known(rel, d):
    return rel.start_date is None or rel.start_date <= d


def in_force(rel, d):
    return known(rel, d) and (rel.end_date is None or rel.end_date >= d)


def less_than_years_before(day, years, d):
    """`day` is less than `years` years before `d` (and not after it)."""
    start = years_before(d, years)
    return day <= d and (start is None or day > start)


def spec_flags(entities, relationships, disclosures, d):
    rels = [r for r in relationships if r.source != r.target and known(r, d)]
    kind = {e.id: e.kind for e in entities.values()}

    def current(types):
        return [r for r in rels if r.type in types and in_force(r, d)]

    def overseers_of(x):
        return {r.source for r in current({"oversees", "budget_authority", "appoints"}) if r.target == x}

    def overseen_side(x):
        side = {x}
        if entities[x].parent_id is not None:
            side.add(entities[x].parent_id)
        side |= {r.source for r in current({"represents"}) if r.target == x and kind[r.source] == Kind.POLICE_UNION}
        side |= {r.source for r in current({"leads", "employed_by"}) if r.target == x}
        return side

    def seats_in(o):  # current leads / member_of relationships into o
        return [r for r in current({"leads", "member_of"}) if r.target == o]

    flags = {}

    def raise_flag(rule, subject, x, severity, evidence, persons=()):
        flag = flags.setdefault((rule, subject, x), {"severity": severity, "evidence": set(), "persons": set()})
        flag["evidence"] |= set(evidence)
        flag["persons"] |= set(persons)

    for x in entities:
        overseers = overseers_of(x)
        side = overseen_side(x)
        for o in overseers:
            # FUNDING_DEPENDENCE: o receives funds from x's side, in force or ended less than 2 years ago
            for r in rels:
                if r.type == "funds" and r.target == o and r.source in side and (
                    r.end_date is None or r.end_date >= d or less_than_years_before(r.end_date, 2, d)
                ):
                    raise_flag("FUNDING_DEPENDENCE", o, x, "high", [r.id])
            # REVOLVING_DOOR: a person seated on o was employed_by / led x during the seat or < 5 years before it
            for seat in seats_in(o):
                for job in rels:
                    if job.type not in ("employed_by", "leads") or job.source != seat.source or job.target != x:
                        continue
                    overlaps = seat.start_date is None or job.end_date is None or job.end_date >= seat.start_date
                    shortly_before = (
                        seat.start_date is not None and job.end_date is not None
                        and less_than_years_before(job.end_date, 5, seat.start_date)
                    )
                    if overlaps or shortly_before:
                        raise_flag("REVOLVING_DOOR", o, x, "high", [job.id], [seat.source])
        # CONTRIBUTION_FROM_OVERSEEN: an elected official who oversees x, or sits on a government body that does
        officials = {o for o in overseers if kind[o] == Kind.ELECTED_OFFICIAL}
        officials |= {
            seat.source for o in overseers if kind[o] == Kind.GOVERNMENT_BODY
            for seat in seats_in(o) if seat.type == "member_of" and kind[seat.source] == Kind.ELECTED_OFFICIAL
        }
        for e in officials:
            gifts = [
                r for r in rels
                if r.type in ("contributes_to", "endorses") and r.target == e and r.source in side
                and r.start_date is not None and less_than_years_before(r.start_date, 4, d)
            ]
            if gifts:
                total = sum(Decimal(str(r.amount)) for r in gifts if r.type == "contributes_to" and r.amount)  # exactly, as written
                raise_flag("CONTRIBUTION_FROM_OVERSEEN", e, x, "high" if total >= 10_000 else "medium", [r.id for r in gifts])
        # PERSONAL_TIE: a current family/personal tie between a person on x's side and a person Q who
        # oversees x (subject Q) or sits on an overseer of x (subject that overseer)
        for tie in current({"family", "personal"}):
            for insider, q in ((tie.source, tie.target), (tie.target, tie.source)):
                if insider not in side or not is_person_kind(kind[insider]) or not is_person_kind(kind[q]):
                    continue
                if q in overseers:
                    raise_flag("PERSONAL_TIE", q, x, "high", [tie.id], [insider, q])
                for o in overseers:
                    if any(seat.source == q for seat in seats_in(o)):
                        raise_flag("PERSONAL_TIE", o, x, "high", [tie.id], [insider, q])

    disclosed_ids = {disc.relationship_id for disc in disclosures if disc.disclosed_on <= d}
    for flag in flags.values():
        flag["disclosed"] = flag["evidence"] <= disclosed_ids
        if flag["disclosed"]:
            flag["severity"] = LOWER[flag["severity"]]
    return flags


def spec_closeness_flags(relationships, close_pairs, d):
    """The two closeness rules, {(rule, subject, counterpart): severity}, given the pairs that are
    `close` (as unordered pairs): an entity that currently `oversees` X and is close to it
    (OVERSIGHT_TOO_CLOSE, medium), or one with current `budget_authority` or `appoints` over X, no
    current `oversees`, and close to it (POWER_IMBALANCE, low). Never disclosed."""
    powers = {}  # (o, x) -> the types of o's current powers over x
    for r in relationships:
        if r.source != r.target and r.type in ("oversees", "budget_authority", "appoints") and in_force(r, d):
            powers.setdefault((r.source, r.target), set()).add(r.type)
    flags = {}
    for (o, x), types in powers.items():
        if frozenset((o, x)) in close_pairs:
            if "oversees" in types:
                flags[("OVERSIGHT_TOO_CLOSE", o, x)] = "medium"
            else:
                flags[("POWER_IMBALANCE", o, x)] = "low"
    return flags


# --- small random worlds -----------------------------------------------------------------------

KINDS = [k.value for k in Kind]
PERSON_KINDS = [Kind.PERSON.value, Kind.ELECTED_OFFICIAL.value]
N = 7  # entities per world: few, so that random ties meet


def days_around(lo_years, hi_years):
    return st.integers(-366 * lo_years, 366 * hi_years).map(lambda n: REF + timedelta(days=n))


@st.composite
def worlds(draw):
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=N, max_size=N))
    # enough persons, unions and overseers for every rule to have something to find
    kinds[0], kinds[1], kinds[2] = Kind.PERSON.value, Kind.ELECTED_OFFICIAL.value, Kind.POLICE_DEPARTMENT.value
    kinds[3] = draw(st.sampled_from([Kind.POLICE_UNION.value, Kind.GOVERNMENT_BODY.value, Kind.OVERSIGHT_BODY.value]))
    ids = list(range(1, N + 1))
    orgs = [i for i in ids if not is_person_kind(kinds[i - 1])]
    persons = [i for i in ids if is_person_kind(kinds[i - 1])]
    unions = [i for i in ids if kinds[i - 1] == Kind.POLICE_UNION.value]
    elected = [i for i in ids if kinds[i - 1] == Kind.ELECTED_OFFICIAL.value]
    governments = [i for i in ids if kinds[i - 1] == Kind.GOVERNMENT_BODY.value]
    entities = {}
    for i in ids:
        parent = None
        if i in orgs and draw(st.booleans()):  # an earlier organisation: no cycle, as the import demands
            parent = draw(st.sampled_from([o for o in orgs if o < i] or [None]))
        entities[i] = EntityRecord(i, kinds[i - 1], parent, f"e{i}", f"Entity {i}")

    relationships = []
    for rel_id in range(1, draw(st.integers(4, 30)) + 1):
        # the first few oversee something, so that most worlds have an overseen side to judge
        rel_type = draw(st.sampled_from(["oversees", "budget_authority", "appoints"] if rel_id <= 3 else [
            "oversees", "budget_authority", "appoints", "funds", "contributes_to", "endorses", "represents",
            "member_of", "leads", "employed_by", "family", "personal", "partners_with",
        ]))
        # the kinds the contract gives each type: a person acts in affiliations and personal ties
        if rel_id <= 3:  # an elected official or a council oversees, as the contribution rule needs
            source, target = draw(st.sampled_from(elected + governments + ids)), draw(st.sampled_from(ids))
        elif rel_type in ("member_of", "leads", "employed_by"):
            source, target = draw(st.sampled_from(persons)), draw(st.sampled_from(ids))
        elif rel_type in ("family", "personal"):  # between persons, and now and then (oddly) an organisation
            source, target = draw(st.sampled_from(persons)), draw(st.sampled_from(persons * 4 + ids))
        elif rel_type in ("contributes_to", "endorses"):  # mostly to elected officials, whom the rule is about
            source, target = draw(st.sampled_from(ids)), draw(st.sampled_from(elected * 3 + ids))
        elif rel_type == "represents" and unions:
            source, target = draw(st.sampled_from(unions)), draw(st.sampled_from(ids))
        else:
            source, target = draw(st.sampled_from(ids)), draw(st.sampled_from(ids))
        if source == target:
            continue
        start = draw(st.none() | days_around(9, 1))
        end = None
        if rel_type not in ("contributes_to", "endorses") and draw(st.booleans()):
            end = draw(days_around(8, 1))
            if start is not None and end < start:
                start, end = end, start
        # whole amounts about the 10,000 of CONTRIBUTION_FROM_OVERSEEN, and amounts in cents whose float sum falls short of it
        amount = draw(st.sampled_from([500.0, 4_999.0, 5_000.0, 10_000.0, 5672.53, 2881.66, 1445.81])) if rel_type in ("funds", "contributes_to") else None
        relationships.append(RelationshipRecord(rel_id, source, target, rel_type, start, end, amount))

    disclosures = [
        DisclosureRecord(rel.id, draw(days_around(3, 1)))
        for rel in relationships if draw(st.integers(0, 3)) == 0
    ]
    return entities, relationships, disclosures
