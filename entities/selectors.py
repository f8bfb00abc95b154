"""Reads of entities shared by pages: an entity typed by id or name, and entities that may be the
same one entered twice."""
from __future__ import annotations

import re
import unicodedata
from collections import defaultdict

from .models import Entity


def entities_typed(value: str, limit: int = 6) -> list[Entity]:
    """The entities a person means by typing `value`: the one with that id, else those with that
    exact name, case aside (up to `limit`; two people may share a name, so more than one means
    "ask which")."""
    entity = Entity.objects.filter(external_id=value).first()
    if entity is not None:
        return [entity]
    return list(Entity.objects.filter(name__iexact=value).order_by("external_id")[:limit])


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
    text = name.replace("&", " and ")
    if not text.isascii():  # most names are: no accents to take off (a third of the time at 20,000 names)
        text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    words = []
    for word in _NOT_A_LETTER_OR_DIGIT.sub(" ", _APOSTROPHES.sub("", text).casefold()).split():
        words += _ABBREVIATIONS[word].split() if word in _ABBREVIATIONS else [word]
    while words and words[0] == "the":
        words = words[1:]
    while len(words) > 1 and words[-1] in _LEGAL_FORMS:
        words = words[:-1]
    return " ".join(words)


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
