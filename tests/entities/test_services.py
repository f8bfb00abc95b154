"""Merging an entity entered twice into the one kept; following an entity."""
import csv
import io
from datetime import date

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.models import AuditEvent
from conflicts.models import Flag, FlagStatusChange
from engagement.models import Attendance
from entities.models import Entity, Follow
from entities.services import FOLLOW_LIMIT, EntityMergeError, FollowError, entity_merge, follow_set, merge_problems
from relationships.models import Relationship
from tests.examples import examples
from tests.factories import AttendanceFactory, EntityFactory, FlagFactory, FlagStatusChangeFactory, MeetingFactory, RelationshipFactory

AS_OF = "2026-06-30"


def _rows(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _write(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _exported(tmp_path, name):
    out = tmp_path / name
    call_command("export_dataset", str(out), stdout=io.StringIO())
    return {file: (out / file).read_text(encoding="utf-8") for file in ("closeness.csv", "flags.csv")}


def split_in_two(data, entity: str, twin: str, twin_name: str) -> None:
    """The data set with `entity` entered twice: every other relationship, attendance row and unit
    of it under `twin`, and one meeting attended by both."""
    entities = _rows(data / "entities.csv")
    original = next(row for row in entities if row["external_id"] == entity)
    entities.append({**original, "external_id": twin, "name": twin_name})
    for n, row in enumerate(r for r in entities if r["parent"] == entity):
        row["parent"] = twin if n % 2 == 0 else entity
    _write(data / "entities.csv", entities)
    relationships = _rows(data / "relationships.csv")
    for n, row in enumerate(r for r in relationships if entity in (r["source"], r["target"])):
        if n % 2 == 0:
            row["source" if row["source"] == entity else "target"] = twin
    _write(data / "relationships.csv", relationships)
    attendance = _rows(data / "attendance.csv")
    theirs = [r for r in attendance if r["entity"] == entity]
    for row in theirs[::2]:
        row["entity"] = twin
    attendance.append({**theirs[1], "entity": twin})  # a meeting both attended
    _write(data / "attendance.csv", attendance)


@pytest.mark.django_db(transaction=True)  # flushed between the two data sets
def test_merging_an_entity_entered_twice_gives_the_scores_and_flags_of_the_data_set_without_the_twin(lakeside_dir, copy_of_lakeside, tmp_path):
    """The lakeside's police department entered twice, its facts split between the two ids: merged,
    and recomputed, closeness.csv and flags.csv are those of the lakeside itself."""
    call_command("import_dataset", str(lakeside_dir / "data"), stdout=io.StringIO())
    call_command("recompute", "--as-of", AS_OF, stdout=io.StringIO())
    expected = _exported(tmp_path, "original")
    call_command("flush", "--noinput", verbosity=0)  # the same data set again, entered with a twin

    split_in_two(copy_of_lakeside, "lk-pd", "lk-pd-2", "Lakeside Police Dept.")
    call_command("import_dataset", str(copy_of_lakeside), stdout=io.StringIO())
    call_command("recompute", "--as-of", AS_OF, stdout=io.StringIO())
    split = _exported(tmp_path, "split")
    assert split != expected  # the split evidence scores otherwise

    merge = entity_merge(keep=Entity.objects.get(external_id="lk-pd"), duplicate=Entity.objects.get(external_id="lk-pd-2"))
    call_command("recompute", "--as-of", AS_OF, stdout=io.StringIO())

    assert merge.moved["relationships"] > 5 and merge.moved["meetings attended"] > 5 and merge.moved["units"] >= 1
    assert not Entity.objects.filter(external_id="lk-pd-2").exists()
    assert _exported(tmp_path, "merged") == expected


@pytest.mark.django_db
def test_a_flag_on_the_same_situation_keeps_both_review_histories():
    board, department, twin = (EntityFactory(kind="oversight_body"), EntityFactory(kind="police_department"),
                               EntityFactory(kind="police_department"))
    person = EntityFactory(kind="person")
    kept = FlagFactory(subject=board, counterpart=department)
    merged = FlagFactory(subject=board, counterpart=twin, status="under_review")
    FlagStatusChangeFactory(flag=kept, reason="Raised on the department.")
    FlagStatusChangeFactory(flag=merged, to_status="under_review", reason="Asked the board for records.")
    other = FlagFactory(rule="PERSONAL_TIE", subject=board, counterpart=twin)
    other.persons.set([twin, person])

    entity_merge(keep=department, duplicate=twin)

    assert list(Flag.objects.filter(rule="FUNDING_DEPENDENCE")) == [kept]
    assert [h.reason for h in FlagStatusChange.objects.filter(flag=kept).order_by("id")] == ["Raised on the department.", "Asked the board for records."]
    other.refresh_from_db()
    assert other.counterpart == department and set(other.persons.all()) == {department, person}

    # undone: the twin's flag is back, with its status and its own history; the kept one keeps its own
    from entities.models import MergeRecord
    from entities.services import entity_merge_undo

    back = entity_merge_undo(MergeRecord.objects.get()).twin
    restored = Flag.objects.get(rule="FUNDING_DEPENDENCE", counterpart=back)
    assert (restored.subject, restored.status) == (board, "under_review") and restored.pk != merged.pk
    assert [h.reason for h in restored.history.all()] == ["Asked the board for records."]
    assert [h.reason for h in FlagStatusChange.objects.filter(flag=kept)] == ["Raised on the department."]
    other.refresh_from_db()
    assert other.counterpart == back and set(other.persons.all()) == {back, person}


@pytest.mark.django_db
def test_a_merge_is_in_the_audit_trail_row_by_row():
    keep, twin = EntityFactory(external_id="keep-1"), EntityFactory(external_id="twin-1")
    tie = RelationshipFactory(external_id="r-tie", source=twin)
    meeting = MeetingFactory(external_id="m-1")
    AttendanceFactory(meeting=meeting, entity=twin)
    both = MeetingFactory(external_id="m-2")
    AttendanceFactory(meeting=both, entity=twin)
    AttendanceFactory(meeting=both, entity=keep, role="organizer")

    entity_merge(keep=keep, duplicate=twin)

    events = {(e.action, e.object_type, e.object_key): e.changes for e in AuditEvent.objects.all()}
    assert events[("update", "relationships.relationship", "r-tie")] == {"source_id": ["twin-1", "keep-1"]}
    assert events[("update", "engagement.attendance", "m-1/keep-1")] == {"entity_id": ["twin-1", "keep-1"]}
    assert ("delete", "engagement.attendance", "m-2/twin-1") in events and ("delete", "entities.entity", "twin-1") in events
    assert events[("update", "entities.entity", "keep-1")] == {"merged_in": [None, "twin-1"]}
    assert Attendance.objects.get(meeting=both).role == "organizer"  # the kept entity's row stays
    tie.refresh_from_db()
    assert tie.source == keep


@pytest.mark.django_db
def test_merges_that_cannot_be_are_refused_and_change_nothing():
    person, department = EntityFactory(kind="person"), EntityFactory(kind="police_department")
    twin = EntityFactory(kind="person")
    unit = EntityFactory(kind="police_department", parent=department)
    RelationshipFactory(external_id="r-join", source=person, target=twin, type="family")

    assert merge_problems(person, person) == ["An entity cannot be merged into itself."]
    assert "only entities of one kind are merged" in merge_problems(person, department)[0]
    assert merge_problems(department, unit) == ["One is the other's parent unit: change the parent first."]
    assert "Relationships join the two (r-join)" in merge_problems(person, twin)[0]
    with pytest.raises(EntityMergeError, match="r-join"):
        entity_merge(keep=person, duplicate=twin)
    assert Entity.objects.filter(pk=twin.pk).exists() and Relationship.objects.get(external_id="r-join").target == twin


@pytest.mark.django_db
def test_the_plan_names_the_facts_the_merge_would_state_twice():
    from entities.services import entity_merge_plan

    department = EntityFactory(kind="police_department")
    keep, twin = EntityFactory(kind="person"), EntityFactory(kind="person")
    RelationshipFactory(external_id="r-keep", source=keep, target=department, type="employed_by", start_date=date(2001, 8, 1))
    RelationshipFactory(external_id="r-twin", source=twin, target=department, type="employed_by", start_date=date(2001, 8, 1))
    RelationshipFactory(external_id="r-other", source=twin, target=department, type="employed_by", start_date=date(2005, 1, 1))
    RelationshipFactory(external_id="r-back", source=department, target=twin, type="employed_by", start_date=date(2001, 8, 1))

    assert entity_merge_plan(keep, twin).repeated == [("r-keep", "r-twin")]  # not another date, not the other way round


@pytest.mark.django_db
def test_a_twin_merged_meanwhile_is_a_clear_refusal():
    keep, twin = EntityFactory(), EntityFactory()
    stale = Entity.objects.get(pk=twin.pk)
    entity_merge(keep=keep, duplicate=twin)

    with pytest.raises(EntityMergeError, match="no longer exists"):
        entity_merge(keep=keep, duplicate=stale)


@pytest.mark.django_db
def test_following_twice_or_stopping_twice_changes_nothing_the_second_time(user_with_role):
    user, entity = user_with_role("city_staff"), EntityFactory()

    assert follow_set(user=user, entity=entity, following=True) is True
    assert follow_set(user=user, entity=entity, following=True) is False
    assert list(Follow.objects.filter(user=user).values_list("entity", flat=True)) == [entity.pk]
    assert follow_set(user=user, entity=entity, following=False) is True
    assert follow_set(user=user, entity=entity, following=False) is False
    assert not Follow.objects.exists()


@pytest.mark.django_db
def test_an_account_follows_at_most_the_limit(user_with_role, monkeypatch):
    import entities.services

    monkeypatch.setattr(entities.services, "FOLLOW_LIMIT", 2)
    user = user_with_role("city_staff")
    first, second, third = EntityFactory.create_batch(3)
    follow_set(user=user, entity=first, following=True)
    follow_set(user=user, entity=second, following=True)

    with pytest.raises(FollowError, match="You follow 2 entities, the most one account may"):
        follow_set(user=user, entity=third, following=True)
    assert Follow.objects.filter(user=user).count() == 2
    assert follow_set(user=user, entity=second, following=True) is False  # one already followed is no refusal
    assert FOLLOW_LIMIT == 100


@pytest.mark.django_db
def test_those_who_followed_a_merged_twin_follow_the_entity_kept_once(user_with_role):
    keep = EntityFactory(name="Riverton Police Department", kind="police_department")
    twin = EntityFactory(name="Riverton PD", kind="police_department")
    both, only_twin = user_with_role("city_staff"), user_with_role("city_staff")
    for user, entity in ((both, keep), (both, twin), (only_twin, twin)):
        follow_set(user=user, entity=entity, following=True)

    entity_merge(keep=keep, duplicate=twin)

    assert sorted(Follow.objects.values_list("user", "entity")) == sorted([(both.pk, keep.pk), (only_twin.pk, keep.pk)])


def _data_set_exported(tmp_path, name) -> dict[str, str]:
    out = tmp_path / name
    call_command("export_dataset", str(out), stdout=io.StringIO())
    return {file.name: file.read_text(encoding="utf-8") for file in sorted(out.iterdir())}


@pytest.mark.django_db(transaction=True)
def test_undoing_a_merge_gives_back_the_data_set_scores_and_flags_as_before_it(copy_of_lakeside, tmp_path):
    """The lakeside's police department entered twice: merged, recomputed, then the merge undone
    and recomputed again, every exported file (the data set, closeness.csv, flags.csv) is as before
    the merge."""
    from entities.models import MergeRecord
    from entities.services import entity_merge_undo

    split_in_two(copy_of_lakeside, "lk-pd", "lk-pd-2", "Lakeside Police Dept.")
    call_command("import_dataset", str(copy_of_lakeside), stdout=io.StringIO())
    call_command("recompute", "--as-of", AS_OF, stdout=io.StringIO())
    before = _data_set_exported(tmp_path, "before")
    entity_merge(keep=Entity.objects.get(external_id="lk-pd"), duplicate=Entity.objects.get(external_id="lk-pd-2"))
    call_command("recompute", "--as-of", AS_OF, stdout=io.StringIO())
    assert _data_set_exported(tmp_path, "merged") != before

    undo = entity_merge_undo(MergeRecord.objects.get(duplicate_external_id="lk-pd-2"))
    call_command("recompute", "--as-of", AS_OF, stdout=io.StringIO())

    assert undo.back["relationships"] > 5 and undo.back["meetings attended"] > 5 and undo.back["units"] >= 1
    assert not any(undo.left.values())
    assert _data_set_exported(tmp_path, "undone") == before


@pytest.mark.django_db
def test_undoing_a_merge_gives_the_twins_pairs_their_history_back(copy_of_lakeside):
    """Its pair rows (current and earlier) and band moves went with the twin; its weak pairs'
    changes stayed, stored by its id: back under that id with the rows kept, each of its pairs
    charts every score it had before the merge, and its page its ties over time."""
    from entities.models import MergeRecord
    from entities.services import entity_merge_undo, entity_merge_undo_plan
    from scoring.models import BandCrossing, PairScore
    from scoring.selectors import entity_band_history, pair_history

    split_in_two(copy_of_lakeside, "lk-pd", "lk-pd-2", "Lakeside Police Dept.")
    call_command("import_dataset", str(copy_of_lakeside), stdout=io.StringIO())
    for as_of in ("2025-06-30", AS_OF):
        call_command("recompute", "--as-of", as_of, stdout=io.StringIO())
    twin = Entity.objects.get(external_id="lk-pd-2")
    others = list(Entity.objects.exclude(pk=twin.pk).order_by("pk"))

    def histories():
        return {other.external_id: [(v["as_of"], v["score"], v["components"]) for v in pair_history(twin, other)] for other in others}

    def ties_over_time():
        return {day["as_of"]: day for day in entity_band_history(twin)}

    before, ties_before = histories(), ties_over_time()
    crossings_before = BandCrossing.objects.filter(entity_a=twin).count() + BandCrossing.objects.filter(entity_b=twin).count()
    assert sum(len(h) for h in before.values()) > 20 and crossings_before > 0
    assert PairScore.objects.filter(entity_a=twin).exists() or PairScore.objects.filter(entity_b=twin).exists()
    entity_merge(keep=Entity.objects.get(external_id="lk-pd"), duplicate=twin)
    call_command("recompute", "--as-of", AS_OF, stdout=io.StringIO())
    record = MergeRecord.objects.get(duplicate_external_id="lk-pd-2")
    assert not any("history of its pairs" in note for note in entity_merge_undo_plan(record).notes)

    undo = entity_merge_undo(record)
    call_command("recompute", "--as-of", AS_OF, stdout=io.StringIO())

    assert undo.twin.pk == twin.pk
    after = histories()
    for other, versions in before.items():
        assert after[other][:len(versions)] == versions, other  # every score it had, then the ones since
    assert {day: ties_over_time()[day] for day in ties_before} == ties_before
    assert BandCrossing.objects.filter(entity_a=twin).count() + BandCrossing.objects.filter(entity_b=twin).count() >= crossings_before


@pytest.mark.django_db
def test_a_merge_undone_before_any_recompute_gives_the_twin_its_current_scores_back(copy_of_lakeside):
    # no recompute found its rows gone: they are its current scores again, not history
    from entities.models import MergeRecord
    from entities.services import entity_merge_undo
    from scoring.models import PairScore, PairScoreHistory

    split_in_two(copy_of_lakeside, "lk-pd", "lk-pd-2", "Lakeside Police Dept.")
    call_command("import_dataset", str(copy_of_lakeside), stdout=io.StringIO())
    call_command("recompute", "--as-of", AS_OF, stdout=io.StringIO())
    twin = Entity.objects.get(external_id="lk-pd-2")
    fields = ("entity_a", "entity_b", "score_tenths", "formal_tenths", "relationship_ids", "valid_from")

    def rows(model):
        return sorted(model.objects.filter(entity_a=twin).values_list(*fields)) + sorted(model.objects.filter(entity_b=twin).values_list(*fields))

    current = rows(PairScore)
    assert current
    entity_merge(keep=Entity.objects.get(external_id="lk-pd"), duplicate=twin)
    assert not rows(PairScore)

    entity_merge_undo(MergeRecord.objects.get(duplicate_external_id="lk-pd-2"))

    assert rows(PairScore) == current and not rows(PairScoreHistory)


@pytest.mark.django_db
def test_an_undo_moves_back_what_is_still_on_the_entity_kept_and_leaves_what_changed_since():
    from entities.models import MergeRecord
    from entities.services import entity_merge_undo, entity_merge_undo_plan

    keep, twin, elsewhere = EntityFactory(external_id="keep-1"), EntityFactory(external_id="twin-1"), EntityFactory(external_id="other-1")
    stays = RelationshipFactory(external_id="r-stays", source=twin)
    repointed = RelationshipFactory(external_id="r-repointed", target=twin)
    deleted = RelationshipFactory(external_id="r-deleted", source=twin)
    entity_merge(keep=keep, duplicate=twin)
    Relationship.objects.filter(pk=repointed.pk).update(target=elsewhere)
    Relationship.objects.filter(pk=deleted.pk).delete()
    added_since = RelationshipFactory(external_id="r-added", source=keep)
    record = MergeRecord.objects.get()
    assert Relationship.objects.get(pk=stays.pk).updated_at > stays.updated_at  # moved: an edit, as the recompute's fingerprint reads

    plan = entity_merge_undo_plan(record)
    assert (plan.back["relationships"], plan.left["relationships"]) == (1, 2)
    undo = entity_merge_undo(record)

    back = Entity.objects.get(external_id="twin-1")
    assert undo.twin == back and (back.name, back.kind) == (twin.name, twin.kind)
    assert Relationship.objects.get(pk=stays.pk).source == back
    assert Relationship.objects.get(pk=repointed.pk).target == elsewhere
    assert Relationship.objects.get(pk=added_since.pk).source == keep
    record.refresh_from_db()
    assert record.undone_at is not None
    events = {(e.action, e.object_type, e.object_key): e.changes for e in AuditEvent.objects.order_by("id")}  # the latest of each
    assert events[("update", "relationships.relationship", "r-stays")] == {"source_id": ["keep-1", "twin-1"]}
    assert events[("update", "entities.entity", "keep-1")] == {"merged_in": ["twin-1", None]}
    assert ("create", "entities.entity", "twin-1") in events


@pytest.mark.django_db
def test_an_undo_puts_back_the_shared_meetings_units_flags_followers_and_newcomer_record(user_with_role):
    from engagement.models import MeetingNewcomer
    from entities.models import MergeRecord
    from entities.services import entity_merge_undo

    parent = EntityFactory(external_id="dept", kind="police_department")
    keep = EntityFactory(external_id="keep-1", kind="person")
    twin = EntityFactory(external_id="twin-1", kind="person", jurisdiction="Riverton", description="Entered twice.")
    unit = EntityFactory(external_id="unit-1", kind="police_department")
    both_attended = MeetingFactory(external_id="m-both")
    AttendanceFactory(meeting=both_attended, entity=twin, role="presenter")
    AttendanceFactory(meeting=both_attended, entity=keep)
    AttendanceFactory(meeting=MeetingFactory(external_id="m-twin"), entity=twin)
    Entity.objects.filter(pk=unit.pk).update(parent=twin)
    Entity.objects.filter(pk=twin.pk).update(parent=parent)
    twin.refresh_from_db()
    flag = FlagFactory(subject=EntityFactory(kind="oversight_body"), counterpart=twin)
    tie = FlagFactory(rule="PERSONAL_TIE", subject=parent, counterpart=EntityFactory())
    tie.persons.set([twin, keep])
    follower, follows_both = user_with_role("city_staff"), user_with_role("city_staff")
    for user, entity in ((follower, twin), (follows_both, twin), (follows_both, keep)):
        follow_set(user=user, entity=entity, following=True)
    MeetingNewcomer.objects.create(entity=twin, meeting=both_attended, added_by=follower)

    entity_merge(keep=keep, duplicate=twin)
    entity_merge_undo(MergeRecord.objects.get())

    back = Entity.objects.get(external_id="twin-1")
    assert (back.parent, back.jurisdiction, back.description) == (parent, "Riverton", "Entered twice.")
    assert Entity.objects.get(pk=unit.pk).parent == back
    assert sorted(Attendance.objects.filter(entity=back).values_list("meeting__external_id", "role")) == [("m-both", "presenter"), ("m-twin", "attendee")]
    assert Attendance.objects.filter(entity=keep).count() == 1
    assert Flag.objects.get(pk=flag.pk).counterpart == back
    assert set(tie.persons.all()) == {back, keep}
    assert sorted(Follow.objects.values_list("user", "entity")) == sorted(
        [(follower.pk, back.pk), (follows_both.pk, back.pk), (follows_both.pk, keep.pk)])
    newcomer = MeetingNewcomer.objects.get(entity=back)
    assert (newcomer.meeting, newcomer.added_by) == (both_attended, follower)


@pytest.mark.django_db
def test_an_undo_that_cannot_be_is_refused_and_changes_nothing():
    from entities.models import MergeRecord
    from entities.services import entity_merge_undo, merge_undo_problems

    keep, twin = EntityFactory(external_id="keep-1"), EntityFactory(external_id="twin-1")
    RelationshipFactory(external_id="r-1", source=twin)
    entity_merge(keep=keep, duplicate=twin)
    record = MergeRecord.objects.get()
    entered_again = EntityFactory(external_id="twin-1")

    with pytest.raises(EntityMergeError, match="An entity has the id twin-1 again"):
        entity_merge_undo(record)
    assert Relationship.objects.get(external_id="r-1").source == keep
    entered_again.delete()
    entity_merge_undo(record)
    with pytest.raises(EntityMergeError, match="This merge was undone on"):
        entity_merge_undo(record)
    assert merge_undo_problems(MergeRecord.objects.get())[0].startswith("This merge was undone")


def _flags_as_read() -> set[tuple]:
    return {(f.rule, f.subject.external_id, f.counterpart.external_id, tuple(sorted(p.external_id for p in f.persons.all())), f.status)
            for f in Flag.objects.select_related("subject", "counterpart").prefetch_related("persons")}


@pytest.mark.django_db
@settings(max_examples=examples(15), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_for_any_data_set_and_any_two_entities_a_merge_undone_gives_back_the_data_set_and_flags(data):
    """Any valid data set, any two of its entities (made mergeable: one kind, neither the other's
    parent, no tie between them), a few flags on them with review histories: merged, then undone,
    every data file exports as before, and the flags and their histories are as before, those the
    merge joined to the kept entity's flag on the same situation included."""
    from django.db.models import Q

    from entities.models import MergeRecord
    from entities.services import entity_merge_undo
    from interchange.export import dataset_export_files
    from interchange.services import dataset_import
    from relationships.models import Disclosure
    from tests.interchange.strategies import data_set_emptied, data_sets, files_of

    data_set_emptied()
    assert dataset_import(files=data.draw(files_of(data.draw(data_sets())))).ok
    entities = list(Entity.objects.order_by("external_id"))
    keep, twin = data.draw(st.lists(st.sampled_from(entities), min_size=2, max_size=2, unique=True))
    Entity.objects.filter(pk=twin.pk).update(kind=keep.kind, category=keep.category)
    Entity.objects.filter(pk__in=[keep.pk, twin.pk], parent__in=[keep.pk, twin.pk]).update(parent=None)
    joining = Relationship.objects.filter(Q(source=keep, target=twin) | Q(source=twin, target=keep))
    Disclosure.objects.filter(relationship__in=joining).delete()
    joining.delete()
    keep.refresh_from_db()
    twin.refresh_from_db()
    for rule, subject, counterpart, persons, status in data.draw(st.lists(st.tuples(
            st.sampled_from(["FUNDING_DEPENDENCE", "PERSONAL_TIE"]), st.sampled_from(entities), st.sampled_from(entities),
            st.lists(st.sampled_from(entities), max_size=2, unique=True), st.sampled_from(["open", "under_review", "dismissed"])),
            max_size=3, unique_by=lambda f: (f[0], f[1].pk, f[2].pk)).filter(lambda flags: all(f[1] != f[2] for f in flags))):
        FlagFactory(rule=rule, subject=subject, counterpart=counterpart, status=status).persons.set(persons)
    for n, flag in enumerate(Flag.objects.order_by("pk")):
        FlagStatusChangeFactory(flag=flag, reason=f"Step {n} of flag {flag.pk}.")
    before, flags_before = {k: v for k, v in dataset_export_files().items() if k not in ("closeness.csv", "flags.csv")}, _flags_as_read()
    history_before = {(h.flag.rule, h.flag.subject.external_id, h.flag.counterpart.external_id, h.reason)
                      for h in FlagStatusChange.objects.select_related("flag__subject", "flag__counterpart")}

    entity_merge(keep=keep, duplicate=twin)
    record = MergeRecord.objects.get(duplicate_external_id=twin.external_id, undone_at__isnull=True)
    undo = entity_merge_undo(record)

    assert not any(undo.left.values())
    assert {k: v for k, v in dataset_export_files().items() if k not in ("closeness.csv", "flags.csv")} == before
    assert _flags_as_read() == flags_before  # those joined to the kept entity's flag too
    assert {(h.flag.rule, h.flag.subject.external_id, h.flag.counterpart.external_id, h.reason) for h in FlagStatusChange.objects.select_related(
        "flag__subject", "flag__counterpart")} == history_before


@pytest.mark.django_db
def test_a_twin_merged_into_an_entity_later_merged_itself_can_still_be_undone_from_the_last_one(client_as):
    from entities.models import MergeRecord
    from entities.services import entity_merge_undo

    first, second, last = (EntityFactory(external_id=f"x-{n}", kind="person") for n in (1, 2, 3))
    RelationshipFactory(external_id="r-first", source=first)
    entity_merge(keep=second, duplicate=first)
    entity_merge(keep=last, duplicate=second)

    assert set(MergeRecord.objects.values_list("duplicate_external_id", "keep__external_id")) == {("x-1", "x-3"), ("x-2", "x-3")}
    assert client_as("city_staff").get("/entities/x-1/")["Location"] == "/entities/x-3/"
    entity_merge_undo(MergeRecord.objects.get(duplicate_external_id="x-1"))
    assert Relationship.objects.get(external_id="r-first").source.external_id == "x-1"


@pytest.mark.django_db
@pytest.mark.parametrize("side", ["subject", "counterpart", "persons"])
def test_an_entity_a_flag_names_is_not_deleted_whatever_the_flag_calls_it(side):
    """A flag whose evidence was deleted stays (with its review history) and names its entities:
    deleting one cascaded to the flag (subject and counterpart are CASCADE), its history gone."""
    from entities.services import entity_deletion_refused

    named = EntityFactory(kind="person" if side == "persons" else "oversight_body")
    flag = FlagFactory(**({} if side == "persons" else {side: named}))
    if side == "persons":
        flag.persons.add(named)
    FlagStatusChangeFactory(flag=flag)

    assert entity_deletion_refused(named) == "a conflict-of-interest flag names it"
    unnamed = EntityFactory()
    assert entity_deletion_refused(unnamed) == ""
