"""The recompute paths on the embedded default (SQLite, Celery eager), as `make run` uses them:
the PostgreSQL-only shortcuts (COPY, array parameters, the reading thread) must have a twin there."""
import json

LOG_MEETINGS = """
import json
from datetime import timedelta
from django.db import transaction
from django.utils import timezone
from conflicts.models import Flag
from engagement.models import Attendance, Meeting
from entities.models import Entity
from scoring.models import ClosenessSnapshot, PairScore
ig, so = Entity.objects.get(external_id="lk-ig"), Entity.objects.get(external_id="lk-so")
today = timezone.localdate()
with transaction.atomic():  # one incremental recompute, queued on commit, run eagerly
    for week in range(40):
        meeting = Meeting.objects.create(external_id=f"m-x-{week}", date=today - timedelta(days=7 * week), type="private_meeting", title="P")
        Attendance.objects.create(meeting=meeting, entity=ig)
        Attendance.objects.create(meeting=meeting, entity=so)
latest = ClosenessSnapshot.objects.latest()
pair = PairScore.objects.get(entity_a=min(ig.pk, so.pk), entity_b=max(ig.pk, so.pk))
print(json.dumps([latest.scope, latest.status, pair.score_tenths,
                  Flag.objects.filter(rule="OVERSIGHT_TOO_CLOSE", subject=ig, counterpart=so, holds=True).exists()]))
"""


def test_full_and_incremental_recomputes_run_on_sqlite(embedded_manage, lakeside_dir):
    manage = embedded_manage
    manage("import_dataset", str(lakeside_dir / "data"))
    assert "Recomputed as of" in manage("recompute")
    scope, status, tenths, flagged = json.loads(manage("shell", "-c", LOG_MEETINGS).strip().splitlines()[-1])
    assert (scope, status) == ("incremental", "complete")
    assert tenths >= 80 and flagged  # weekly private meetings made the board close to the sheriff



LOG_WITH_A_NEWCOMER = """
import json
from django.utils import timezone
from engagement.models import Meeting
from engagement.services import meeting_log_create
from entities.models import Entity
from entities.services import NewPerson
from scoring.models import ClosenessSnapshot
ig = Entity.objects.get(external_id="lk-ig")
meeting = Meeting(external_id="m-newcomer", date=timezone.localdate(), type="community_forum", title="Listening session")
meeting_log_create(meeting=meeting, attendance=[(ig, "attendee"), (NewPerson("Marisol Ortega"), "attendee")])
latest = ClosenessSnapshot.objects.latest()
print(json.dumps([latest.scope, latest.status, Entity.objects.filter(name="Marisol Ortega").count()]))
"""


def test_an_incremental_recompute_whose_rules_must_run_again_completes_on_sqlite(embedded_manage, lakeside_dir):
    """A person added while a meeting is logged changes the rules' inputs, so the incremental
    recompute that follows runs every rule again (in its helper thread beside the writes): on the
    embedded SQLite too, it completes."""
    manage = embedded_manage
    manage("import_dataset", str(lakeside_dir / "data"))
    manage("recompute")
    scope, status, added = json.loads(manage("shell", "-c", LOG_WITH_A_NEWCOMER).strip().splitlines()[-1])
    assert (scope, status, added) == ("incremental", "complete", 1)


TWO_WRITERS = """
import json, threading, time
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection, transaction
from entities.models import Entity
failures = []

def writer(name, pause):
    try:
        with transaction.atomic():
            Entity.objects.count()  # read first, as a recompute does, then write
            time.sleep(pause)
            if name == "session":
                SessionStore().create()  # what every request does
            else:
                Entity.objects.filter(external_id="lk-ig").update(description=name)
    except Exception as exc:
        failures.append(f"{name}: {exc}")
    finally:
        connection.close()

threads = [threading.Thread(target=writer, args=(name, pause)) for name, pause in (("session", 0.3), ("meeting", 0.1))]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(json.dumps(failures))
"""


def test_two_requests_writing_at_once_take_turns_on_sqlite(embedded_manage, lakeside_dir):
    """runserver's threads on the embedded SQLite: two transactions that read, then write, at the
    same time (a session saved while a meeting is logged) wait for each other rather than one
    failing with "database is locked" (which made the meeting form a 500 on `make run`)."""
    manage = embedded_manage
    manage("import_dataset", str(lakeside_dir / "data"))
    assert json.loads(manage("shell", "-c", TWO_WRITERS).strip().splitlines()[-1]) == []


CLOSEST_SCORES = """
import json
from entities.models import Entity
from scoring.models import PairScore
from scoring.selectors import with_closest_score
best = {}
for a, b, tenths in PairScore.objects.filter(score_tenths__gte=10).values_list("entity_a", "entity_b", "score_tenths"):
    for entity in (a, b):
        best[entity] = max(best.get(entity, 0), tenths)
shown = dict(with_closest_score(Entity.objects.all()).values_list("pk", "closest_tenths"))
print(json.dumps([sum(1 for pk in shown if shown[pk] != best.get(pk)), len(best)]))
"""


def test_every_entity_shows_its_closest_score_on_sqlite(embedded_manage, lakeside_dir):
    """SQLite's GREATEST is NULL when either side is: an entity listed on one side of its pairs
    only showed no closest score on the embedded default."""
    manage = embedded_manage
    manage("import_dataset", str(lakeside_dir / "data"))
    manage("recompute", "--as-of", "2026-06-30")

    wrong, scored = json.loads(manage("shell", "-c", CLOSEST_SCORES).strip().splitlines()[-1])

    assert scored > 20 and wrong == 0
