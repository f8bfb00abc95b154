from . import roles as role_rules


def roles(request):
    user = getattr(request, "user", None)
    return {
        "can_view": role_rules.can_view(user),
        "can_log_meetings": role_rules.can_log_meetings(user),
        "can_manage_data_sets": role_rules.can_manage_data_sets(user),
        "can_record_facts": role_rules.can_record_facts(user),
        "can_review_flags": role_rules.can_review_flags(user),
        "can_edit_data": role_rules.can_edit_data(user),
    }


def recompute_banner(request):
    """A banner on every page while a recompute is running (ignoring runs dead for over an hour),
    or while changes wait to be scored that no worker is scoring (`OwedRecompute.objects.waiting`),
    saying why as far as the app can tell."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    from django.utils import timezone

    from scoring.selectors import WAITING_BECAUSE, changes_waiting, changes_waiting_because, failure_since, running_recompute
    from scoring.services import current_snapshot

    from .workers import background_heard_for

    now = timezone.now()
    running = running_recompute(now)
    if running is not None:
        return {"recompute_banner": f"Scores are being recomputed ({running.scope}, as of {running.as_of}); pages show the previous scores until it finishes."}
    heard = background_heard_for(request)
    waiting = changes_waiting(now, workers_silent=heard is not None and heard.workers_silent)
    if waiting is None:
        return {}
    because = changes_waiting_because(waiting=waiting, heard=heard, failing=failure_since(current_snapshot()) is not None)
    why = "; ".join(WAITING_BECAUSE[reason] for reason in because) or "a background worker has their recompute but has not run it yet"
    return {"recompute_banner": f"Changes saved since {timezone.localtime(waiting.since):%Y-%m-%d %H:%M} are not in the scores yet: {why}. "
                                "They are scored within ten minutes of the workers' return; until then pages show the scores as they "
                                "were. Tell an administrator if this lasts."}


def unsaved_form_waiting(request):
    """On every page once signed in again: a form sent after its session ended is waiting to be
    saved or discarded (core.unsaved), whichever page the sign-in led to."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    from . import unsaved

    return {"unsaved_form_waiting": unsaved.waiting(request)}
