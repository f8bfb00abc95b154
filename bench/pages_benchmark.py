"""Benchmark: the pages, the API's lists and the CSV downloads on a large data set, each timed by
Django's test client in this process (no web server), best of `--repeat` tries, with `DEBUG` off:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_bench python bench/pages_benchmark.py

The database must hold a recomputed data set (run recompute_benchmark.py first). A temporary
analyst signs in and is deleted at the end. Prints each URL's status, size and time; asserts
nothing. A download is timed to its last byte. A query the client gives up on keeps running in
PostgreSQL: stop one that hangs (`pg_terminate_backend`) before timing anything else.
"""
import argparse
import os
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()
warnings.filterwarnings("ignore", message="No directory at")  # whitenoise, before any collectstatic

from django.contrib.auth.models import Group, User  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

from relationships.models import Relationship  # noqa: E402
from scoring.selectors import listed_pairs  # noqa: E402

# the templates name static files by their hashed names only after collectstatic: plain names here
PLAIN_STATIC = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


# parts a page asks for once shown (htmx), timed as it asks: the Sources page's checks side by side
HTMX_ASKED = ["/sources/?checks=ties", "/sources/?checks=meetings", "/sources/?checks=names"]


def urls() -> list[str]:
    """Pages at their first and a late page, one busy entity and pair and a fact behind that pair,
the API's lists, downloads."""
    busiest = listed_pairs().values("entity_a__external_id").annotate(n=Count("pk")).order_by("-n").first()
    top = listed_pairs().order_by("-score_tenths").first()
    entity = busiest["entity_a__external_id"] if busiest else ""
    pair = f"{top.entity_a.external_id}/{top.entity_b.external_id}" if top else ""
    pages = [
        "/", "/entities/", "/entities/?page=500", "/entities/?sort=-closest_tenths", "/entities/?sort=-closest_tenths&page=500", "/closeness/", "/closeness/?page=5000",
        "/closeness/changes/", "/network/", "/flags/", "/flags/?page=100", "/meetings/", "/meetings/?page=900",
        f"/meetings/?entity={entity}", "/recusals/", "/engagement/coverage/", "/engagement/trust/", "/sources/",
        "/sources/?checks=1", "/data/", "/relationships/", "/relationships/?page=1000", "/relationships/?type=contributes_to&min_amount=1000",
    ]
    if entity:
        pages += [f"/entities/{entity}/", f"/network/?entity={entity}"]
    if pair:
        pages.append(f"/closeness/{pair}/")
    if top and top.relationship_ids:
        fact = Relationship.objects.get(pk=top.relationship_ids[0]).external_id
        pages += [f"/relationships/{fact}/", f"/relationships/{fact}/edit/"]
    pages += HTMX_ASKED
    api = ["/api/entities/?page_size=500", "/api/closeness/?page_size=500&page=500", "/api/meetings/?page_size=500",
           "/api/flags/?page_size=500", "/api/closeness/changes/"]
    downloads = ["/entities/?export=csv", "/closeness/?export=csv", "/flags/?export=csv", "/meetings/?export=csv",
                 "/recusals/?export=csv", "/sources/?export=csv", "/relationships/?export=csv"]
    return pages + api + downloads


def timed(client: Client, url: str) -> tuple[int, int, float]:
    started = time.perf_counter()
    response = client.get(url, secure=True, headers={"HX-Request": "true"} if url in HTMX_ASKED else {})
    size = sum(len(chunk) for chunk in response.streaming_content) if response.streaming else len(response.content)
    return response.status_code, size, time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=2, help="tries per URL; the best is printed (default 2)")
    parser.add_argument("urls", nargs="*", help="only these URLs (default: the list in urls())")
    options = parser.parse_args()
    user = User.objects.create_user(username=f"bench-pages-{os.getpid()}")
    try:
        user.groups.add(Group.objects.get(name="analyst"))
        client = Client()
        client.force_login(user)
        print(f"{'url':55} {'status':>6} {'bytes':>11} {'seconds':>8}")
        with override_settings(STORAGES=PLAIN_STATIC):
            for url in options.urls or urls():
                tries = [timed(client, url) for _ in range(max(options.repeat, 1))]
                status, size, _ = tries[0]
                print(f"{url:55} {status:>6} {size:>11,} {min(t[2] for t in tries):>8.2f}", flush=True)
    finally:
        user.delete()


if __name__ == "__main__":
    main()
