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
    or while changes wait to be scored that no worker is scoring (`OwedRecompute.objects.waiting`)."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    from django.utils import timezone

    from scoring.selectors import changes_waiting_since, running_recompute

    now = timezone.now()
    running = running_recompute(now)
    if running is not None:
        return {"recompute_banner": f"Scores are being recomputed ({running.scope}, as of {running.as_of}); pages show the previous scores until it finishes."}
    waiting_since = changes_waiting_since(now)
    if waiting_since is None:
        return {}
    return {"recompute_banner": f"Changes saved since {timezone.localtime(waiting_since):%Y-%m-%d %H:%M} are not in the scores yet: no "
                                "background worker has scored them (the workers may be stopped, their task queue unreachable, or "
                                "the recompute failing: the overview names its error). They are scored within ten minutes of the "
                                "workers' return; until then pages show the scores as they were."}


def unsaved_form_waiting(request):
    """On every page once signed in again: a form sent after its session ended is waiting to be
    saved or discarded (core.unsaved), whichever page the sign-in led to."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    from . import unsaved

    return {"unsaved_form_waiting": unsaved.waiting(request)}
