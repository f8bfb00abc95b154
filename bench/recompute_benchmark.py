"""Benchmark: import, full recompute (from empty, unchanged, a day and a month later) and
incremental recompute at scale.

Prints figures; asserts nothing (targets belong in the issue notes, not in timed tests).

    python bench/generate_dataset.py /tmp/bench-data
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_bench \\
        python bench/recompute_benchmark.py /tmp/bench-data [--skip-import] [--repeat N]

The database named by DATABASE_URL is wiped (flushed) first: use a scratch database. With
--skip-import the data set already there is kept and only the scores and flags are wiped, so the
first recompute still starts from empty. --repeat N runs the recomputes N times over (each round
from empty) and reports each target with the lowest and highest figures: this machine's speed
drifts by a quarter within an hour, so one round says little about a ratio.
"""
import argparse
import io
import os
import resource
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# measure what production runs: DEBUG off (with it on, Django logs and keeps every query)
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from engagement.models import Attendance, Meeting  # noqa: E402
from entities.models import Entity  # noqa: E402
from interchange.reading import files_from_directory  # noqa: E402
from interchange.export import dataset_export  # noqa: E402
from interchange.services import dataset_import  # noqa: E402
from scoring.engine import ScoringParameters, closeness_scores  # noqa: E402
from scoring.load import load_evidence  # noqa: E402
from scoring.services import recompute, recompute_for_entities  # noqa: E402
from scoring.triggers import entities_at_meeting  # noqa: E402

AS_OF = date(2026, 1, 1)


def peak_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def timed(label: str, func, *args, **kwargs):
    start = time.perf_counter()
    result = func(*args, **kwargs)
    print(f"{label:48} {time.perf_counter() - start:8.2f} s   peak {peak_mb():6d} MB", flush=True)
    return result


def read_input_rows() -> None:
    """What PostgreSQL takes to hand over the engine's input rows, and nothing else."""
    with connection.cursor() as cursor:
        for table in ("entities_entity", "relationships_relationship", "engagement_meeting", "engagement_attendance"):
            buffer = io.BytesIO()
            cursor.cursor.copy_expert(f"COPY {table} TO STDOUT", buffer)


