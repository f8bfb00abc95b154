"""Load: N concurrent users browse the dashboards for a while, optionally while a full recompute runs.

Prints per-page request counts, errors and latency percentiles; asserts nothing (targets belong in
the issue notes). It serves the app with gunicorn exactly as docker-compose.yml does (DEBUG off,
3 workers) against the database in DATABASE_URL, which should hold the benchmark data set:

    python bench/generate_dataset.py /tmp/big
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_bench
    python manage.py migrate && python manage.py import_dataset /tmp/big && python manage.py recompute
    python bench/load_test.py --users 20 --duration 60 --with-recompute
"""
import argparse
import http.client
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SERVER_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "load-test-only-" + "k" * 40,
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "0",
}


def sample_urls(count: int) -> dict[str, list[str]]:
    """Real pages of the data set: the overview, random entities, listed pairs and flags."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from conflicts.models import Flag
    from entities.models import Entity
    from scoring.selectors import listed_pairs

    rng = random.Random(7)
    entity_ids = list(Entity.objects.values_list("external_id", flat=True))
    pairs = list(listed_pairs().order_by("-score_tenths").values_list("entity_a__external_id", "entity_b__external_id")[:5000])
    flags = list(Flag.objects.filter(holds=True).values_list("pk", flat=True)[:5000])
    return {
        "overview": ["/"],
        "entity": [f"/entities/{e}/" for e in rng.sample(entity_ids, min(count, len(entity_ids)))],
        "pair": [f"/closeness/{a}/{b}/" for a, b in rng.sample(pairs, min(count, len(pairs)))],
        "flag": [f"/flags/{pk}/" for pk in rng.sample(flags, min(count, len(flags)))],
    }


def session_cookie(role: str = "city_staff") -> str:
    """A signed-in session for a load-test user, made directly (no sign-in form, no lockout)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import Group, User
    from django.contrib.sessions.backends.db import SessionStore

    user, _ = User.objects.get_or_create(username=f"load-test-{role}")
    user.groups.add(Group.objects.get(name=role))
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return f"sessionid={session.session_key}"


def browse(port: int, cookie: str, urls: dict, stop: float, results: dict, lock: threading.Lock, seed: int,
           think: tuple[float, float]) -> None:
    rng = random.Random(seed)
    kinds = list(urls)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while time.monotonic() < stop:
        kind = rng.choice(kinds)
        url = rng.choice(urls[kind])
        started = time.perf_counter()
        try:
            connection.request("GET", url, headers={"Cookie": cookie, "Host": "127.0.0.1"})
            response = connection.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            status = 0
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        elapsed = (time.perf_counter() - started) * 1000
        with lock:
            results[kind].append((elapsed, status))
        if think[1] > 0:
            time.sleep(rng.uniform(*think))  # a person reads the page before the next click
    connection.close()


def start_recompute(env: dict) -> subprocess.Popen:
    """A full recompute at the worker's priority: docker-compose.yml runs the worker under `nice`,
    so that pages stay fast while it computes."""
    return subprocess.Popen(["nice", "-n", "10", sys.executable, "manage.py", "recompute"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else (values[0] if values else 0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--with-recompute", action="store_true", help="run a full recompute (repeatedly) meanwhile")
    parser.add_argument("--think", type=float, nargs=2, default=(1.0, 3.0), metavar=("MIN", "MAX"),
                        help="seconds each user waits between pages (default 1 3, as locust's between(1, 3)); 0 0 = stress")
    args = parser.parse_args()

    env = {**os.environ, **SERVER_ENV}
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    os.environ.update(SERVER_ENV)
    urls = sample_urls(500)
    cookie = session_cookie()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{args.port}",
         "--workers", str(args.workers), "--timeout", "60", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )
    recompute = None
    try:
        for _ in range(100):  # wait for the server
            try:
                http.client.HTTPConnection("127.0.0.1", args.port, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        # warm every worker once, as a running server would be
        warm = http.client.HTTPConnection("127.0.0.1", args.port)
        for _ in range(args.workers * 2):
            warm.request("GET", "/", headers={"Cookie": cookie})
            warm.getresponse().read()
        recomputes = 0
        if args.with_recompute:
            recompute = start_recompute(env)
            recomputes = 1
        results: dict[str, list] = defaultdict(list)
        lock = threading.Lock()
        stop = time.monotonic() + args.duration
        threads = [threading.Thread(target=browse, args=(args.port, cookie, urls, stop, results, lock, i, tuple(args.think))) for i in range(args.users)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        while any(t.is_alive() for t in threads):
            if recompute is not None and recompute.poll() is not None and time.monotonic() < stop - 5:
                recompute = start_recompute(env)
                recomputes += 1
            time.sleep(0.5)
        wall = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
        if recompute is not None and recompute.poll() is None:
            recompute.wait(timeout=300)

    print(f"{args.users} users (think {args.think[0]:g}-{args.think[1]:g} s) for {wall:.0f} s against gunicorn ({args.workers} workers)"
          + (f", {recomputes} full recompute(s) started meanwhile" if args.with_recompute else ""))
    print(f"{'page':10} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    everything = []
    for kind in ("overview", "entity", "pair", "flag"):
        rows = results.get(kind, [])
        times = [t for t, _ in rows]
        errors = sum(1 for _, status in rows if status != 200)
        everything += rows
        print(f"{kind:10} {len(rows):8d} {errors:6d} {percentile(times, 50):8.0f} {percentile(times, 95):8.0f} {max(times, default=0):8.0f}")
    times = [t for t, _ in everything]
    errors = sum(1 for _, status in everything if status != 200)
    print(f"{'all':10} {len(everything):8d} {errors:6d} {percentile(times, 50):8.0f} {percentile(times, 95):8.0f} {max(times, default=0):8.0f}")
    print(f"throughput {len(everything) / wall:.0f} requests/s")


if __name__ == "__main__":
    main()
