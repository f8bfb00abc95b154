"""The downloads and API answers are the same on the embedded SQLite default (`make run`, the demo)
as on PostgreSQL: the two databases differ in places (NULLs in GREATEST and in ordering, regular
expressions, JSON), and a page written against one can say something else on the other."""
import json

import pytest
from django.core.management import call_command

from tests.exports_digest import exports_digest, scored

ON_SQLITE = """
import json
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.test import Client
from tests.exports_digest import exports_digest, scored
settings.ALLOWED_HOSTS = ["*"]
scored(call_command, {data!r})
user = User.objects.create(username="differential")
user.groups.set([Group.objects.get(name="administrator")])
client = Client()
client.force_login(user)
print("DIGEST " + json.dumps(exports_digest(client), sort_keys=True, default=str))
"""


@pytest.mark.django_db
def test_downloads_and_api_answers_are_the_same_on_sqlite_and_postgresql(embedded_manage, client_as, lakeside_dir):
    data = str(lakeside_dir / "data")
    scored(call_command, data)
    on_postgresql = json.loads(json.dumps(exports_digest(client_as("administrator")), sort_keys=True, default=str))

    output = embedded_manage("shell", "-c", ON_SQLITE.replace("{data!r}", repr(data)))
    on_sqlite = json.loads(next(line for line in output.splitlines() if line.startswith("DIGEST "))[len("DIGEST "):])

    empty = [url for url in on_postgresql if not on_postgresql[url]]
    assert empty == ["/sources/?export=csv"]  # every other answer has something to compare (the lakeside cites every source)
    differing = {url for url in on_postgresql if on_postgresql[url] != on_sqlite.get(url)}
    assert differing == set(), {url: _first_difference(on_postgresql[url], on_sqlite.get(url)) for url in differing}


def _first_difference(postgresql, sqlite):
    """Where two answers first differ, for the failure message."""
    if isinstance(postgresql, list) and isinstance(sqlite, list):
        for i, (p, s) in enumerate(zip(postgresql, sqlite)):
            if p != s:
                return f"item {i}: {p} != {s}"
        return f"lengths {len(postgresql)} != {len(sqlite)}"
    if isinstance(postgresql, dict) and isinstance(sqlite, dict):
        for key in sorted(set(postgresql) | set(sqlite)):
            if postgresql.get(key) != sqlite.get(key):
                return f"{key}: " + _first_difference(postgresql.get(key), sqlite.get(key))
    return f"{postgresql!r:.300} != {sqlite!r:.300}"
