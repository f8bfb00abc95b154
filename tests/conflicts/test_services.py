"""The review lifecycle of flags, across recomputes."""
import io
from datetime import date

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command

from conflicts.models import Flag
from conflicts.services import FlagTransitionError, flag_change_status
from relationships.models import Relationship
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
