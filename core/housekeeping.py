"""Records that have served their purpose, deleted each night (beat: `core.tasks.housekeeping_task`).

- Expired sessions (what `clearsessions` does): Django keeps them until asked. Most are the
  anonymous survey's: a visitor's session notes the surveys it answered, so that it answers once,
  and the survey promises to keep nothing that could identify who answered.
- Sign-in logs (django-axes: each sign-in's time, network address and browser; failed ones too
  where `AXES_ENABLE_ACCESS_FAILURE_LOG` is turned on) older than `SIGN_IN_LOGS_KEPT_DAYS`: enough
  to look into a break-in attempt, not a record of staff's comings and goings kept for ever. The
  lockout itself counts recent failures (`AccessAttempt`, which django-axes clears when their
  cool-off ends) and is not touched.
- Forms kept for their senders to save (core.unsaved) longer than `KEPT_FORM_DAYS`.
"""
from importlib import import_module

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings


def housekeeping(*, sign_in_logs_kept_days: int) -> dict[str, int]:
    """Delete expired sessions, the sign-in logs older than `sign_in_logs_kept_days` and the kept
    forms past their time; how many sign-in logs, failed sign-in logs and kept forms went."""
    from django.utils import timezone

    from .unsaved import forget_expired

    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    return {
        "sign_in_logs": AxesProxyHandler.reset_logs(age_days=sign_in_logs_kept_days),
        "failed_sign_in_logs": AxesProxyHandler.reset_failure_logs(age_days=sign_in_logs_kept_days),
        "kept_forms": forget_expired(timezone.now()),
    }