def settle() -> None:
    """Let PostgreSQL write out what the last step left dirty (CHECKPOINT), so that neither the
    baseline read nor the next recompute pays for it: right after a recompute the same read took
    half as long again. Skipped when the role may not checkpoint."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")
    except Exception as exc:  # noqa: BLE001 - a benchmark without the privilege still runs
        print(f"  (no CHECKPOINT: {exc})")


def fetch_input_rows() -> int:
    """The same rows the ordinary way, for context only: a plain cursor's SELECT * and fetchall
    (what reading them into Python costs without COPY; the ratios use `read_input_rows`)."""
    rows = 0
    with connection.cursor() as cursor:
        for table in ("entities_entity", "relationships_relationship", "engagement_meeting", "engagement_attendance"):
            cursor.execute(f"SELECT * FROM {table}")
            rows += len(cursor.fetchall())
    return rows


def _output_tables():
    from conflicts.models import Flag, FlagStatusChange
    from scoring.models import BandCrossing, PairScore, WeakPairBlock, WeakPairChange

    models = [PairScore, WeakPairBlock, WeakPairChange, BandCrossing, Flag, Flag.persons.through, Flag.evidence.through, FlagStatusChange]
    return [model._meta.db_table for model in models]


def write_floor() -> tuple[float, float]:
    """What PostgreSQL takes just to write what the recompute before wrote from empty (its pair rows,
    weak-pair blocks and their first change records, flags): each table's rows COPYed into a bare
    copy of it (defaults and storage, no index), then its indexes built, as a from-empty recompute
    does; in a transaction rolled back, so no commit's flush either. Returns (COPY seconds, index
    seconds): with the read, the least a from-empty recompute could take before computing anything."""
    copied = indexed = 0.0
    with connection.cursor() as cursor:
        raw = cursor.cursor
        for table in _output_tables():
            rows = io.BytesIO()
            raw.copy_expert(f"COPY {table} TO STDOUT WITH (FORMAT binary)", rows)
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [table])
            index_definitions = [row[0] for row in cursor.fetchall()]
            with transaction.atomic():
                bare = f"bench_floor_{table}"
                cursor.execute(f"CREATE TABLE {bare} (LIKE {table} INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING STORAGE)")
                rows.seek(0)
                start = time.perf_counter()
                raw.copy_expert(f"COPY {bare} FROM STDIN WITH (FORMAT binary)", rows)
                copied += time.perf_counter() - start
                start = time.perf_counter()
                for number, definition in enumerate(index_definitions):
                    # "CREATE [UNIQUE] INDEX name ON public.table USING ...": a new name, the bare table
                    head, tail = definition.split(" ON ", 1)
                    head = head.rsplit(" ", 1)[0] + f" bench_floor_{number}_{table}"
                    cursor.execute(f"{head} ON {tail.replace(table, bare, 1)}")
                indexed += time.perf_counter() - start
                transaction.set_rollback(True)
    return copied, indexed


def baseline_read() -> float:
    """The median of three reads of the input rows, taken just before the recompute it is compared
    with (both after `settle`): this machine's speed drifts within a run, and one read now and then
    takes half as long again, which moved a single-read ratio by as much."""
    settle()
    times = []
    for _ in range(3):
        start = time.perf_counter()
        read_input_rows()
        times.append(time.perf_counter() - start)
    settle()
    return sorted(times)[1]


def clear_scores() -> None:
    """Every score, snapshot and flag, so that the first recompute starts from empty."""
    from conflicts.models import Flag, FlagStatusChange
    from scoring.models import ClosenessSnapshot, BandCrossing, PairScore, PairScoreHistory, WeakPairBlock, WeakPairChange

    models = [PairScore, PairScoreHistory, WeakPairBlock, WeakPairChange, BandCrossing, FlagStatusChange, Flag.persons.through, Flag.evidence.through, Flag, ClosenessSnapshot]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(model._meta.db_table for model in models)}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("data", type=Path)
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--repeat", type=int, default=1, help="rounds of recomputes, each from empty (this machine's speed drifts: compare several)")
    args = parser.parse_args()
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    if not args.skip_import:
        call_command("flush", "--noinput", verbosity=0)
        files = timed("read files", files_from_directory, args.data)
        result = timed("import_dataset (validate + write)", dataset_import, files=files)
        assert result.ok, result.problems[:5]
        del files
    else:
        # the meetings earlier runs logged for their incremental recomputes, so that every run reads
        # the same rows (in SQL: deleting them as models would queue a recompute)
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM engagement_attendance WHERE meeting_id IN (SELECT id FROM engagement_meeting WHERE external_id LIKE 'bench-%%')")
            cursor.execute("DELETE FROM engagement_meeting WHERE external_id LIKE 'bench-%%'")
        clear_scores()
    print(f"rows: {Entity.objects.count()} entities, {Meeting.objects.count()} meetings, {Attendance.objects.count()} attendance")

    read = timed("PostgreSQL reads the input rows (baseline)", read_input_rows)
    start = time.perf_counter()
    timed("  (context: the same rows by SELECT * + fetchall)", fetch_input_rows)
    fetched = time.perf_counter() - start
    evidence = timed("load evidence into arrays", load_evidence)
    scores = timed("engine: closeness_scores", closeness_scores, evidence, ScoringParameters(), AS_OF)
    print(f"pairs with a non-zero score: {len(scores)}")
    del evidence, scores, read

    full_runs: dict[str, list[tuple[float, float]]] = {}  # label -> (seconds, ratio to the baseline read) a round
    incrementals: list[float] = []
    floors: list[float] = []  # (read + writing the from-empty output) / read, a round
    over_floor: list[float] = []  # from empty / (read + writing its output), a round
    for round_number in range(1, args.repeat + 1):
        if args.repeat > 1:
            print(f"round {round_number} of {args.repeat}")
        if round_number > 1:
            clear_scores()  # each round starts from empty again
        recompute_round(full_runs, incrementals, floors, over_floor)

    out = Path("/tmp/bench-export")
    timed("export_dataset", dataset_export, out)
    print(f"peak memory of this process: {peak_mb()} MB")
    print_targets(full_runs, incrementals, floors, over_floor, fetched)


def timed_against_read(label: str, func, **kwargs):
    """`func(**kwargs)` timed, with its ratio to a baseline read taken just before: (result,
    seconds, ratio)."""
    baseline = baseline_read()
    start = time.perf_counter()
    result = timed(label, func, **kwargs)
    took = time.perf_counter() - start
    return result, took, took / baseline, baseline


def recompute_round(
    full_runs: dict[str, list[tuple[float, float]]], incrementals: list[float], floors: list[float], over_floor: list[float]
) -> None:
    """One of each: from empty (and PostgreSQL's floor for writing its output, as a ratio to the
    read, into `floors`, and the from-empty recompute as a ratio to that floor, into `over_floor`),
    unchanged, `manage.py recompute` in a new process, an incremental after one meeting, a day later
    (nightly) and a month later."""
    snapshot, took, ratio, baseline = timed_against_read("full recompute (scores + flags, written)", recompute, as_of=AS_OF)
    full_runs.setdefault("from empty", []).append((took, ratio))
    print(f"  {snapshot.pairs_current} pairs, {snapshot.flags_raised} flags")
    print(f"  ratio full recompute / baseline read: {ratio:.1f} (baseline {baseline:.2f} s)")
    settle()
    copied, indexed = write_floor()
    floor = baseline_read()
    print(f"{'  PostgreSQL writes that output (floor)':48} {copied + indexed:8.2f} s   (COPY {copied:.2f} s, indexes {indexed:.2f} s)")
    floors.append((floor + copied + indexed) / floor)
    over_floor.append(took / (floor + copied + indexed))
    print(f"  read + write floors: {floors[-1]:.1f}x the read (baseline {floor:.2f} s), before any computation")
    print(f"  from empty / the floor (read + write): {over_floor[-1]:.1f}")
    _, took, ratio, baseline = timed_against_read("full recompute again (nothing changed)", recompute, as_of=AS_OF)
    full_runs.setdefault("unchanged", []).append((took, ratio))
    print(f"  ratio unchanged recompute / baseline read: {ratio:.1f} (baseline {baseline:.2f} s)")

    # the command as a user or cron runs it: a new process (Django start, numba loading its kernels)
    baseline = baseline_read()
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, str(Path(__file__).resolve().parent.parent / "manage.py"), "recompute", "--as-of", AS_OF.isoformat()],
        check=True, stdout=subprocess.DEVNULL,
    )
    took = time.perf_counter() - start
    full_runs.setdefault("manage.py in a new process", []).append((took, took / baseline))
    print(f"{'manage.py recompute, nothing changed (new process)':48} {took:8.2f} s")
    print(f"  ratio to the baseline read: {took / baseline:.1f} (baseline {baseline:.2f} s)")

    # an incremental recompute after logging one meeting, as of the same date
    people = list(Entity.objects.filter(kind="person").values_list("id", flat=True)[:3])
    with transaction.atomic():
        meeting = Meeting.objects.create(external_id=f"bench-{time.time_ns()}", date=AS_OF - timedelta(days=1), type="private_meeting", title="Bench")
        Attendance.objects.bulk_create([Attendance(meeting=meeting, entity_id=p) for p in people])
    affected = entities_at_meeting(meeting.pk)
    start = time.perf_counter()
    snap = recompute(as_of=AS_OF, entity_scope=affected, triggered_by="bench")
    incrementals.append(time.perf_counter() - start)
    print(f"{'incremental recompute after one meeting':48} {incrementals[-1]:8.2f} s   ({len(affected)} entities, {snap.pairs_changed} pairs changed)")
    assert recompute_for_entities  # the path the task takes (full when the current date differs)

    # the nightly full recompute (decay moves a day), and one after a month without any
    for label, days in (("full recompute a day later (nightly)", 1), ("full recompute a month later", 32)):
        snap, took, ratio, baseline = timed_against_read(label, recompute, as_of=AS_OF + timedelta(days=days))
        full_runs.setdefault("nightly" if days == 1 else "a month later", []).append((took, ratio))
        print(f"  {snap.pairs_changed} pairs changed; ratio to the baseline read: {ratio:.1f} (baseline {baseline:.2f} s)")


def _span(values: list[float], unit: str = "") -> str:
    """One figure, or the lowest and highest of several."""
    low, high = min(values), max(values)
    return f"{low:.1f}{unit}" if len(values) == 1 or f"{low:.1f}" == f"{high:.1f}" else f"{low:.1f}-{high:.1f}{unit}"


def print_targets(
    full_runs: dict[str, list[tuple[float, float]]], incrementals: list[float], floors: list[float], over_floor: list[float], fetched: float
) -> None:
    """The issue's targets against this run's figures, each met or not (by every round), with the
    figures behind (the lowest and highest when there were several rounds), and, for context, the
    recomputes against the same rows read the ordinary way (`fetched` seconds, one read)."""
    runs = ", ".join(f"{label} {_span([s for s, _ in figures], ' s')}" for label, figures in full_runs.items())
    ratios = ", ".join(f"{label} {_span([r for _, r in figures], 'x')}" for label, figures in full_runs.items())
    every = [figure for figures in full_runs.values() for figure in figures]
    targets = [
        ("full recompute under 60 s", max(s for s, _ in every) < 60, runs),
        ("full recompute <= 4x the baseline read", max(r for _, r in every) <= 4, ratios),
        ("incremental recompute under 2 s", max(incrementals) < 2, ", ".join(f"{t:.2f} s" for t in incrementals)),
        ("memory under 2 GB", peak_mb() < 2048, f"peak {peak_mb()} MB, this process"),
    ]
    print("targets:")
    for name, met, figures in targets:
        print(f"  {name:40} {'met' if met else 'NOT MET':8} {figures}")
    print(f"  (PostgreSQL alone reading the input and writing a from-empty recompute's output: {_span(floors, 'x')} the read;"
          f" from empty {_span(over_floor, 'x')} that floor)")
    by_fetch = ", ".join(f"{label} {_span([s / fetched for s, _ in figures], 'x')}" for label, figures in full_runs.items())
    print(f"  (context: against the same rows by SELECT * + fetchall, {fetched:.2f} s once: {by_fetch})")


if __name__ == "__main__":
    main()
