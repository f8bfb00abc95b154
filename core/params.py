"""Values read from requests (query parameters, ticked boxes) that name rows, and where an old
address leads."""
from django.http import HttpResponseRedirect
from django.urls import reverse

BIGINT_MAX = 2**63 - 1


def row_id(value: str) -> int | None:
    """A row id as a request gives it, or None when it cannot be one: only ASCII digits ("²" and
    "١" pass str.isdigit()), at most a bigint (int() of thousands of digits raises, and PostgreSQL
    refuses what its bigint cannot hold)."""
    if not (value.isascii() and value.isdigit()) or len(value) > 19:
        return None
    number = int(value)
    return number if number <= BIGINT_MAX else None


# The address the forms to record an entity or a relationship had before they moved to /record/…:
# an id a data set may hold, so /entities/new/ is the page of an entity with that id, and only
# while there is none a bookmark of the old form leads to the new one
FORM_ONCE_HERE = "new"


def redirect_keeping_query(request, view_name: str):
    """A redirect to `view_name` with the request's query string (`?source=…` filling in a form)."""
    query = request.META.get("QUERY_STRING", "")
    return HttpResponseRedirect(reverse(view_name) + (f"?{query}" if query else ""))
