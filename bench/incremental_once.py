"""Benchmark: one incremental recompute after logging one meeting, timed in a process of its own,
against whatever state the caches are in. `recompute_benchmark.py` times it right after full
recomputes, with the data it reads still cached; run this after emptying the caches to see the
cold case, as after a quiet night:

    sudo pg_ctlcluster 15 main restart && sync && echo 3 | sudo tee /proc/sys/vm/drop_caches
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_bench python bench/incremental_once.py

The database must hold a recomputed data set (run recompute_benchmark.py first). Each run logs one
private meeting of three people (`--people-from N` picks which: different people, different
cached pages). Prints figures; asserts nothing.
"""
import argparse
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402

from engagement.models import Attendance, Meeting  # noqa: E402
from entities.models import Entity  # noqa: E402
from scoring.engine.pair_product import warm_up  # noqa: E402
from scoring.services import current_snapshot, recompute  # noqa: E402
from scoring.triggers import entities_at_meeting  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--people-from", type=int, default=0, help="skip this many people (newest first)")
    args = parser.parse_args()
    latest = current_snapshot()
    if latest is None:
        sys.exit("no scores yet: run bench/recompute_benchmark.py first")
    warm_up()  # the kernels load before the clock starts, as in a worker that has run before
    people = list(Entity.objects.filter(kind="person").order_by("-id").values_list("id", flat=True)[args.people_from : args.people_from + 3])
    with transaction.atomic():
        meeting = Meeting.objects.create(
            external_id=f"bench-{time.time_ns()}", date=latest.as_of - timedelta(days=1), type="private_meeting", title="Bench"
        )
        Attendance.objects.bulk_create([Attendance(meeting=meeting, entity_id=p) for p in people])
    affected = entities_at_meeting(meeting.pk)
    start = time.perf_counter()
    snapshot = recompute(as_of=latest.as_of, entity_scope=affected, triggered_by="bench")
    took = time.perf_counter() - start
    print(f"incremental recompute after one meeting: {took:.2f} s ({len(affected)} entities, {snapshot.pairs_changed} pairs changed)")


if __name__ == "__main__":
    main()
