"""Writes for flags: refreshing them after a recompute, and the review lifecycle."""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date
from functools import partial

from django.db import transaction
from django.utils import timezone

from core.bulk import bulk_insert, reserve_ids
from core.roles import can_review_flags
from relationships.models import Relationship

from .load import load_close_pairs, load_disclosures
from .models import Flag, FlagStatusChange
from .rules import CLOSENESS_RULES, RaisedFlag, RuleInput, RulesRun

Status = Flag.Status

# What a reviewer may do; the recompute itself only reopens and lapses flags (see flags_refresh).
ALLOWED_TRANSITIONS = {
    Status.OPEN: {Status.UNDER_REVIEW},
    Status.UNDER_REVIEW: {Status.RESOLVED, Status.DISMISSED, Status.OPEN},
    Status.RESOLVED: {Status.OPEN},
    Status.DISMISSED: {Status.OPEN},
}
REVIEWED = {Status.UNDER_REVIEW, Status.RESOLVED, Status.DISMISSED}
# The status history's reason when a recompute resolves a flag whose situation ended (then the date).
LAPSED_REASON = "Evidence lapsed: the rule no longer holds as of"


def transitions_allowed(flag: Flag) -> set[str]:
    """The statuses a reviewer may move `flag` to: none once its situation ended (the recompute
    resolved it as lapsed, and reopens it when its evidence holds again). Reopened by hand, it
    would stay open with nothing holding it, out of the queue, where no recompute closes it again."""
    return set(ALLOWED_TRANSITIONS[Status(flag.status)]) if flag.holds else set()


class FlagTransitionError(Exception):
    """A status change the lifecycle or the user's role does not allow; the message says why."""


def _record(flag: Flag, to_status: str, reason: str, *, from_status: str | None = None, user=None) -> None:
    FlagStatusChange.objects.create(
        flag=flag,
        from_status=flag.status if from_status is None else from_status,
        to_status=to_status,
        changed_by=user,
        reason=reason,
    )


def evidence_digest(rel_ids, relationships_by_id: dict) -> dict[str, str]:
    """{relationship id: hash of the facts the rules read of it}; ids missing from the map are left out."""
    digest = {}
    for rel_id in rel_ids:
        rel = relationships_by_id.get(rel_id)
        if rel is not None:
            facts = f"{rel.source}|{rel.target}|{rel.type}|{rel.start_date}|{rel.end_date}|{rel.amount}"
            digest[str(rel_id)] = hashlib.blake2b(facts.encode(), digest_size=6).hexdigest()
    return digest


def _external_ids(rel_ids) -> list[str]:
    return sorted(Relationship.objects.filter(id__in=rel_ids).values_list("external_id", flat=True))


def rules_start(*, as_of: date, entities: dict, relationships: list, closeness_only: bool = False) -> Callable[[], RulesRun]:
    """Read the disclosures (the database) and return the rules' first step, still to run
    (`RulesRun(...)`: pure, so it may run in another thread while the scores are written)."""
    data = RuleInput(entities=entities, relationships=relationships, disclosures=load_disclosures(), close_pairs={}, as_of=as_of)
    return partial(RulesRun, data, closeness_only=closeness_only)


