"""The review lifecycle of flags, across recomputes."""
import io
from datetime import date

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conflicts.models import Flag
from conflicts.services import FlagTransitionError, flag_change_status, transitions_allowed
from relationships.models import Relationship
from tests.examples import examples
from tests.factories import RelationshipFactory


def recompute(as_of="2026-06-30"):
    call_command("recompute", "--as-of", as_of, stdout=io.StringIO())


def user_with(role):
    user = User.objects.create_user(f"{role}-user", password="a-long-password-123")
    user.groups.add(Group.objects.get(name=role))
    return user


def funding_flag():
    return Flag.objects.get(rule="FUNDING_DEPENDENCE", subject__external_id="lk-ob", counterpart__external_id="lk-pd")


@pytest.fixture
def analyst(db):
    return user_with("analyst")


@pytest.mark.django_db
def test_a_reviewed_flag_keeps_its_status_and_history_across_recomputes(lakeside, analyst):
    recompute()
    flag_change_status(flag=funding_flag(), to_status="under_review", user=analyst, reason="Checking the budget.")

    recompute()
    recompute()

    flag = funding_flag()
    assert flag.status == "under_review"
    assert [(h.from_status, h.to_status) for h in flag.history.all()] == [("", "open"), ("open", "under_review")]
    assert flag.history.last().changed_by == analyst


@pytest.mark.django_db
def test_new_evidence_reopens_a_reviewed_flag_saying_what_changed(lakeside, analyst):
    recompute()
    flag = funding_flag()
    flag_change_status(flag=flag, to_status="under_review", user=analyst, reason="Looking into it.")
    flag_change_status(flag=flag, to_status="dismissed", user=analyst, reason="Budgeted by council.")
    pd, ob = flag.counterpart, flag.subject
    RelationshipFactory(external_id="f-99", source=pd, target=ob, type="funds", amount=10, start_date=date(2026, 1, 1))

    recompute()

    flag = funding_flag()
    assert flag.status == "open"
    last = flag.history.last()
    assert (last.from_status, last.to_status, last.changed_by) == ("dismissed", "open", None)
    assert "f-99" in last.reason


@pytest.mark.django_db
def test_changed_evidence_reopens_a_reviewed_flag_but_a_changed_note_does_not(lakeside, analyst):
    recompute()
    flag = funding_flag()
    flag_change_status(flag=flag, to_status="under_review", user=analyst, reason="Looking into it.")
    flag_change_status(flag=flag, to_status="dismissed", user=analyst, reason="A small grant.")

    Relationship.objects.filter(external_id="f-01").update(notes="re-checked", source_url="https://example.org/f-01")
    recompute()
    assert funding_flag().status == "dismissed"  # nothing the rules read changed

    amount = Relationship.objects.get(external_id="f-01").amount
    Relationship.objects.filter(external_id="f-01").update(amount=amount * 100)
    recompute()
    flag = funding_flag()
    assert flag.status == "open"
    assert "f-01 changed" in flag.history.last().reason
    recompute()
    assert funding_flag().status == "open" and funding_flag().history.count() == 4  # reopened once


@pytest.mark.django_db
def test_a_flag_whose_evidence_lapses_is_resolved_and_leaves_the_export(lakeside, analyst, tmp_path):
    recompute()
    flag_change_status(flag=funding_flag(), to_status="under_review", user=analyst, reason="Checking.")
    Relationship.objects.filter(external_id="f-01").update(start_date=date(2020, 1, 1), end_date=date(2023, 1, 1))

    recompute()

    flag = funding_flag()
    assert flag.status == "resolved" and not flag.holds
    assert "lapsed" in flag.history.last().reason
    call_command("export_dataset", str(tmp_path), stdout=io.StringIO())
    assert "lk-ob,lk-pd,,f-01" not in (tmp_path / "flags.csv").read_text()


@pytest.mark.django_db
def test_a_lapsed_flag_whose_evidence_holds_again_reopens(lakeside):
    recompute()
    Relationship.objects.filter(external_id="f-01").update(start_date=date(2020, 1, 1), end_date=date(2023, 1, 1))
    recompute()
    assert funding_flag().status == "resolved"

    Relationship.objects.filter(external_id="f-01").update(end_date=None)
    recompute()

    assert funding_flag().status == "open"
    assert "holds again" in funding_flag().history.last().reason


@pytest.mark.django_db
def test_a_lapsed_flag_reopened_by_hand_before_that_was_refused_is_closed_by_the_next_recompute(lakeside):
    recompute()
    Relationship.objects.filter(external_id="f-01").update(start_date=date(2020, 1, 1), end_date=date(2023, 1, 1))
    recompute()
    Flag.objects.filter(pk=funding_flag().pk).update(status="open")  # as a reviewer could, once

    recompute()

    flag = funding_flag()
    assert (flag.status, flag.holds, flag.lapsed_on) == ("resolved", False, date(2026, 6, 30))
    assert flag.history.last().reason == "Evidence lapsed: the rule no longer holds as of 2026-06-30."


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path,refused",
    [
        (["resolved"], "cannot become resolved"),
        (["under_review", "under_review"], "cannot become under_review"),
        (["dismissed"], "cannot become dismissed"),
    ],
)
def test_transitions_the_lifecycle_does_not_allow_are_refused(lakeside, analyst, path, refused):
    recompute()
    flag = funding_flag()
    with pytest.raises(FlagTransitionError, match=refused):
        for status in path:
            flag_change_status(flag=flag, to_status=status, user=analyst, reason="Because.")


