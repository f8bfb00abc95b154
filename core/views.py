from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from . import unsaved
from .help import HELP_BY_SLUG, HELP_PAGES, help_html
from .workers import background_heard, workers_expected


@login_not_required
@never_cache
def healthz(request):
    """Liveness and database reachability, for load balancers (no sign-in)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return JsonResponse({"status": "ok"})
    except Exception:  # a health check reports, it does not raise
        return JsonResponse({"status": "database unavailable"}, status=503)


@login_not_required
@never_cache
def healthz_workers(request):
    """For an uptime monitor (no sign-in): 503 when no background worker has taken any work for five
    minutes, the heartbeat beat sends every minute included ("workers silent": the workers stopped,
    or beat, or the task queue down), or when beat has sent nothing for five ("beat silent": the
    nightly recompute will not be sent), so that someone is told; 200 otherwise, or without a broker
    (tasks run in the web process). Not the load balancer's check: the pages work without them."""
    from django.utils import timezone

    if not workers_expected():
        return JsonResponse({"status": "ok", "workers": "none: tasks run in the web process"})
    try:
        heard = background_heard(timezone.now())
    except Exception:  # a health check reports, it does not raise
        return JsonResponse({"status": "database unavailable"}, status=503)
    status = "workers silent" if heard.workers_silent else "beat silent" if heard.beat_silent else "ok"
    return JsonResponse({"status": status, "last_seen": heard.workers_last_seen, "beat_last_sent": heard.beat_last_sent},
                        status=503 if heard.silent else 200)


@login_not_required
def help_index(request):
    """The user documentation: open to anyone, as how the numbers are made is public."""
    return render(request, "core/help_index.html", {"pages": HELP_PAGES})


@login_not_required
def help_page(request, slug: str):
    page = HELP_BY_SLUG.get(slug)
    if page is None:
        raise Http404("No such help page.")
    return render(request, "core/help.html", {"page": page, "body": mark_safe(help_html(page)), "pages": HELP_PAGES})  # noqa: S308 - the project's own docs


# "Forgot your password?" emails asked for from one network address in an hour: enough for a
# person who mistyped their address, too few to flood the staff's mailboxes from one place
PASSWORD_RESETS_RATE = "5/h"
_password_reset_view = auth_views.PasswordResetView.as_view()


@login_not_required
@ratelimit(key="ip", rate=PASSWORD_RESETS_RATE, method="POST", block=False)
def password_reset(request):
    """Django's "Forgot your password?" (the same answer whether or not the address is known, so
    it tells nobody who has an account), limited per network address."""
    if getattr(request, "limited", False):
        return render(request, "registration/password_reset_limited.html", status=429)
    return _password_reset_view(request)


@never_cache
@require_http_methods(["GET", "POST"])
def unsaved_form(request):
    """The form sent after its session ended (core.unsaved): what was typed, sent again to where it
    was going by "Save it now" (that page then answers as it would have), or discarded."""
    form = unsaved.kept_for(request)
    if request.method == "POST":  # only "Discard" posts here
        unsaved.forget(request)
        if form is not None:
            messages.success(request, "Discarded what you had sent.")
        return redirect("overview")
    return render(request, "core/unsaved_form.html", {"form": form, "resent_field": unsaved.RESENT_FIELD})


def csrf_failure(request, reason: str = ""):
    """A form refused for its CSRF token (CSRF_FAILURE_VIEW). Sent from a page of this site (its
    `Origin` this site's: a browser sets it, and no other site can), the token was out of date, as
    after signing in again in another tab: the form is kept as one sent after its session ended
    (core.unsaved), to save once signed in. From anywhere else it may be forged: nothing is kept,
    and the page says how to send it again. Django's own page was a developer's, its styles blocked."""
    from django.contrib.auth.views import redirect_to_login
    from django.urls import Resolver404, resolve, reverse
    from django_htmx.http import HttpResponseClientRedirect

    this_site = f"{'https' if request.is_secure() else 'http'}://{request.get_host()}"
    try:
        signed_in_only = getattr(resolve(request.path_info).func, "login_required", True)
    except Resolver404:
        signed_in_only = False
    form = None
    if request.method == "POST" and request.META.get("HTTP_ORIGIN") == this_site:
        try:
            form = unsaved.form_sent_in(request)
        except unsaved.NotKept:
            pass  # the page says to send it again
    if form is None or not (signed_in_only or request.user.is_authenticated):
        return render(request, "403_csrf.html", {"sign_in_needed": signed_in_only and not request.user.is_authenticated}, status=403)
    messages.warning(request, "The page you sent was out of date (you signed in or out in another tab, or it was open a long "
                              "time), so what you sent was not saved yet.")
    then = reverse("unsaved_form")
    if not request.user.is_authenticated:
        then = redirect_to_login(then).url
    response = HttpResponseClientRedirect(then) if request.htmx else redirect(then)
    unsaved.keep(request, response, form)
    return response


def server_error(request):
    """A server error (handler500): JSON for the API's clients (DRF's, `{"error": "Server Error
    (500)"}`), where they got the site's HTML page; that page (templates/500.html) for everyone else."""
    from django.views.defaults import server_error as page
    from rest_framework.exceptions import server_error as json

    return json(request) if request.path.startswith("/api/") else page(request)
