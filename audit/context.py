"""Who is making the current change: set by the request middleware, the commands and the tasks."""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    label: str
    via: str


_request = ContextVar("audit_request", default=None)
_actor = ContextVar("audit_actor", default=None)


@contextmanager
def acting_as(actor: Actor):
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


def current_actor() -> Actor:
    actor = _actor.get()
    if actor is not None:
        return actor
    request = _request.get()
    if request is not None:
        # read late: DRF sets request.user (token auth) only once the view runs
        user = getattr(request, "user", None)
        via = "api" if request.path.startswith("/api/") else "admin" if request.path.startswith("/admin/") else "web"
        if user is not None and user.is_authenticated:
            return user_actor(user, via)
        return Actor(None, "anonymous visitor", via)
    return Actor(None, "system", "task")


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


def command_actor(command: str) -> Actor:
    """A management command run from a shell: named by the command and the operating-system user."""
    import getpass

    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "unknown user"
    return Actor(None, f"{command} command ({who})", "command")


def user_actor(user, via: str) -> Actor:
    return Actor(user.pk, user.get_username(), via)
