"""Security headers Django 5.2 does not set by itself, NUL characters refused, beat watched (the
administrators emailed when it stops), the health check answered before the host is checked,
accounts without a role kept to the public pages, a form sent after its session ended kept until
its sender signs in again, and htmx's requests sent to sign in as a whole page."""
import logging
import threading
from datetime import timedelta

from django.contrib.auth.middleware import LoginRequiredMiddleware

logger = logging.getLogger(__name__)

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",  # no inline script: data reaches scripts through json_script
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


# Django's own error pages with DEBUG on (the embedded demo: a mistyped address, a server error)
# style themselves inline, and the 500 page scripts itself: the policy blocked both, so a developer
# read an unstyled page. Never with DEBUG off, where the site's own pages show (404.html).
DEBUG_ERROR_PAGE_POLICY = CONTENT_SECURITY_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'").replace(
    "script-src 'self'", "script-src 'self' 'unsafe-inline'")


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        response = self.get_response(request)
        technical = settings.DEBUG and response.status_code in (404, 500) and response.get("Content-Type", "").startswith("text/html")
        response.setdefault("Content-Security-Policy", DEBUG_ERROR_PAGE_POLICY if technical else CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class RejectNulCharactersMiddleware:
    """A NUL character in a query or form parameter is refused with 400: PostgreSQL cannot store or
    compare it, so it would otherwise surface as a server error deep inside a query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.http import HttpResponseBadRequest

        params = list(request.GET.lists())
        if request.method == "POST" and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            params += list(request.POST.lists())
        if any("\x00" in key or any("\x00" in value for value in values) for key, values in params):
            return HttpResponseBadRequest("NUL characters are not allowed in request parameters.")
        return self.get_response(request)


class RoleRequiredMiddleware:
    """A signed-in account without any role (a new account no administrator placed in a group yet)
    sees nothing but the public pages: every other page is a 403. Views marked login_not_required
    (sign-in, health check, public survey, public register) stay open; the API applies the same rule
    through core.api.role_permission."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from django.core.exceptions import PermissionDenied

        from core.roles import can_view

        if not getattr(view_func, "login_required", True):
            return None
        if request.user.is_authenticated and not can_view(request.user):
            raise PermissionDenied("Your account has no role yet: ask an administrator to give you one.")
        return None


class LoginRequiredKeepingFormsMiddleware(LoginRequiredMiddleware):
    """Django's LoginRequiredMiddleware, but a form sent once the session has ended (8 hours after
    the last request, or a sign-out in another tab) is kept (`core.unsaved`) and the sign-in page
    leads to the page that sends it again: Django's redirect to sign in dropped what was typed.
    Each response to a signed-in person leaves the cookie that says whose a later form is; the
    cookie naming a kept form goes with the response that discards or saves it."""

    def process_response(self, request, response):
        from . import unsaved

        unsaved.remember_who_signed_in(request, response)
        unsaved.cookie_of_forgotten_form_deleted(request, response)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        from . import unsaved

        if request.method == "POST" and request.user.is_authenticated and unsaved.RESENT_FIELD in request.POST:
            unsaved.forget(request)  # sent again: the view's answer shows what became of it
        return super().process_view(request, view_func, view_args, view_kwargs)

    def handle_no_permission(self, request, view_func):
        from django.contrib import messages
        from django.contrib.auth.views import redirect_to_login
        from django.shortcuts import resolve_url
        from django.urls import reverse

        from . import unsaved

        if request.method != "POST":
            return super().handle_no_permission(request, view_func)
        try:
            form = unsaved.form_sent_in(request)
        except unsaved.NotKept as why:
            messages.error(request, f"Your session had ended, so what you sent was not saved ({why}): sign in and send it again.")
            return super().handle_no_permission(request, view_func)
        if form is None:  # nothing typed in it: nothing lost
            return super().handle_no_permission(request, view_func)
        messages.warning(request, "Your session had ended, so what you sent was not saved yet. "
                                  "Sign in, and it is shown for you to save.")
        response = redirect_to_login(reverse("unsaved_form"), resolve_url(self.get_login_url(view_func)),
                                     self.get_redirect_field_name(view_func))
        unsaved.keep(request, response, form)
        return response


class BackgroundWatchMiddleware:
    """Beat emails the administrators when the workers stop, but nothing tells them when beat
    stops, or when the task queue is down (which silences beat and the workers alike): each web
    process looks once a minute (`core.workers.administrators_told_of_silent_beat`), as it answers
    requests, the container's health check every 30 seconds among them, whoever is reading. It
    looks in a thread of its own, so that neither the database nor a slow mail server holds a page.
    Not where there are no workers (the embedded set-up runs tasks in the process that sends them)."""

    LOOK_EVERY = timedelta(minutes=1)

    def __init__(self, get_response):
        from django.utils import timezone

        from .workers import WORKERS_SILENT_AFTER

        self.get_response = get_response
        self.started_at = timezone.now()
        # nothing to tell while beat may still be starting (core.workers.silence_alert_due)
        self.next_look = self.started_at + WORKERS_SILENT_AFTER
        self.looking = threading.Lock()  # one look at a time in this process

    def __call__(self, request):
        from django.utils import timezone

        from .workers import workers_expected

        now = timezone.now()
        if now >= self.next_look and workers_expected() and self.looking.acquire(blocking=False):
            self.next_look = now + self.LOOK_EVERY
            in_a_thread(self._look, now)
        return self.get_response(request)

    def _look(self, now):
        from .workers import administrators_told_of_silent_beat

        try:
            administrators_told_of_silent_beat(now, web_started_at=self.started_at)
        except Exception:  # the next look tries again
            logger.exception("the administrators were not told whether beat sends work")
        finally:
            self.looking.release()


def in_a_thread(work, *args) -> None:
    """`work(*args)` in a daemon thread of its own, whose database connections are closed after."""
    from django.db import connections

    def run():
        try:
            work(*args)
        finally:
            connections.close_all()

    threading.Thread(target=run, daemon=True, name="background-watch").start()


class HealthCheckMiddleware:
    """`/healthz` answered before CommonMiddleware checks the host: the container's health check
    (docker-compose.yml) asks `http://127.0.0.1:8000/healthz`, a host not in ALLOWED_HOSTS (400),
    over plain HTTP (exempt from the redirect to HTTPS: `SECURE_REDIRECT_EXEMPT`), so it failed on
    every production container. Its answer depends on nothing the host or the scheme says; the
    security middlewares before this one still add their headers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/healthz":
            from .views import healthz

            return healthz(request)
        return self.get_response(request)


class HtmxSignInMiddleware:
    """A part of a page asked for by htmx once the session has ended goes to the sign-in page as a
    whole page (`HX-Redirect`), and back to that page after: the browser followed the redirect
    inside the request, so the sign-in page, menu and all, showed inside the part (a row of the
    Sources page, a check). After django-htmx's middleware, which reads the headers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not (request.htmx and response.status_code == 302):  # every other request, untouched
            return response
        from urllib.parse import parse_qs, urlencode

        from django.conf import settings
        from django.shortcuts import resolve_url
        from django.urls import reverse
        from django_htmx.http import HttpResponseClientRedirect

        sign_in = resolve_url(settings.LOGIN_URL)
        address, _, query = response.get("Location", "").partition("?")
        if address != sign_in:
            return response
        then = parse_qs(query).get("next", [""])[0]
        # a form kept (LoginRequiredKeepingFormsMiddleware) is shown after; else the page, not its part
        page = then if then == reverse("unsaved_form") else request.htmx.current_url_abs_path or "/"
        whole_page = HttpResponseClientRedirect(f"{sign_in}?{urlencode({'next': page})}")
        whole_page.cookies = response.cookies  # the kept form's, among them
        return whole_page
