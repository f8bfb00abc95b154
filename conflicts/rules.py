"""Conflict-of-interest rules: pure functions over the scoring engine's plain data.

Contract: `flags_for_all_rules(data) -> list[RaisedFlag]`, judged on `data.as_of`, with exactly one
flag per (rule, subject, counterpart); several persons or relationships behind one situation are
merged into that flag. Words (docs/conflict-rules.md explains each rule with an example):

* in force on D: started on or before D (or undated) and not ended before D;
* an overseer of X: an entity with an in-force `oversees`, `budget_authority` or `appoints` over X;
* the overseen side of X: X, X's parent unit, any `police_union` that currently `represents` X, and
  whoever currently `leads` or is `employed_by` X.

Severity is the rule's; disclosure of every conflicting relationship on or before the reference
date lowers it one level and sets `disclosed`. The two closeness rules have no conflicting
relationship and are never disclosed.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from core.dates import is_after, years_before
from core.formatting import count_text, money_text, names_text
from entities.kinds import Kind, is_person_kind
from relationships.types import OVERSIGHT_TYPES, PERSONAL_TIE_TYPES
from scoring.engine.data import EntityRecord, RelationshipRecord

FUNDING_DEPENDENCE = "FUNDING_DEPENDENCE"
REVOLVING_DOOR = "REVOLVING_DOOR"
CONTRIBUTION_FROM_OVERSEEN = "CONTRIBUTION_FROM_OVERSEEN"
PERSONAL_TIE = "PERSONAL_TIE"
OVERSIGHT_TOO_CLOSE = "OVERSIGHT_TOO_CLOSE"
POWER_IMBALANCE = "POWER_IMBALANCE"
RULES = (
    FUNDING_DEPENDENCE,
    REVOLVING_DOOR,
    CONTRIBUTION_FROM_OVERSEEN,
    PERSONAL_TIE,
    OVERSIGHT_TOO_CLOSE,
    POWER_IMBALANCE,
)
SEVERITIES = ("low", "medium", "high")

FUNDING_WINDOW_YEARS = 2
REVOLVING_DOOR_WINDOW_YEARS = 5
CONTRIBUTION_WINDOW_YEARS = 4
CONTRIBUTION_HIGH_TOTAL = 10_000


@dataclass(frozen=True)
class RuleText:
    """A rule as the pages explain it to people who do not read its code: a name, what raises it
    in plain words (X is the flag's counterpart, the overseen entity) and its severity."""

    label: str
    plain_words: str
    severity: str


# Written from the windows and thresholds above, so the pages cannot say other numbers than the
# rules use; docs/conflict-rules.md has the same sentences, with code marks (a test compares them).
RULE_TEXTS = {
    FUNDING_DEPENDENCE: RuleText(
        "Funding dependence",
        f"An overseer of X takes money (funds) from X's side, now or until less than {FUNDING_WINDOW_YEARS} years ago.",
        "high",
    ),
    REVOLVING_DOOR: RuleText(
        "Revolving door",
        "Someone who now leads or sits on an overseer of X worked for or led X while on it, or left X less than "
        f"{REVOLVING_DOOR_WINDOW_YEARS} years before joining.",
        "high",
    ),
    CONTRIBUTION_FROM_OVERSEEN: RuleText(
        "Contribution from the overseen",
        "An elected official who oversees X (directly, or as a member of a council or committee that does) received "
        f"campaign money or an endorsement from X's side in the last {CONTRIBUTION_WINDOW_YEARS} years.",
        f"medium; high at {CONTRIBUTION_HIGH_TOTAL:,} or more in total",
    ),
    PERSONAL_TIE: RuleText(
        "Personal tie",
        "A current family or personal tie joins someone who works for or leads X (or X, when X is a person) with "
        "someone who oversees X or sits on an overseer of X.",
        "high",
    ),
    OVERSIGHT_TOO_CLOSE: RuleText(
        "Oversight too close", "An entity that oversees X is close to X (score 8 or more).", "medium"
    ),
    POWER_IMBALANCE: RuleText(
        "Power imbalance",
        "An entity with budget authority over X or that appoints X's leadership, but no oversight mandate, is close to X.",
        "low",
    ),
}


def rule_name(rule: str) -> str:
    """A rule's name in words ("Funding dependence" for FUNDING_DEPENDENCE), as the pages and emails
    show it to readers who do not read codes; the code itself for a rule without words."""
    text = RULE_TEXTS.get(rule)
    return text.label if text else rule


OVERSEEN_SIDE_TEXT = (
    "X's side: X itself, its parent unit, a police union that represents it, and the people who lead or work for it. "
    "An overseer: an entity with an oversight mandate, budget authority or appointments over X. "
    "Disclosing every relationship behind a flag lowers its severity by one level."
)


@dataclass(frozen=True)
class DisclosureRecord:
    relationship_id: int
    disclosed_on: date


@dataclass
class RuleInput:
    entities: dict[int, EntityRecord]
    relationships: list[RelationshipRecord]
    disclosures: list[DisclosureRecord]
    # closeness score of each unordered pair (a < b) that is `close`; the rules need no other pairs
    close_pairs: dict[tuple[int, int], float]
    as_of: date


@dataclass
class RaisedFlag:
    rule: str
    subject: int
    counterpart: int
    severity: str
    persons: tuple[int, ...]
    evidence: tuple[int, ...]  # relationship ids (conflicting relationships, or the formal basis)
    disclosed: bool
    explanation: str

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.rule, self.subject, self.counterpart)


