"""Recusal guidance: who should step back from what while a conflict-of-interest flag is open.

Pure: takes plain facts about each open or under-review flag (loaded by engagement/selectors.py) and
returns one sentence per person or body that should step back. Which one steps back follows the rule:

* REVOLVING_DOOR, PERSONAL_TIE: the person(s) of the flag who sit on or lead the overseeing body
  (or the overseer, when the overseer is a person), not the whole body;
* CONTRIBUTION_FROM_OVERSEEN: the elected official who received the money or endorsement;
* FUNDING_DEPENDENCE, OVERSIGHT_TOO_CLOSE, POWER_IMBALANCE: the overseeing body itself, which should
  hand the matter to someone independent.

What they step back from follows the overseer's powers over the counterpart: `oversees` (reviewing
complaints, for an oversight body), `budget_authority` (votes on the budget) and `appoints`.
"""
from __future__ import annotations

from dataclasses import dataclass

from entities.kinds import is_person_kind

PERSON_LEVEL_RULES = frozenset({"REVOLVING_DOOR", "PERSONAL_TIE"})
OFFICIAL_RULES = frozenset({"CONTRIBUTION_FROM_OVERSEEN"})


@dataclass(frozen=True)
class Party:
    id: int
    external_id: str
    name: str
    kind: str
    kind_label: str


@dataclass(frozen=True)
class FlagFacts:
    flag_id: int
    rule: str
    status: str
    subject: Party
    counterpart: Party
    persons: tuple[Party, ...]
    # oversight relationship types from the subject (or the bodies an official sits on) to the counterpart
    powers: frozenset[str]
    # ids of the flag's persons who currently lead or sit on the subject
    seated_person_ids: frozenset[int]


@dataclass(frozen=True)
class FlagRef:
    flag_id: int
    rule: str
    status: str


@dataclass(frozen=True)
class Recusal:
    body: Party  # the overseeing body or official the flags are about (the guidance groups by it)
    who: Party  # who should step back
    duty: str  # what from, e.g. "review complaints about"
    counterpart: Party
    flags: tuple[FlagRef, ...]  # every open flag that calls for this same step back

    @property
    def sentence(self) -> str:
        if self.who.id == self.body.id:
            who = self.who.name  # its kind heads the guidance already
        else:
            who = f"{self.who.name} ({self.body.name})"  # names often hold the title: "Councilmember Okoro"
        until = "the flag is resolved" if len(self.flags) <= 1 else "the flags are resolved"
        return f"{who} should not {self.duty} {self.counterpart.name} until {until}."


def duty_for_powers(powers: frozenset[str], overseer_kind: str, counterpart_kind: str = "") -> str:
    """What an overseer with these powers over X should stop doing about X (X a person when a mayor
    appoints the chief: the appointment of the chief, not appointments at the chief)."""
    duties = []
    if "oversees" in powers:
        duties.append("review complaints about" if overseer_kind == "oversight_body" else "take part in oversight of")
    if "budget_authority" in powers:
        duties.append("vote on the budget of")
    if "appoints" in powers:
        duties.append("take part in the appointment of" if is_person_kind(counterpart_kind) else "take part in appointments at")
    if not duties:
        return "take part in decisions about"
    if len(duties) == 1:
        return duties[0]
    # "review complaints about, or vote on the budget of," reads as one clause before the name
    return ", or ".join(duties[:-1]) + ", or " + duties[-1] + ","


def recusals_for_flags(flags: list[FlagFacts]) -> list[Recusal]:
    """One recusal per (body, who, counterpart), naming every flag behind it; sorted by body, who,
    counterpart."""
    merged: dict[tuple, list[FlagRef]] = {}
    for flag in flags:
        duty = duty_for_powers(flag.powers, flag.subject.kind, flag.counterpart.kind)
        if flag.rule in PERSON_LEVEL_RULES:
            who = [p for p in flag.persons if p.id in flag.seated_person_ids or p.id == flag.subject.id]
            if not who:
                who = [flag.subject]
        else:
            who = [flag.subject]
        for party in set(who):
            merged.setdefault((flag.subject, party, duty, flag.counterpart), []).append(
                FlagRef(flag.flag_id, flag.rule, flag.status)
            )
    recusals = [
        Recusal(body=body, who=who, duty=duty, counterpart=counterpart, flags=tuple(sorted(refs, key=lambda r: r.flag_id)))
        for (body, who, duty, counterpart), refs in merged.items()
    ]
    return sorted(recusals, key=lambda r: (r.body.name, r.body.id, r.who.name, r.who.id, r.counterpart.name, r.counterpart.id))
