"""Migrations that move data: flags' lapse dates read from their status history."""
from datetime import date

import pytest

from tests.migrations import migrated, migrated_to_the_latest

BEFORE = [("conflicts", "0004_flag_snapshot_updated_in_place")]
AFTER = [("conflicts", "0005_flag_lapsed_on")]


@pytest.mark.django_db(transaction=True)
def test_a_lapsed_flag_gets_the_date_its_latest_lapse_entry_names():
    apps = migrated(BEFORE)
    entity = apps.get_model("entities", "Entity")
    flag_model, change = apps.get_model("conflicts", "Flag"), apps.get_model("conflicts", "FlagStatusChange")
    a, b = (entity.objects.create(external_id=f"m-{i}", name=f"M {i}", kind="oversight_body") for i in range(2))

    def flag(rule, holds):
        return flag_model.objects.create(rule=rule, subject=a, counterpart=b, severity="high", explanation="x", holds=holds,
                                         first_raised_on=date(2024, 1, 1), last_evaluated_on=date(2026, 1, 1), status="resolved")

    lapsed_twice, lapsed_unrecorded, holding = flag("FUNDING_DEPENDENCE", False), flag("PERSONAL_TIE", False), flag("REVOLVING_DOOR", True)
    for day in ("2024-06-30", "2025-03-31"):
        change.objects.create(flag=lapsed_twice, from_status="open", to_status="resolved",
                              reason=f"Evidence lapsed: the rule no longer holds as of {day}.")
    change.objects.create(flag=holding, from_status="open", to_status="resolved", reason="Evidence lapsed: the rule no longer holds as of 2024-06-30.")
    try:
        apps = migrated(AFTER)
        lapse = dict(apps.get_model("conflicts", "Flag").objects.values_list("id", "lapsed_on"))

        assert lapse == {lapsed_twice.pk: date(2025, 3, 31), lapsed_unrecorded.pk: None, holding.pk: None}
    finally:
        migrated_to_the_latest()