def flags_refresh(
    *, snapshot, as_of: date, entities: dict, relationships: list, closeness_only: bool = False, rules: RulesRun | None = None,
) -> int:
    """Run every rule as of `as_of` and reconcile with the stored flags without losing history:
    new situations open a flag; a reviewed flag keeps its status unless new evidence appears (then
    it reopens, saying what is new); a flag whose evidence no longer holds is resolved as lapsed.

    With `closeness_only` (only closeness changed, as of the same date) just the two closeness
    rules run, over the oversight relationships; the other rules' flags stand as they are.
    `rules`: their first step already run (`rules_start`) over the same inputs.
    Returns the number of flags raised."""
    if rules is None:
        rules = rules_start(as_of=as_of, entities=entities, relationships=relationships, closeness_only=closeness_only)()
    raised = rules.flags(load_close_pairs())
    relationships_by_id = {r.id: r for r in relationships}
    # order_by(): the model's default ordering joins the entities twice to sort, for a dict
    flags = (Flag.objects.filter(rule__in=CLOSENESS_RULES) if closeness_only else Flag.objects.all()).order_by()
    stored = {(f.rule, f.subject_id, f.counterpart_id): f for f in flags}
    evidence_of = _links(Flag.evidence.through, "relationship_id", closeness_only)
    persons_of = _links(Flag.persons.through, "entity_id", closeness_only)
    changed: list[Flag] = []
    new_items: list[RaisedFlag] = []
    for item in raised:
        flag = stored.pop(item.key, None)
        if flag is None:
            new_items.append(item)
        elif _flag_update(flag, item, as_of=as_of, old_evidence=evidence_of.get(flag.pk, set()), old_persons=persons_of.get(flag.pk, set()),
                          digest=evidence_digest(item.evidence, relationships_by_id)):
            changed.append(flag)
    for flag in stored.values():
        waiting = flag.status in (Status.OPEN, Status.UNDER_REVIEW)
        # a lapsed flag still waiting was reopened by hand before that was refused: closed again
        if not (flag.holds or waiting):
            continue
        if flag.holds:
            flag.holds, flag.lapsed_on = False, as_of
        if waiting:
            _record(flag, Status.RESOLVED, f"{LAPSED_REASON} {(flag.lapsed_on or as_of).isoformat()}.")
            flag.status = Status.RESOLVED
        changed.append(flag)
    Flag.objects.bulk_update(
        changed, ["status", "severity", "disclosed", "explanation", "holds", "lapsed_on", "evidence_digest"], batch_size=1000
    )
    _flags_create(new_items, snapshot=snapshot, as_of=as_of, relationships_by_id=relationships_by_id)
    # every flag was evaluated by this snapshot (one statement rather than one per flag)
    Flag.objects.update(last_evaluated_on=as_of, snapshot=snapshot)
    if closeness_only:
        return len(raised) + Flag.objects.filter(holds=True).exclude(rule__in=CLOSENESS_RULES).count()
    return len(raised)


def flags_keep(*, as_of: date) -> int:
    """The rules' inputs did not change: keep every flag as it is. The rules did not run, so each
    flag still names the snapshot that last evaluated it (rewriting every flag's row only to point
    at this one took 0.3 s of an incremental recompute); its date is already `as_of`, as this
    shortcut is taken only on the same reference date."""
    Flag.objects.exclude(last_evaluated_on=as_of).update(last_evaluated_on=as_of)
    return Flag.objects.filter(holds=True).count()


def _links(through, column: str, closeness_only: bool = False) -> dict[int, set[int]]:
    """flag id -> the ids it links to, read from a many-to-many table in one query."""
    links: dict[int, set[int]] = {}
    rows = through.objects.all()
    if closeness_only:
        rows = rows.filter(flag__rule__in=CLOSENESS_RULES)
    for flag_id, other in rows.values_list("flag_id", column).iterator(chunk_size=50000):
        links.setdefault(flag_id, set()).add(other)
    return links


