"""Benchmark: how fast the score history grows, night after night, with nothing new logged.

Prints figures; asserts nothing. Runs `--nights N` full recomputes, each as of the day after the
one before (as beat's nightly recompute does), from the current scores' reference date, and after
each prints the pairs it changed and what the history tables grew by, then the growth a year of
such nights would come to. Decay alone moves scores across their one-decimal steps every night: this
is the history a deployment keeps when nothing is logged at all, on top of which what is logged adds.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_bench \\
        python bench/history_growth.py [--nights 7]

The database must hold a recomputed data set (run recompute_benchmark.py first). It keeps the
nights' recomputes: run recompute_benchmark.py again (it starts from empty) before timing anything.
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

from django.db import connection  # noqa: E402

from scoring.models import BandCrossing, ClosenessSnapshot, PairScoreHistory, WeakPairChange  # noqa: E402
from scoring.services import current_snapshot, recompute  # noqa: E402

# what each recompute adds to and nothing takes from (the current rows and the weak-pair blocks are
# rewritten in place, so their size says how large the scores are, not how long the history is)
HISTORY_MODELS = (PairScoreHistory, WeakPairChange, BandCrossing, ClosenessSnapshot)


def history_bytes() -> dict[str, int]:
    """Each history table's size on disk, its indexes and TOAST included."""
    with connection.cursor() as cursor:
        sizes = {}
        for model in HISTORY_MODELS:
            cursor.execute("SELECT pg_total_relation_size(%s)", [model._meta.db_table])
            sizes[model.__name__] = cursor.fetchone()[0]
    return sizes


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--nights", type=int, default=7)
    args = parser.parse_args()

    current = current_snapshot()
    if current is None:
        sys.exit("no scores yet: run bench/recompute_benchmark.py first")
    as_of = current.as_of
    before = history_bytes()
    start_sizes = dict(before)
    print(f"history as of {as_of}: " + ", ".join(f"{name} {size / 2**20:.1f} MB" for name, size in before.items()))
    total_changed = 0
    for night in range(1, args.nights + 1):
        as_of += timedelta(days=1)
        started = time.perf_counter()
        snapshot = recompute(as_of=as_of, triggered_by="bench/history_growth.py")
        seconds = time.perf_counter() - started
        after = history_bytes()
        grown = sum(after.values()) - sum(before.values())
        total_changed += snapshot.pairs_changed
        print(f"night {night} as of {as_of}: {snapshot.pairs_changed:9,} pairs changed in {seconds:5.2f} s, "
              f"history +{grown / 2**20:6.2f} MB (" + ", ".join(
                  f"{name} +{(after[name] - before[name]) / 2**20:.2f}" for name in after) + ")", flush=True)
        before = after
    grown = sum(before.values()) - sum(start_sizes.values())
    per_night = grown / args.nights
    print(f"over {args.nights} nights: {total_changed / args.nights:,.0f} pairs changed a night, history "
          f"+{per_night / 2**20:.2f} MB a night on average, about {per_night * 365 / 2**30:.2f} GB a year of such nights")


if __name__ == "__main__":
    main()
