from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache

from .help import HELP_BY_SLUG, HELP_PAGES, help_html


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
def help_index(request):
    """The user documentation: open to anyone, as how the numbers are made is public."""
    return render(request, "core/help_index.html", {"pages": HELP_PAGES})


@login_not_required
def help_page(request, slug: str):
    page = HELP_BY_SLUG.get(slug)
    if page is None:
        raise Http404("No such help page.")
    return render(request, "core/help.html", {"page": page, "body": mark_safe(help_html(page)), "pages": HELP_PAGES})  # noqa: S308 - the project's own docs