def _flags_create(items: list[RaisedFlag], *, snapshot, as_of: date, relationships_by_id: dict) -> None:
    """New situations: open flags, each with its first history entry, persons and evidence, in bulk
    (a first recompute of a large data set raises thousands: through the ORM's bulk_create that
    took 2.5 s for 5,000 flags and their 18,000 links, by COPY a tenth of that)."""
    if not items:
        return
    now = timezone.now()
    columns = ["rule", "subject_id", "counterpart_id", "severity", "status", "disclosed", "explanation", "holds",
               "first_raised_on", "last_evaluated_on", "snapshot_id", "evidence_digest", "updated_at"]
    rows = [
        (item.rule, item.subject, item.counterpart, item.severity, Status.OPEN, item.disclosed, item.explanation, True,
         as_of, as_of, snapshot.pk, evidence_digest(item.evidence, relationships_by_id), now)
        for item in items
    ]
    flag_ids = reserve_ids(Flag, len(items))
    if flag_ids is not None:
        bulk_insert(Flag, ["id", *columns], ((flag_id, *row) for flag_id, row in zip(flag_ids, rows)))
    else:
        flags = Flag.objects.bulk_create([Flag(**dict(zip(columns, row))) for row in rows], batch_size=1000)
        if any(flag.pk is None for flag in flags):  # databases that do not return ids from bulk inserts
            by_key = {(f.rule, f.subject_id, f.counterpart_id): f.pk for f in Flag.objects.filter(first_raised_on=as_of, snapshot=snapshot)}
            flag_ids = [by_key[item.key] for item in items]
        else:
            flag_ids = [flag.pk for flag in flags]
    reason = f"Raised by the recompute as of {as_of.isoformat()}."
    bulk_insert(FlagStatusChange, ["flag_id", "from_status", "to_status", "reason", "changed_at"],
                ((flag_id, "", Status.OPEN, reason, now) for flag_id in flag_ids))
    bulk_insert(Flag.persons.through, ["flag_id", "entity_id"],
                ((flag_id, p) for flag_id, item in zip(flag_ids, items) for p in item.persons))
    bulk_insert(Flag.evidence.through, ["flag_id", "relationship_id"],
                ((flag_id, r) for flag_id, item in zip(flag_ids, items) for r in item.evidence))


def _flag_update(flag: Flag, item: RaisedFlag, *, as_of: date, old_evidence: set[int], old_persons: set[int], digest: dict) -> bool:
    """Reconcile one stored flag with what the rules raised now; True when it needs saving."""
    before = (flag.status, flag.severity, flag.disclosed, flag.explanation, flag.holds, flag.lapsed_on, flag.evidence_digest)
    new_evidence = set(item.evidence) - old_evidence
    # evidence kept but changed (an amount, a date); flags stored before digests existed have none
    altered = {int(k) for k, v in digest.items() if flag.evidence_digest.get(k, v) != v} - new_evidence
    if flag.status in REVIEWED and new_evidence:
        _record(flag, Status.OPEN, f"Reopened: new evidence {', '.join(_external_ids(new_evidence))} as of {as_of.isoformat()}.")
        flag.status = Status.OPEN
    elif flag.status == Status.RESOLVED and not flag.holds:
        _record(flag, Status.OPEN, f"Reopened: the evidence holds again as of {as_of.isoformat()}.")
        flag.status = Status.OPEN
    elif flag.status in REVIEWED and altered:
        _record(flag, Status.OPEN, f"Reopened: evidence {', '.join(_external_ids(altered))} changed as of {as_of.isoformat()}.")
        flag.status = Status.OPEN
    flag.severity = item.severity
    flag.disclosed = item.disclosed
    flag.explanation = item.explanation
    flag.holds = True
    flag.lapsed_on = None
    flag.evidence_digest = digest
    if set(item.evidence) != old_evidence:
        flag.evidence.set(item.evidence)
    if set(item.persons) != old_persons:
        flag.persons.set(item.persons)
    return before != (flag.status, flag.severity, flag.disclosed, flag.explanation, flag.holds, flag.lapsed_on, flag.evidence_digest)


def _change_asked(*, to_status: str, user, reason: str) -> str:
    """What every change of status needs, whichever flags it moves: a reviewer, a written reason
    (returned stripped) and a status that exists; refused with a clear message otherwise."""
    if not can_review_flags(user):
        raise FlagTransitionError("Only analysts and administrators can change a flag's status.")
    reason = (reason or "").strip()
    if not reason:
        raise FlagTransitionError("A written reason is required to change a flag's status.")
    if to_status not in Status.values:
        raise FlagTransitionError(f"'{to_status}' is not a flag status.")
    return reason


class FlagMovedSince(FlagTransitionError):
    """The flag's status is no longer the one the reviewer was shown: someone moved it since (their
    move and reason are in its history). Each caller says where it was shown."""

    def __init__(self, flag: Flag):
        self.status_now = flag.get_status_display().lower()
        super().__init__(f"someone made it {self.status_now} after it was shown (its history says why)")


