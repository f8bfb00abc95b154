"""A form sent after its session ended (core.middleware.LoginRequiredKeepingFormsMiddleware), or
from a page of this site gone out of date (core.views.csrf_failure), is kept, not lost: signing in
leads to a page that shows what was typed and sends it again, with a fresh CSRF token, once the
person chooses to.

It is kept in a row of its own (core.models.KeptForm) that a cookie of the browser's names, for
KEPT_FORM_DAYS: the same browser sees it after signing in, a sign-out discards it. Not in the
session: each request writes the whole session back, and one that read it before the form was kept
(an entity search answered as the form was sent) wrote it back without the form. Only the last
form is kept; a form with a password in it is never kept, and neither are chosen files (the browser
does not send them again), which the page says.

It is kept for the account that typed it: on a shared computer someone else may sign in next. A
session that has ended no longer says whose it was, so every response to a signed-in person leaves
a signed cookie naming the account (SIGNED_IN_COOKIE); a form sent once the session has ended
belongs to the account that cookie names, and signing in as another discards it unseen."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

# names the browser's kept form (a random token: the row holds what was typed)
KEPT_FORM_COOKIE = "unsaved_form"
# how long a kept form waits for its sender to sign in (a form sent on a Friday evening, saved on Monday)
KEPT_FORM_DAYS = 7
# the marker the page's form sends with the fields: the form sent again clears what was kept
RESENT_FIELD = "resent_unsaved_form"
# a form larger than this is not kept (a note, an agenda and a long list of attendees are a few KB):
# a page posting more is not one of this site's forms
MOST_CHARACTERS_KEPT = 100_000
# names the account last signed in in this browser, outliving its session: by its key (`account_key`),
# not its id, which the browser would keep a year for anyone at it to read; signed, so not forged
SIGNED_IN_COOKIE = "signed_in_as"
SIGNED_IN_SALT = "core.unsaved.signed_in_as"
SIGNED_IN_COOKIE_AGE = 365 * 24 * 60 * 60
# Django's formset bookkeeping and the CSRF token: sent again (but the token), never shown
NOT_SHOWN_SUFFIXES = ("-TOTAL_FORMS", "-INITIAL_FORMS", "-MIN_NUM_FORMS", "-MAX_NUM_FORMS")
CSRF_FIELD = "csrfmiddlewaretoken"
# hidden fields in which a page says what it showed, not what was typed: sent again, never shown
# (core.forms.UnchangedSinceShownMixin's record as shown; a flag's status as shown, on its page and
# for each flag ticked in the queue; the queue's filter and the Sources list a row belongs to, to
# come back to; the disclosure register's toggle, a button alone)
PAGE_STATE_FIELD = re.compile(r"shown_as|shown_status(_\d+)?|query|list|public")
FORMSET_FIELD = re.compile(r"(?P<prefix>[\w-]+?)-(?P<row>\d+)-(?P<field>\w+)")


@dataclass(frozen=True)
class UnsavedForm:
    path: str  # where it was sent, with its query
    fields: list[tuple[str, str]]  # every (name, value) sent, in order, but the CSRF token
    files: list[str]  # the names of the file fields whose files were not kept
    sent_at: str  # ISO 8601, as the server's clock read it
    typed_by: str | None = None  # the account's key (`account_key`); None when the browser never said whose it was

    @property
    def sent(self) -> datetime:
        return datetime.fromisoformat(self.sent_at)

    @property
    def shown_fields(self) -> list[tuple[str, str]]:
        """What the person typed or chose, each named in words ("attendance 1: entity"): not the
        formsets' bookkeeping nor what a page says it showed, not what was left empty, and not a
        formset's rows left as they came (the rows that hold what most of its rows hold, as blank
        attendee rows their role, say nothing)."""
        from collections import Counter

        filled = [(name, value, FORMSET_FIELD.fullmatch(name)) for name, value in self.fields
                  if value.strip() and not name.endswith(NOT_SHOWN_SUFFIXES)]
        filled = [(name, value, row) for name, value, row in filled
                  if not PAGE_STATE_FIELD.fullmatch(row["field"] if row else name)]
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
    or one too large to keep."""
    from django.utils import timezone

    fields = [(name, value) for name, values in request.POST.lists() if name != CSRF_FIELD for value in values]
    if any("password" in name.lower() for name, _ in fields):
        raise NotKept("a form with a password in it is not kept")
    if sum(len(name) + len(value) for name, value in fields) > MOST_CHARACTERS_KEPT:
        raise NotKept(f"it was too large to keep, over {MOST_CHARACTERS_KEPT:,} characters")
    form = UnsavedForm(path=request.get_full_path(), fields=fields, files=sorted(set(request.FILES)),
                       sent_at=timezone.now().isoformat(timespec="seconds"), typed_by=account_of(request))
    return form if form.shown_fields or form.files else None


def account_key(user_pk: int) -> str:
    """An account as the cookie and a kept form name it: a digest of its id keyed by the site's
    secret, which tells nothing of the id (until session 39 the cookie held the id itself, signed
    but readable)."""
    from django.utils.crypto import salted_hmac

    return "a-" + salted_hmac(SIGNED_IN_SALT, str(user_pk)).hexdigest()[:30]  # never all digits: not an id