@dataclass
class _Draft:
    rule: str
    subject: int
    counterpart: int
    base_severity: str
    persons: set[int] = field(default_factory=set)
    evidence: dict[int, RelationshipRecord] = field(default_factory=dict)
    sentences: list[str] = field(default_factory=list)
    can_be_disclosed: bool = True


def _lower(severity: str) -> str:
    return SEVERITIES[max(0, SEVERITIES.index(severity) - 1)]


def _money(amount: float | None) -> str:
    return money_text(amount) if amount is not None else "an undisclosed amount"


def _years_between(earlier: date, later: date, under: int) -> str:
    """The gap in years, to one decimal, for a gap the rule found under `under` calendar years:
    never said as `under` itself (a job left a day less than 5 years before joining read "5.0
    years before joining", as if the rule had misfired): 4.97 years is said as 4.9."""
    years = min(round((later - earlier).days / 365.25, 1), under - 0.1)
    return f"{years:.1f} years"


class _Context:
    """Indexes over the relationships, all judged on the reference date."""

    def __init__(self, data: RuleInput):
        self.data = data
        self.as_of = data.as_of
        self.by_type: dict[str, list[RelationshipRecord]] = defaultdict(list)
        as_of = data.as_of
        # known (started by the reference date), then in force (not ended before it), tested inline:
        # a function call per relationship was most of this at 100,000 relationships
        for rel in data.relationships:
            if (rel.start_date is None or rel.start_date <= as_of) and rel.source != rel.target:
                self.by_type[rel.type].append(rel)
        self.current = {t: [r for r in rels if r.end_date is None or r.end_date >= as_of] for t, rels in self.by_type.items()}
        # overseers[X][O] = the in-force relationships that make O an overseer of X
        self.overseers: dict[int, dict[int, list[RelationshipRecord]]] = defaultdict(lambda: defaultdict(list))
        for rel_type in OVERSIGHT_TYPES:
            for rel in self.current.get(rel_type, []):
                self.overseers[rel.target][rel.source].append(rel)
        # current leads/member_of of a person in an organisation: (person, org) -> relationships
        self.seats: dict[tuple[int, int], list[RelationshipRecord]] = defaultdict(list)
        for rel_type in ("leads", "member_of"):
            for rel in self.current.get(rel_type, []):
                self.seats[(rel.source, rel.target)].append(rel)
        self.seats_of_person: dict[int, set[int]] = defaultdict(set)
        self.seats_in_org: dict[int, dict[int, list[RelationshipRecord]]] = defaultdict(dict)
        for (person, org), seats in self.seats.items():
            self.seats_of_person[person].add(org)
            self.seats_in_org[org][person] = seats
        self.staff: dict[int, set[int]] = defaultdict(set)  # X -> who currently leads or works for X
        for rel_type in ("leads", "employed_by"):
            for rel in self.current.get(rel_type, []):
                self.staff[rel.target].add(rel.source)
        self.unions: dict[int, set[int]] = defaultdict(set)
        for rel in self.current.get("represents", []):
            if self.kind(rel.source) == Kind.POLICE_UNION:
                self.unions[rel.target].add(rel.source)

    def kind(self, entity_id: int) -> str:
        record = self.data.entities.get(entity_id)
        return record.kind if record else ""

    def name(self, entity_id: int) -> str:
        record = self.data.entities.get(entity_id)
        return (record.name or record.external_id) if record else str(entity_id)

    def overseen_side(self, x: int) -> set[int]:
        side = {x} | self.unions[x] | self.staff[x]
        parent = self.data.entities.get(x).parent_id if x in self.data.entities else None
        if parent is not None:
            side.add(parent)
        return side


