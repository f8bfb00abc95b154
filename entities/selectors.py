"""Reads of entities shared by pages: an entity typed by id or name, and entities that may be the
same one entered twice."""
from __future__ import annotations

from collections import defaultdict

from core.search import holds, reads_as

from .checks import EntityRow, name_key, possible_twins_added
from .kinds import PERSON_KINDS
from .models import Entity


def entities_typed(value: str, limit: int = 6) -> list[Entity]:
    """The entities a person means by typing `value`: the one with that id, else those with that
    exact name, accents and case aside (up to `limit`; two people may share a name, so more than one means
    "ask which")."""
    entity = Entity.objects.filter(external_id=value).first()
    if entity is not None:
        return [entity]
    return list(Entity.objects.filter(reads_as("name", value)).order_by("external_id")[:limit])


def entities_named_with(part: str, limit: int = 6) -> list[Entity]:
    """The entities whose name holds `part`, accents and case aside (up to `limit`, by name): more than one
    means "ask which"."""
    return list(Entity.objects.filter(holds("name", part)).order_by("name", "external_id")[:limit])


def persons_named_like(names: list[str]) -> dict[str, Entity]:
    """For each of `names`, a person (or elected official) whose name is that one but for case,
    accents, punctuation, spacing and short forms (`name_key`), if any: most likely the one a new
    name means. One read of the persons' names for all of them."""
    wanted = {key: name for name in names if (key := name_key(name))}
    if not wanted:
        return {}
    found: dict[str, int] = {}
    for pk, other in Entity.objects.filter(kind__in=PERSON_KINDS).order_by("external_id").values_list("pk", "name").iterator(chunk_size=5000):
        found.setdefault(wanted.get(name_key(other), ""), pk)
    found.pop("", None)
    people = Entity.objects.in_bulk(list(found.values()))
    return {name: people[pk] for name, pk in found.items()}


def possible_duplicates() -> list[list[Entity]]:
    """Groups of two or more entities of one kind whose names are the same key
    (`name_key`: accents, case, punctuation, spacing and common short forms aside): data sets from several sources often name one department or person
    twice under two ids, which splits their evidence (and their closeness) in two. Largest groups
    first, each by external id."""
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for pk, name, kind in Entity.objects.values_list("pk", "name", "kind").iterator(chunk_size=5000):
        key = name_key(name)
        if key:
            groups[(kind, key)].append(pk)
    wanted = [ids for ids in groups.values() if len(ids) > 1]
    entities = Entity.objects.in_bulk([pk for ids in wanted for pk in ids])
    found = [sorted((entities[pk] for pk in ids), key=lambda e: e.external_id) for ids in wanted]
    return sorted(found, key=lambda group: (-len(group), group[0].external_id))


def saving_warnings(entity: Entity) -> list[str]:
    """What to tell whoever just saved `entity` (the admin's warnings, the API's `warnings` in the
    answer to a write): why its parent unit reads oddly, and another entity of its kind and name
    (`entities.checks`), most likely the same one under another id."""
    others = (EntityRow(0, ext, name, kind) for ext, name, kind in Entity.objects.filter(kind=entity.kind).exclude(pk=entity.pk)
              .order_by("external_id").values_list("external_id", "name", "kind").iterator(chunk_size=5000))
    twins = possible_twins_added(others, [EntityRow(1, entity.external_id, entity.name, entity.kind)])
    return entity.odd_reading + [f"{twin.message}; if it is one, merge them (the Sources page lists the two)" for twin in twins]


def recent_merges(limit: int = 10):
    """The latest merges of one entity into another, newest first, with the entity kept (the
    Sources page lists them, each with its undo for administrators)."""
    from .models import MergeRecord

    return MergeRecord.objects.select_related("keep")[:limit]


def merges_standing():
    """The merges not undone, each with the entity kept: where a twin's facts now are."""
    from .models import MergeRecord

    return MergeRecord.objects.filter(undone_at__isnull=True).select_related("keep")


def merged_away(external_id: str):
    """The latest standing merge of the twin `external_id` (its old links lead to the entity
    kept), or None."""
    return merges_standing().filter(duplicate_external_id=external_id).first()