@pytest.mark.django_db
def test_a_reason_is_required(lakeside, analyst):
    recompute()
    with pytest.raises(FlagTransitionError, match="reason is required"):
        flag_change_status(flag=funding_flag(), to_status="under_review", user=analyst, reason="  ")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["city_staff", "board_member"])
def test_only_analysts_and_administrators_change_a_status(lakeside, role):
    recompute()
    with pytest.raises(FlagTransitionError, match="Only analysts"):
        flag_change_status(flag=funding_flag(), to_status="under_review", user=user_with(role), reason="Mine.")
    assert funding_flag().status == "open"


@pytest.mark.django_db
def test_a_stale_status_change_is_refused(lakeside, analyst):
    recompute()
    stale = funding_flag()
    flag_change_status(flag=funding_flag(), to_status="under_review", user=analyst, reason="First.")

    with pytest.raises(FlagTransitionError, match="changed by someone else"):
        flag_change_status(flag=stale, to_status="under_review", user=analyst, reason="Second.")


AS_OF_DATES = ("2024-01-01", "2025-06-30", "2026-06-30")
# relationships behind the lakeside's flags: ending one early makes its flag lapse
EVIDENCE = ("f-01", "f-02", "f-03", "c-01", "c-05", "t-01", "t-02", "p-08", "p-12")


def _history_chains_match_statuses() -> None:
    for flag in Flag.objects.prefetch_related("history"):
        steps = list(flag.history.all())
        assert steps and steps[0].from_status == "" and steps[0].to_status == "open", flag
        assert all(later.from_status == earlier.to_status for earlier, later in zip(steps, steps[1:])), flag
        assert steps[-1].to_status == flag.status, flag


@pytest.mark.django_db
@settings(max_examples=examples(10), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(st.one_of(
    st.tuples(st.just("recompute"), st.sampled_from(AS_OF_DATES)),
    st.tuples(st.just("review"), st.integers(0, 50), st.integers(0, 2)),
    st.tuples(st.just("end"), st.sampled_from(EVIDENCE)),
    st.tuples(st.just("restore"), st.sampled_from(EVIDENCE)),
), min_size=1, max_size=7))
def test_any_sequence_of_recomputes_reviews_and_evidence_changes_keeps_every_flags_history(lakeside, analyst, steps):
    """Recomputes as of any dates, reviews, evidence ending and coming back, in any order: no
    status change is ever erased or altered, each flag's history is one chain ending in its status,
    a recompute run twice changes nothing the second time, and flags.csv lists exactly the flags
    that hold, with their status."""
    from conflicts.models import FlagStatusChange

    Flag.objects.all().delete()  # each example starts from the imported lakeside
    original = {r.external_id: (r.start_date, r.end_date, r.type) for r in Relationship.objects.filter(external_id__in=EVIDENCE)}
    for external_id, (start, end, _) in original.items():
        Relationship.objects.filter(external_id=external_id).update(start_date=start, end_date=end)
    seen: dict[int, tuple] = {}
    for step in [("recompute", "2026-06-30"), *steps]:
        if step[0] == "recompute":
            recompute(step[1])
            before = set(FlagStatusChange.objects.values_list("id", flat=True))
            recompute(step[1])
            assert set(FlagStatusChange.objects.values_list("id", flat=True)) == before, "a second recompute changed a status"
        elif step[0] == "review":
            flags = list(Flag.objects.order_by("pk"))
            flag = flags[step[1] % len(flags)]
            allowed = sorted(transitions_allowed(flag))  # a move the lifecycle allows
            if allowed:
                flag_change_status(flag=flag, to_status=allowed[step[2] % len(allowed)], user=analyst, reason="Property test.")
            else:
                with pytest.raises(FlagTransitionError, match="situation ended"):
                    flag_change_status(flag=flag, to_status="open", user=analyst, reason="Property test.")
        elif step[0] == "end":  # long over: dated (a one-off) or ended in 2001
            one_off = original[step[1]][2] in ("contributes_to", "endorses")
            Relationship.objects.filter(external_id=step[1]).update(start_date=date(2000, 1, 1), end_date=None if one_off else date(2001, 1, 1))
        else:
            start, end, _ = original[step[1]]
            Relationship.objects.filter(external_id=step[1]).update(start_date=start, end_date=end)
        for change in FlagStatusChange.objects.all():
            row = (change.flag_id, change.from_status, change.to_status, change.reason, change.changed_at)
            assert seen.setdefault(change.pk, row) == row, "a status change was altered"
        assert set(seen) <= set(FlagStatusChange.objects.values_list("id", flat=True)), "a status change was erased"
        _history_chains_match_statuses()
    assert not Flag.objects.filter(holds=False, status__in=["open", "under_review"]).exists()
    exported = {(f["rule"], f["subject"], f["counterpart"], f["status"]) for f in _flags_csv()}
    assert exported == {(f.rule, f.subject.external_id, f.counterpart.external_id, f.status)
                        for f in Flag.objects.filter(holds=True).select_related("subject", "counterpart")}


def _flags_csv() -> list[dict]:
    import csv

    from interchange.export import dataset_export_files

    return list(csv.DictReader(io.StringIO(dataset_export_files()["flags.csv"])))