def flag_change_status(*, flag: Flag, to_status: str, user, reason: str, shown_status: str | None = None) -> Flag:
    """A reviewer moves a flag along its lifecycle; refused with a clear message when not allowed.
    `shown_status`: the status the reviewer was shown, if known: refused (FlagMovedSince) when the
    flag no longer has it, rather than moving it from a status the reviewer never saw."""
    reason = _change_asked(to_status=to_status, user=user, reason=reason)
    if shown_status and shown_status != flag.status:
        raise FlagMovedSince(flag)
    allowed = transitions_allowed(flag)
    if not flag.holds:
        ended = f" as of {flag.lapsed_on.isoformat()}" if flag.lapsed_on else ""
        raise FlagTransitionError(f"This flag's situation ended{ended}: it is closed, and a recompute reopens it if its evidence "
                                  "holds again.")
    if to_status not in allowed:
        options = ", ".join(sorted(allowed)) or "nothing"
        raise FlagTransitionError(
            f"A flag that is {flag.status} cannot become {to_status}; it can become: {options}."
        )
    with transaction.atomic():
        # compare-and-set: refuse if someone else changed it since it was read
        if not Flag.objects.filter(pk=flag.pk, status=flag.status).update(status=to_status):
            raise FlagTransitionError("This flag was changed by someone else meanwhile; reload and try again.")
        _record(flag, to_status, reason, user=user)
        flag.status = to_status
    return flag


BULK_REVIEW_LIMIT = 500  # flags changed at once: a page of the queue at its largest


class FlagsMovedSince(FlagTransitionError):
    """Of several flags to move, at least one was moved by someone else since it was shown (read):
    none moved. The message names each flag refused, and why."""


def flags_change_status(*, flag_ids: list[int], to_status: str, user, reason: str, shown: dict[int, str] | None = None,
                        shown_where: str = "the queue was shown") -> list[Flag]:
    """A reviewer moves several flags to one status with one reason, each change recorded as if
    made alone (`flag_change_status`): all of them, or none when any one is refused, with a
    message naming each flag refused and why (its id and its situation). `shown`: the status each
    flag had as the queue showed it (or an API client read it: `shown_where` says which); one moved
    since by someone else is refused (FlagsMovedSince)."""
    _change_asked(to_status=to_status, user=user, reason=reason)  # once, not once per flag
    if not flag_ids:
        raise FlagTransitionError("No flag selected: tick the flags to change first.")
    if len(flag_ids) > BULK_REVIEW_LIMIT:
        raise FlagTransitionError(f"{len(flag_ids)} flags selected: change at most {BULK_REVIEW_LIMIT} at once.")
    flags = list(Flag.objects.filter(pk__in=flag_ids).select_related("subject", "counterpart").order_by("pk"))
    missing = sorted(set(flag_ids) - {f.pk for f in flags})
    if missing:
        raise FlagTransitionError(f"No flag #{', #'.join(map(str, missing))}: reload the queue and select again. Nothing changed.")
    refused, moved_since = [], False
    with transaction.atomic():
        for flag in flags:
            which = f"#{flag.pk} ({flag.rule}, {flag.subject.name} / {flag.counterpart.name})"
            try:
                flag_change_status(flag=flag, to_status=to_status, user=user, reason=reason, shown_status=(shown or {}).get(flag.pk))
            except FlagMovedSince as moved:
                moved_since = True
                refused.append(f"{which}: someone made it {moved.status_now} after {shown_where} (its history says why).")
            except FlagTransitionError as exc:
                refused.append(f"{which}: {exc}")
        if refused:
            transaction.set_rollback(True)
    if refused:
        which = f"{len(refused)} of the {len(flags)} flags cannot" if len(flags) > 1 else "The flag cannot"
        raise (FlagsMovedSince if moved_since else FlagTransitionError)(f"Nothing changed. {which}: " + " ".join(refused))
    return flags
