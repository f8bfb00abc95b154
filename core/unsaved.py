"""A form sent after its session ended (core.middleware.LoginRequiredKeepingFormsMiddleware), or
from a page of this site gone out of date (core.views.csrf_failure), is kept, not lost: signing in
leads to a page that shows what was typed and sends it again, with a fresh CSRF token, once the
person chooses to.

It is kept in the new (signed-out) session, which lives in the database like every session: the
same browser sees it after signing in, a sign-out clears it, and it ends with that session. Only the
last form is kept; a form with a password in it is never kept, and neither are chosen files (the
browser does not send them again), which the page says."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

SESSION_KEY = "unsaved_form"
# the marker the page's form sends with the fields: the form sent again clears what was kept
RESENT_FIELD = "resent_unsaved_form"
# a session row is read on every request: a form larger than this is not kept (a note, an agenda
# and a long list of attendees are a few KB)
MOST_CHARACTERS_KEPT = 100_000
# Django's formset bookkeeping and the CSRF token: sent again (but the token), never shown
NOT_SHOWN_SUFFIXES = ("-TOTAL_FORMS", "-INITIAL_FORMS", "-MIN_NUM_FORMS", "-MAX_NUM_FORMS")
CSRF_FIELD = "csrfmiddlewaretoken"
FORMSET_FIELD = re.compile(r"(?P<prefix>[\w-]+?)-(?P<row>\d+)-(?P<field>\w+)")


@dataclass(frozen=True)
class UnsavedForm:
    path: str  # where it was sent, with its query
    fields: list[tuple[str, str]]  # every (name, value) sent, in order, but the CSRF token
    files: list[str]  # the names of the file fields whose files were not kept
    sent_at: str  # ISO 8601, as the server's clock read it

    @property
    def sent(self) -> datetime:
        return datetime.fromisoformat(self.sent_at)

    @property
    def shown_fields(self) -> list[tuple[str, str]]:
        """What the person typed or chose, each named in words ("attendance 1: entity"): not the
        formsets' bookkeeping, not what was left empty, and not a formset's rows left as they came
        (the rows that hold what most of its rows hold, as blank attendee rows their role, say nothing)."""
        from collections import Counter

        filled = [(name, value, FORMSET_FIELD.fullmatch(name)) for name, value in self.fields
                  if value.strip() and not name.endswith(NOT_SHOWN_SUFFIXES)]
        rows: dict[str, dict[str, set[tuple[str, str]]]] = {}  # formset prefix -> row number -> its fields
        for _, value, row in filled:
            if row:
                rows.setdefault(row["prefix"], {}).setdefault(row["row"], set()).add((row["field"], value))
        shown_rows = set()
        for prefix, by_row in rows.items():
            (as_they_came, times), = Counter(frozenset(fields) for fields in by_row.values()).most_common(1)
            shown_rows |= {(prefix, row) for row, fields in by_row.items() if times < 2 or fields != as_they_came}
        shown = []
        for name, value, row in filled:
            if row is None:
                shown.append((name.replace("_", " "), value))
            elif (row["prefix"], row["row"]) in shown_rows:
                shown.append((f"{row['prefix']} {int(row['row']) + 1}: {row['field']}".replace("_", " "), value))
        return shown


class NotKept(Exception):
    """A form that cannot be kept; the message says why, to follow "not saved"."""


def form_sent_in(request) -> UnsavedForm | None:
    """What a POST that was not let through sent, to keep: None when nothing was typed or chosen in
    it (a button alone, as "Sign out": nothing is lost). NotKept for a form with a password in it,
    or one too large to keep in a session."""
    from django.utils import timezone

    fields = [(name, value) for name, values in request.POST.lists() if name != CSRF_FIELD for value in values]
    if any("password" in name.lower() for name, _ in fields):
        raise NotKept("a form with a password in it is not kept")
    if sum(len(name) + len(value) for name, value in fields) > MOST_CHARACTERS_KEPT:
        raise NotKept(f"it was too large to keep, over {MOST_CHARACTERS_KEPT:,} characters")
    form = UnsavedForm(path=request.get_full_path(), fields=fields, files=sorted(set(request.FILES)),
                       sent_at=timezone.now().isoformat(timespec="seconds"))
    return form if form.shown_fields or form.files else None


def keep(session, form: UnsavedForm) -> None:
    session[SESSION_KEY] = {"path": form.path, "fields": form.fields, "files": form.files, "sent_at": form.sent_at}


def kept_in(session) -> UnsavedForm | None:
    stored = session.get(SESSION_KEY)
    if not isinstance(stored, dict):
        return None
    return UnsavedForm(path=stored["path"], fields=[(name, value) for name, value in stored["fields"]],
                       files=list(stored["files"]), sent_at=stored["sent_at"])


def forget(session) -> None:
    session.pop(SESSION_KEY, None)