def _add(drafts: dict, rule: str, subject: int, counterpart: int, severity: str) -> _Draft:
    key = (rule, subject, counterpart)
    if key not in drafts:
        drafts[key] = _Draft(rule, subject, counterpart, severity)
    return drafts[key]


def flags_for_funding_dependence(ctx: _Context, drafts: dict) -> None:
    window_start = years_before(ctx.as_of, FUNDING_WINDOW_YEARS)
    funds_to: dict[int, list[RelationshipRecord]] = defaultdict(list)
    for rel in ctx.by_type.get("funds", []):
        if rel.end_date is None or is_after(rel.end_date, window_start):
            funds_to[rel.target].append(rel)
    for x, overseers in ctx.overseers.items():
        side = ctx.overseen_side(x)
        for o in overseers:
            for rel in funds_to.get(o, []):
                if rel.source in side:
                    draft = _add(drafts, FUNDING_DEPENDENCE, o, x, "high")
                    draft.evidence[rel.id] = rel
                    period = f"until {rel.end_date.isoformat()}" if rel.end_date and rel.end_date < ctx.as_of else "and still does"
                    draft.sentences.append(
                        f"{ctx.name(o)} oversees {ctx.name(x)} and received {_money(rel.amount)} "
                        f"from {ctx.name(rel.source)} {period}"
                    )


def flags_for_revolving_door(ctx: _Context, drafts: dict) -> None:
    past_jobs: dict[tuple[int, int], list[RelationshipRecord]] = defaultdict(list)
    for rel_type in ("employed_by", "leads"):
        for rel in ctx.by_type.get(rel_type, []):
            past_jobs[(rel.source, rel.target)].append(rel)
    for x, overseers in ctx.overseers.items():
        for o in overseers:
            for person, seats in ctx.seats_in_org.get(o, {}).items():
                if (person, x) not in past_jobs:
                    continue
                for seat in seats:
                    for job in past_jobs[(person, x)]:
                        if seat.start_date is None or job.end_date is None:
                            overlaps = True
                        else:
                            overlaps = is_after(job.end_date, years_before(seat.start_date, REVOLVING_DOOR_WINDOW_YEARS))
                        if not overlaps:
                            continue
                        draft = _add(drafts, REVOLVING_DOOR, o, x, "high")
                        draft.persons.add(person)
                        draft.evidence[job.id] = job
                        role = "led" if job.type == "leads" else "worked for"
                        if job.end_date is None or seat.start_date is None or job.end_date >= seat.start_date:
                            when = "while serving on it" if job.end_date is None or job.end_date >= ctx.as_of else (
                                f"until {job.end_date.isoformat()}, overlapping the seat"
                            )
                            draft.sentences.append(
                                f"{ctx.name(person)} ({ctx.name(o)}) {role} {ctx.name(x)} {when}"
                            )
                        else:
                            draft.sentences.append(
                                f"{ctx.name(person)} ({ctx.name(o)}) {role} {ctx.name(x)} until "
                                f"{job.end_date.isoformat()}, {_years_between(job.end_date, seat.start_date, REVOLVING_DOOR_WINDOW_YEARS)} "
                                f"before joining on {seat.start_date.isoformat()}"
                            )


