"""Writes that meet a change someone else made meanwhile: what the database refused, read into one
shape (PostgreSQL's diagnostics or SQLite's message), and a write that turns it, or the row it
corrects having been deleted, into `ChangedMeanwhile` for the page, the API or the import to say.

A form checks its ids free and its entities stored when it is validated; an import, another analyst
or a merge can store the id or delete the entity before the save, and the database's constraints
(unique ids, foreign keys checked at commit) then refuse it."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from django.apps import apps
from django.db import IntegrityError, models, transaction

T = TypeVar("T")

UNIQUE, FOREIGN_KEY, DELETED, CHANGED, OTHER = "unique", "foreign key", "deleted", "changed", "other"
_KIND_OF_SQLSTATE = {"23505": UNIQUE, "23503": FOREIGN_KEY}
_SQLITE = re.compile(r"(UNIQUE|FOREIGN KEY) constraint failed(?:: (.*))?")


@dataclass(frozen=True)
class Refusal:
    """What was refused: `kind` (a unique value taken, a foreign key to a row that is gone, the row
    corrected deleted, else other), the table and columns when the database names them, and its
    own words (one line)."""

    kind: str
    table: str | None = None
    columns: tuple[str, ...] = ()
    detail: str = ""

    def errors(self, model: type[models.Model], fields: Iterable[str]) -> dict[str | None, str]:
        """The refusal as errors by field of a form or serializer of `model` holding `fields`:
        the field at fault when it is one of them, else None (the whole form)."""
        fields = set(fields)
        if self.kind == DELETED:
            return {None: f"This {model._meta.verbose_name} was deleted meanwhile by someone else: nothing was saved."}
        if self.kind == CHANGED:
            return {None: f"Not saved: someone saved a change to this {model._meta.verbose_name} at the same moment; nothing was "
                          "written: save again to see what they changed."}
        written = apps_model(self.table)
        at_fault = [f for f in (_field_of(written, column) for column in self.columns) if f is not None]
        on_form = [f.name for f in at_fault if written is model and f.name in fields]
        if self.kind == UNIQUE and on_form:
            if on_form == ["external_id"]:
                return {"external_id": "was stored meanwhile by someone else (an import, another analyst): "
                                       "choose another id, or leave it empty to have one made up"}
            return {name: "was stored meanwhile by someone else: choose another" for name in on_form}
        if self.kind == FOREIGN_KEY and on_form:
            return {f.name: f"was deleted meanwhile by someone else{_or_merged(f)}: choose again" for f in at_fault if f.name in on_form}
        if self.kind == FOREIGN_KEY:
            if not at_fault:
                what, merged = "something it refers to", ", or merged into another"
            else:
                what = (f"the {at_fault[0].verbose_name} it refers to" if written is model
                        else f"the {at_fault[0].verbose_name} of its {written._meta.verbose_name}")
                merged = _or_merged(at_fault[0])
            return {None: f"Not saved: {what} was deleted meanwhile by someone else{merged}; "
                          "nothing was written: check the form and save again."}
        return {None: f"Not saved: the stored data changed meanwhile ({self.detail}); nothing was written: "
                      "check the form and save again."}

    def why_not_deleted(self) -> str:
        """Why a deletion was refused, to follow "Not deleted: " or "Cannot delete x: "."""
        if self.kind == DELETED:
            return "it was deleted meanwhile by someone else"
        if self.kind == CHANGED:
            return "it was changed by someone else at the same moment"
        if self.kind == FOREIGN_KEY:
            referring = apps_model(self.table)
            return (f"a {referring._meta.verbose_name if referring else 'record'} recorded meanwhile by someone else refers to it; "
                    "nothing was deleted")
        return f"the stored data changed meanwhile ({self.detail}); nothing was deleted"


class ChangedMeanwhile(Exception):
    def __init__(self, refusal: Refusal):
        super().__init__(refusal.detail or refusal.kind)
        self.refusal = refusal


def refusal_of(exc: IntegrityError) -> Refusal:
    """Read what the database refused: PostgreSQL's diagnostics (its SQL state, the table, and the
    key in its detail: "Key (external_id)=(x) already exists."), else SQLite's message."""
    cause = exc.__cause__
    diagnostics = getattr(cause, "diag", None)
    if diagnostics is not None:
        detail = diagnostics.message_detail or str(exc).splitlines()[0]
        key = re.match(r"Key \((.*?)\)=\(", detail)
        columns = tuple(c.strip() for c in key.group(1).split(",")) if key else ()
        return Refusal(_KIND_OF_SQLSTATE.get(getattr(cause, "pgcode", None), OTHER), diagnostics.table_name, columns, detail)
    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    sqlite = _SQLITE.match(message)
    if sqlite is None:
        return Refusal(OTHER, detail=message)
    named = [c.strip().split(".", 1) for c in (sqlite.group(2) or "").split(",") if "." in c]
    table = named[0][0] if named else None
    return Refusal(UNIQUE if sqlite.group(1) == "UNIQUE" else FOREIGN_KEY, table, tuple(c for _, c in named), message)


def written_unless_changed_meanwhile(write: Callable[[], T], *, correcting: models.Model | None = None,
                                     as_checked: dict[str, object] | None = None) -> T:
    """Run `write` in a transaction and return what it returns, or raise `ChangedMeanwhile` (nothing
    written) when the database refuses it, or when `correcting`, the stored row it corrects, was
    deleted meanwhile: locked here so that it stays until the commit (saving a deleted row would
    have inserted it again). `as_checked`: its columns (attname: value) as a correction form's check
    of a change saved since read them; a save by someone else between that check and this lock is
    refused too (CHANGED). A `write` may check more under the lock and raise CHANGED itself (the
    API's version, a meeting's attendees)."""
    try:
        with transaction.atomic():
            if correcting is not None:
                locked = type(correcting).objects.select_for_update().filter(pk=correcting.pk)
                stored = locked.values(*(as_checked or ("pk",))).first()
                if stored is None:
                    raise ChangedMeanwhile(Refusal(DELETED, correcting._meta.db_table))
                changed = tuple(name for name, value in (as_checked or {}).items() if stored[name] != value)
                if changed:
                    raise ChangedMeanwhile(Refusal(CHANGED, correcting._meta.db_table, changed))
            return write()
    except models.ProtectedError:  # Django's refusal before the database's, said by the caller
        raise
    except IntegrityError as exc:
        raise ChangedMeanwhile(refusal_of(exc)) from exc


def referred_to_by(exc: models.ProtectedError) -> str:
    """What refused a deletion through a protected foreign key: "disclosures, relationships"."""
    return ", ".join(sorted({str(obj._meta.verbose_name_plural) for obj in exc.protected_objects}))


def apps_model(table: str | None) -> type[models.Model] | None:
    """The installed model stored in `table`, if any."""
    return next((m for m in apps.get_models() if m._meta.db_table == table), None) if table else None


def _or_merged(field) -> str:
    """An entity also goes when an administrator merges it into its twin."""
    return ", or merged into another" if field.related_model and field.related_model._meta.label_lower == "entities.entity" else ""


def _field_of(model: type[models.Model] | None, column: str):
    return next((f for f in model._meta.concrete_fields if f.column == column), None) if model else None
