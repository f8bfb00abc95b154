"""Property: whatever evidence edits follow a full recompute, the incremental recomputes they queue
leave the same scores as a full recompute would. Edits of every kind the pages, the API and the
admin make: attendance added, removed or moved, meetings re-dated, retyped or deleted,
relationships added, re-dated, moved to other entities or deleted; and the flags the same as a
full recompute's. (Each missed pair this found once kept a stale score until the nightly run.)
Some edits are made while the task queue is down (their recompute owed, `OwedRecompute`): the
recomputes that ran, then the owed one beat runs, leave the same scores too."""
from contextlib import nullcontext
from unittest import mock

from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engagement.models import Attendance, Meeting
from relationships.models import Relationship
from scoring.selectors import current_pair_scores
from scoring.services import recompute, recompute_owed
from tests.examples import examples
from tests.factories import AttendanceFactory, EntityFactory, MeetingFactory, RelationshipFactory

pytestmark = pytest.mark.django_db(transaction=True)

ORGANISATION_KINDS = ["police_department", "oversight_body", "government_body"]
AFFILIATIONS = ["leads", "member_of", "employed_by"]
EDITS = [
    "add attendance", "remove attendance", "move attendance", "redate meeting", "retype meeting", "delete meeting",
    "add affiliation", "end relationship", "move relationship", "delete relationship",
]


def wipe() -> None:
    """Hypothesis runs every example in the same test: start each from an empty database."""
    tables = ["engagement_attendance", "engagement_meeting", "relationships_disclosure", "relationships_relationship",
              "conflicts_flagstatuschange", "conflicts_flag_persons", "conflicts_flag_evidence", "conflicts_flag",
              "scoring_pairscore", "scoring_pairscorehistory", "scoring_weakpairblock", "scoring_weakpairchange", "scoring_bandcrossing",
              "scoring_closenesssnapshot", "scoring_owedrecompute", "audit_auditevent", "entities_entity"]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")


@settings(max_examples=examples(12), deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_incremental_recomputes_after_any_edits_equal_a_full_recompute(data):
    wipe()
    today = timezone.localdate()
    day = st.integers(0, 400).map(lambda n: today - timedelta(days=n))
    organisations = [EntityFactory(kind=kind) for kind in ORGANISATION_KINDS]
    people = [EntityFactory(kind="person") for _ in range(4)]
    everyone = organisations + people
    for person in people:  # each person stands for one or two organisations
        for organisation in data.draw(st.lists(st.sampled_from(organisations), min_size=1, max_size=2, unique_by=lambda o: o.pk)):
            RelationshipFactory(source=person, target=organisation, type=data.draw(st.sampled_from(AFFILIATIONS)), start_date=date(2020, 1, 1), end_date=None)
    RelationshipFactory(source=organisations[1], target=organisations[0], type="oversees", start_date=date(2020, 1, 1), end_date=None)
    for _ in range(3):
        meeting = MeetingFactory(type=data.draw(st.sampled_from(["private_meeting", "focus_group", "community_forum"])), date=data.draw(day))
        for person in data.draw(st.lists(st.sampled_from(people), min_size=1, max_size=3, unique_by=lambda p: p.pk)):
            AttendanceFactory(meeting=meeting, entity=person)
    recompute(as_of=today)

    for edit, queue_down in data.draw(st.lists(st.tuples(st.sampled_from(EDITS), st.booleans()), min_size=1, max_size=4)):
        with task_queue_down() if queue_down else nullcontext():
            make(edit, data, everyone, people, organisations, day)

    recompute_owed(today=today, now=timezone.now())  # beat's, once the queue is back (nothing when none is owed)
    after_incremental, flags_after_incremental = current_pair_scores(), flag_states()
    full = recompute(as_of=today)
    assert current_pair_scores() == after_incremental, f"a full recompute changed {full.pairs_changed} pairs"
    assert flag_states() == flags_after_incremental  # the flags too (the closeness rules read the scores)


def task_queue_down():
    """Every task sent fails as Celery's send fails when Redis refuses connections (tests/worker.py)."""
    from celery.app.task import Task
    from kombu.exceptions import OperationalError

    return mock.patch.object(Task, "apply_async", side_effect=OperationalError("Connection refused."), autospec=True)


def make(edit: str, data, everyone, people, organisations, day) -> None:
    """One edit of the kind named, of the entities, meetings and relationships there."""
    rows, meetings, ties = list(Attendance.objects.all()), list(Meeting.objects.all()), list(Relationship.objects.all())
    if edit == "add attendance" and meetings:
        meeting = data.draw(st.sampled_from(meetings))
        absent = [p for p in everyone if not Attendance.objects.filter(meeting=meeting, entity=p).exists()]
        if absent:
            AttendanceFactory(meeting=meeting, entity=data.draw(st.sampled_from(absent)))
    elif edit == "remove attendance" and rows:
        data.draw(st.sampled_from(rows)).delete()
    elif edit == "move attendance" and rows:
        row = data.draw(st.sampled_from(rows))
        absent = [p for p in everyone if not Attendance.objects.filter(meeting_id=row.meeting_id, entity=p).exists()]
        if absent:
            row.entity = data.draw(st.sampled_from(absent))
            row.save()
    elif edit == "redate meeting" and meetings:
        meeting = data.draw(st.sampled_from(meetings))
        meeting.date = data.draw(day)
        meeting.save()
    elif edit == "retype meeting" and meetings:
        meeting = data.draw(st.sampled_from(meetings))
        meeting.type = data.draw(st.sampled_from(["private_meeting", "advisory_board", "community_forum"]))
        meeting.save()
    elif edit == "delete meeting" and meetings:
        data.draw(st.sampled_from(meetings)).delete()
    elif edit == "add affiliation":
        RelationshipFactory(source=data.draw(st.sampled_from(people)), target=data.draw(st.sampled_from(organisations)),
                            type=data.draw(st.sampled_from(AFFILIATIONS)), start_date=data.draw(day), end_date=None)
    elif edit == "end relationship" and ties:
        tie = data.draw(st.sampled_from(ties))
        tie.end_date = max(tie.start_date, data.draw(day))
        tie.save()
    elif edit == "move relationship" and ties:
        tie = data.draw(st.sampled_from([t for t in ties if t.type in AFFILIATIONS] or ties))
        tie.source, tie.target = data.draw(st.sampled_from(people)), data.draw(st.sampled_from(organisations))
        tie.save()
    elif edit == "delete relationship" and ties:
        data.draw(st.sampled_from(ties)).delete()


def flag_states() -> set[tuple]:
    from conflicts.models import Flag

    return set(Flag.objects.values_list("rule", "subject_id", "counterpart_id", "status", "severity", "disclosed", "holds", "explanation"))