def flags_for_contribution_from_overseen(ctx: _Context, drafts: dict) -> None:
    window_start = years_before(ctx.as_of, CONTRIBUTION_WINDOW_YEARS)
    received: dict[int, list[RelationshipRecord]] = defaultdict(list)
    for rel_type in ("contributes_to", "endorses"):
        for rel in ctx.by_type.get(rel_type, []):
            if rel.start_date is not None and is_after(rel.start_date, window_start):
                received[rel.target].append(rel)
    for x, overseers in ctx.overseers.items():
        officials: dict[int, set[int]] = defaultdict(set)  # official -> bodies through which they oversee X
        for o in overseers:
            if ctx.kind(o) == Kind.ELECTED_OFFICIAL:
                officials[o]
            elif ctx.kind(o) == Kind.GOVERNMENT_BODY:
                for person, seats in ctx.seats_in_org.get(o, {}).items():
                    if ctx.kind(person) == Kind.ELECTED_OFFICIAL and any(s.type == "member_of" for s in seats):
                        officials[person].add(o)
        side = ctx.overseen_side(x)
        for official, bodies in officials.items():
            gifts = [rel for rel in received.get(official, []) if rel.source in side]
            if not gifts:
                continue
            draft = _add(drafts, CONTRIBUTION_FROM_OVERSEEN, official, x, "medium")
            for rel in gifts:
                draft.evidence[rel.id] = rel
            via = f" as a member of {names_text(sorted(ctx.name(b) for b in bodies))}" if bodies else ""
            draft.sentences.append(f"{ctx.name(official)} oversees {ctx.name(x)}{via}")


def flags_for_personal_tie(ctx: _Context, drafts: dict) -> None:
    ties_of: dict[int, list[RelationshipRecord]] = defaultdict(list)
    for rel_type in PERSONAL_TIE_TYPES:
        for tie in ctx.current.get(rel_type, []):
            ties_of[tie.source].append(tie)
            ties_of[tie.target].append(tie)
    for x, overseers in ctx.overseers.items():
        # the persons on X's side: its staff, and X itself when X is a person (a mayor appoints the chief)
        insiders = {e for e in ctx.overseen_side(x) if is_person_kind(ctx.kind(e))}
        for insider in insiders:
            for tie in ties_of.get(insider, ()):
                other = tie.target if tie.source == insider else tie.source
                if not is_person_kind(ctx.kind(other)):
                    continue  # a tie with an organisation: refused by neither the import nor the API, noted as odd
                subjects = []
                if other in overseers:
                    subjects.append((other, ""))
                for o in ctx.seats_of_person.get(other, ()):
                    if o in overseers:
                        subjects.append((o, f" of {ctx.name(o)}"))
                for subject, seat in subjects:
                    draft = _add(drafts, PERSONAL_TIE, subject, x, "high")
                    draft.persons.update((insider, other))
                    draft.evidence[tie.id] = tie
                    if insider != x:
                        whose = f"who is on the side of {ctx.name(x)}"
                    else:  # X is the person tied: "…, who is on the side of X" would name X twice
                        whose = "whom they oversee" if subject == other else f"whom {ctx.name(subject)} oversees"
                    draft.sentences.append(f"{ctx.name(other)}{seat} has a {tie.type} tie with {ctx.name(insider)}, {whose}")


def flags_for_closeness(ctx: _Context, drafts: dict) -> None:
    for x, overseers in ctx.overseers.items():
        for o, rels in overseers.items():
            score = ctx.data.close_pairs.get((min(o, x), max(o, x)))
            if score is None:
                continue
            oversees = [r for r in rels if r.type == "oversees"]
            if oversees:
                draft = _add(drafts, OVERSIGHT_TOO_CLOSE, o, x, "medium")
                basis = oversees
                draft.sentences.append(f"{ctx.name(o)} oversees {ctx.name(x)} and their closeness is {score:.1f} (close)")
            else:
                draft = _add(drafts, POWER_IMBALANCE, o, x, "low")
                basis = rels
                powers = " and ".join(sorted({"appoints" if r.type == "appoints" else "has budget authority over" for r in rels}))
                draft.sentences.append(
                    f"{ctx.name(o)} {powers} {ctx.name(x)} without an oversight mandate, "
                    f"and their closeness is {score:.1f} (close)"
                )
            draft.can_be_disclosed = False
            for rel in basis:
                draft.evidence[rel.id] = rel