def _cookie_says(request) -> str | None:
    """What the cookie says, as this site signed it (None without one, or after a year)."""
    from django.core.signing import BadSignature

    try:
        return request.get_signed_cookie(SIGNED_IN_COOKIE, salt=SIGNED_IN_SALT, max_age=SIGNED_IN_COOKIE_AGE)
    except (KeyError, BadSignature):  # none, or not this site's (or too old)
        return None


def signed_in_before(request) -> str | None:
    """The key of the account last signed in in this browser, as its cookie says (None without a
    cookie this site signed, or after a year). A cookie of before session 39 holds the id itself."""
    named = _cookie_says(request)
    return account_key(int(named)) if named is not None and named.isdigit() else named


def account_of(request) -> str | None:
    """Whose form this is: the account signed in, or else the one last signed in in this browser."""
    return account_key(request.user.pk) if request.user.is_authenticated else signed_in_before(request)


def _cookie_attributes() -> dict:
    """As the session's cookie: not read by scripts, not sent from other sites, HTTPS only in production."""
    from django.conf import settings

    return {"secure": settings.SESSION_COOKIE_SECURE, "httponly": True, "samesite": "Lax"}


def remember_who_signed_in(request, response) -> None:
    """Leaves the signed-in account's key in a cookie: at each sign-in (which starts its year again),
    and whenever the cookie does not name that account."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return
    key = account_key(user.pk)
    if not getattr(request, "signed_in_just_now", False) and _cookie_says(request) == key:
        return  # (one of before session 39, holding the id, is written again with the key)
    response.set_signed_cookie(SIGNED_IN_COOKIE, key, salt=SIGNED_IN_SALT, max_age=SIGNED_IN_COOKIE_AGE, **_cookie_attributes())


def forget_another_accounts_form(sender, request, user, **kwargs) -> None:
    """At sign-in (user_logged_in): a form kept for another account is discarded unseen, as that
    account's; the cookie is renewed for the account signed in."""
    from django.contrib import messages

    if request is None:
        return
    request.signed_in_just_now = True
    form = kept_for(request)
    if form is not None and form.typed_by not in (None, account_key(user.pk)):
        forget(request)
        messages.info(request, "A form sent from this browser by another account, not saved, was discarded.",
                      fail_silently=True)


def forget_at_sign_out(sender, request, user, **kwargs) -> None:
    """At sign-out (user_logged_out): what was waiting in this browser goes with the account."""
    if request is not None:
        forget(request)


def keep(request, response, form: UnsavedForm) -> None:
    """Keep `form` as the browser's (the one kept before it goes), named by the cookie `response` leaves."""
    from secrets import token_urlsafe

    from .models import KeptForm

    forget(request)
    request.kept_form_forgotten = False  # the cookie names the new one
    token = token_urlsafe(32)
    KeptForm.objects.create(token=token, typed_by=form.typed_by, path=form.path, fields=form.fields, files=form.files,
                            sent_at=form.sent)
    response.set_cookie(KEPT_FORM_COOKIE, token, max_age=KEPT_FORM_DAYS * 24 * 60 * 60, **_cookie_attributes())


def _kept_rows(request):
    from datetime import timedelta

    from django.utils import timezone

    from .models import KeptForm

    token = request.COOKIES.get(KEPT_FORM_COOKIE)
    if not token:
        return KeptForm.objects.none()
    return KeptForm.objects.filter(token=token, sent_at__gte=timezone.now() - timedelta(days=KEPT_FORM_DAYS))


def kept_for(request) -> UnsavedForm | None:
    """The form this browser's cookie names, while it is kept."""
    row = _kept_rows(request).first()
    if row is None:
        return None
    return UnsavedForm(path=row.path, fields=[(name, value) for name, value in row.fields], files=list(row.files),
                       sent_at=row.sent_at.isoformat(timespec="seconds"), typed_by=row.typed_by)


def waiting(request) -> bool:
    """Whether a form is waiting in this browser (no query without its cookie)."""
    return KEPT_FORM_COOKIE in request.COOKIES and _kept_rows(request).exists()


def forget(request) -> None:
    """Discard the browser's kept form; its cookie goes with the response (`cookie_of_forgotten_form_deleted`)."""
    from .models import KeptForm

    token = request.COOKIES.get(KEPT_FORM_COOKIE)
    if token:
        KeptForm.objects.filter(token=token).delete()
        request.kept_form_forgotten = True


def cookie_of_forgotten_form_deleted(request, response) -> None:
    """The cookie of a form discarded, saved or signed out of goes: no page asks for it again."""
    if getattr(request, "kept_form_forgotten", False):
        response.delete_cookie(KEPT_FORM_COOKIE, samesite="Lax")


def forget_expired(now) -> int:
    """Delete the kept forms older than KEPT_FORM_DAYS (the nightly housekeeping); how many went."""
    from datetime import timedelta

    from .models import KeptForm

    return KeptForm.objects.filter(sent_at__lt=now - timedelta(days=KEPT_FORM_DAYS)).delete()[0]
