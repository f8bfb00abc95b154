"""The review queue's order and the flags other pages list."""
import pytest

from conflicts.models import Flag
from conflicts.rules import SEVERITIES
from conflicts.selectors import flags_between, flags_involving, in_review_order
from tests.factories import EntityFactory, FlagFactory

REVIEW_ORDER = [(status, severity) for status in ("open", "under_review", "resolved", "dismissed") for severity in ("high", "medium", "low")]


@pytest.fixture
def every_status_and_severity(db):
    """One flag for each status and severity, created in an order that is neither the review
    order nor alphabetical."""
    flags = []
    for rank, (status, severity) in enumerate(sorted(REVIEW_ORDER, key=lambda pair: (pair[1], pair[0]))):
        flags.append(FlagFactory(status=status, severity=severity, subject=EntityFactory(name=f"Body {rank:02d}")))
    return flags


def test_flags_wait_for_a_decision_first_and_the_most_severe_first(every_status_and_severity):
    assert [(f.status, f.severity) for f in in_review_order(Flag.objects.all())] == REVIEW_ORDER


def test_the_queue_page_lists_flags_in_review_order_and_sorts_severity_by_rank(every_status_and_severity, client_as):
    table = client_as("city_staff").get("/flags/").context["table"]
    assert [column.name for column in table.columns] == ["rule", "severity", "status", "subject", "counterpart", "disclosed", "first_raised_on", "explanation"]
    listed = table.rows
    assert [(row.record.status, row.record.severity) for row in listed] == REVIEW_ORDER

    by_severity = client_as("city_staff").get("/flags/", {"sort": "severity"}).context["table"].rows
    assert [row.record.severity for row in by_severity] == [s for s in reversed(SEVERITIES) for _ in range(4)]
    by_severity_ascending = client_as("city_staff").get("/flags/", {"sort": "-severity"}).context["table"].rows
    assert [row.record.severity for row in by_severity_ascending] == [s for s in SEVERITIES for _ in range(4)]


@pytest.mark.django_db
def test_the_queue_names_each_rule_in_words_with_its_code_and_sorts_by_the_day_it_was_raised(client_as):
    from datetime import date

    older = FlagFactory(rule="REVOLVING_DOOR", first_raised_on=date(2024, 5, 1), severity="low")
    newer = FlagFactory(rule="PERSONAL_TIE", first_raised_on=date(2026, 2, 1), severity="low")
    staff = client_as("city_staff")

    page = staff.get("/flags/").content.decode()
    assert 'Revolving door<br><code class="rule-code">REVOLVING_DOOR</code>' in page and "2024-05-01" in page
    assert [row.record for row in staff.get("/flags/", {"sort": "first_raised_on"}).context["table"].rows] == [older, newer]
    assert [row.record for row in staff.get("/flags/", {"sort": "-first_raised_on"}).context["table"].rows] == [newer, older]


@pytest.mark.django_db
def test_a_pairs_flags_either_way_round_with_the_lapsed_last():
    board, department, other = EntityFactory(), EntityFactory(kind="police_department"), EntityFactory()
    lapsed = FlagFactory(subject=board, counterpart=department, rule="OVERSIGHT_TOO_CLOSE", holds=False)
    holding = FlagFactory(subject=department, counterpart=board, severity="low")
    FlagFactory(subject=board, counterpart=other)

    assert list(flags_between(board, department)) == list(flags_between(department, board)) == [holding, lapsed]
    assert set(flags_involving(board)) == set(Flag.objects.filter(holds=True, subject=board)) | {holding}
    assert list(flags_involving(other)) == list(Flag.objects.filter(counterpart=other))


@pytest.mark.django_db
def test_the_queue_lists_flags_whose_situation_ended_only_when_asked(client_as):
    from datetime import date

    holding = FlagFactory()
    ended = FlagFactory(holds=False, lapsed_on=date(2026, 3, 1), status="resolved", rule="PERSONAL_TIE")
    staff = client_as("city_staff")

    def listed(**params):
        return [row.record for row in staff.get("/flags/", params).context["table"].rows]

    assert listed() == [holding]
    assert set(listed(lapsed="on")) == {holding, ended}
    assert "Resolved (situation ended 2026-03-01)" in staff.get("/flags/", {"lapsed": "on"}).content.decode()
    assert listed(lapsed="on", rule="PERSONAL_TIE") == [ended]