def total_in_cents(amounts) -> Decimal:
    """Amounts of money summed exactly: each is kept to the cent, so each is a whole number of
    cents (the float loaded stands for it within far less than a cent). Summed as floats, three
    contributions of 5,672.53, 2,881.66 and 1,445.81 came to 9,999.999999999998: under the
    10,000 that makes CONTRIBUTION_FROM_OVERSEEN high, and shown as "totalling 10,000.00"."""
    return Decimal(sum(round(amount * 100) for amount in amounts if amount)) / 100


def _finish(draft: _Draft, ctx: _Context, disclosed_ids: set[int]) -> RaisedFlag:
    severity = draft.base_severity
    if draft.rule == CONTRIBUTION_FROM_OVERSEEN:
        total = total_in_cents(r.amount for r in draft.evidence.values() if r.type == "contributes_to")
        severity = "high" if total >= CONTRIBUTION_HIGH_TOTAL else "medium"
        gifts = sorted(draft.evidence.values(), key=lambda r: (r.start_date, r.id))
        donors = names_text(sorted({ctx.name(r.source) for r in gifts}))
        n_contrib = sum(1 for r in gifts if r.type == "contributes_to")
        n_endorse = len(gifts) - n_contrib
        parts = []
        if n_contrib:
            parts.append(f"{count_text(n_contrib, 'contribution')} totalling {_money(total)}")
        if n_endorse:
            parts.append(count_text(n_endorse, 'endorsement'))
        draft.sentences = [
            f"{draft.sentences[0]} and received {' and '.join(parts)} from {donors} "
            f"{'on' if len(gifts) == 1 else 'since'} {gifts[0].start_date.isoformat()}"
        ]
    disclosed = draft.can_be_disclosed and bool(draft.evidence) and all(rid in disclosed_ids for rid in draft.evidence)
    if disclosed:
        severity = _lower(severity)
    sentences = sorted(set(draft.sentences))
    explanation = sentences[0]
    if len(sentences) > 1:
        explanation += f" (and {len(sentences) - 1} more)"
    explanation += "." + (" Disclosed." if disclosed else "")
    return RaisedFlag(
        rule=draft.rule,
        subject=draft.subject,
        counterpart=draft.counterpart,
        severity=severity,
        persons=tuple(sorted(draft.persons)),
        evidence=tuple(sorted(draft.evidence)),
        disclosed=disclosed,
        explanation=explanation,
    )


CLOSENESS_RULES = (OVERSIGHT_TOO_CLOSE, POWER_IMBALANCE)


class RulesRun:
    """The rules in two steps: first every rule that reads no closeness (relationships, entities and
    disclosures are all they need, so a recompute runs them while its scores are being written),
    then, given the close pairs, the two closeness rules and the finished flags."""

    def __init__(self, data: RuleInput, *, closeness_only: bool = False):
        self.data = data
        self.ctx = _Context(data)
        self.drafts: dict[tuple[str, int, int], _Draft] = {}
        if not closeness_only:
            flags_for_funding_dependence(self.ctx, self.drafts)
            flags_for_revolving_door(self.ctx, self.drafts)
            flags_for_contribution_from_overseen(self.ctx, self.drafts)
            flags_for_personal_tie(self.ctx, self.drafts)

    def flags(self, close_pairs: dict[tuple[int, int], float]) -> list[RaisedFlag]:
        """Every flag, once the closeness rules have read `close_pairs`. Call once."""
        self.data.close_pairs = close_pairs
        flags_for_closeness(self.ctx, self.drafts)
        disclosed_ids = {d.relationship_id for d in self.data.disclosures if d.disclosed_on <= self.data.as_of}
        flags = [_finish(draft, self.ctx, disclosed_ids) for draft in self.drafts.values()]
        return sorted(flags, key=lambda f: (f.rule, f.subject, f.counterpart))


def flags_for_all_rules(data: RuleInput, *, closeness_only: bool = False) -> list[RaisedFlag]:
    """Every rule's flags; with `closeness_only`, just the two rules that read closeness (they need
    only the oversight relationships: `OVERSIGHT_TYPES`)."""
    return RulesRun(data, closeness_only=closeness_only).flags(data.close_pairs)
