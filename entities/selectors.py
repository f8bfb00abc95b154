"""Reads of entities shared by pages: entities that may be the same one entered twice."""
from __future__ import annotations

import re
import unicodedata
from collections import defaultdict

from .models import Entity

_APOSTROPHES = re.compile(r"['\u2019\u02bc`]")
_NOT_A_LETTER_OR_DIGIT = re.compile(r"[^\w]+")


def name_key(name: str) -> str:
    """A name as compared for duplicates: accents, case, punctuation and spacing ignored
    ("Chief Laura Benton", "chief  laura benton." and "Chief Laura Bentón" are one key), and
    apostrophes dropped ("Sheriff's Office" and "Sheriffs Office")."""
    decomposed = unicodedata.normalize("NFKD", name)
    letters = _APOSTROPHES.sub("", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))
    return " ".join(_NOT_A_LETTER_OR_DIGIT.sub(" ", letters.casefold()).split())


def possible_duplicates() -> list[list[Entity]]:
    """Groups of two or more entities of one kind whose names are the same but for accents, case,
    punctuation and spacing: data sets from several sources often name one department or person
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
