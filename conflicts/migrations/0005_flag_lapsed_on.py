"""When a flag's situation stopped holding; for the flags that lapsed before this field, read
from the status entry the recompute wrote then ("Evidence lapsed: ... as of YYYY-MM-DD.", the
latest one), or left empty when there is none (a flag already resolved or dismissed when it
lapsed got no entry)."""
import re
from datetime import date

from django.db import migrations, models

LAPSED = re.compile(r"^Evidence lapsed: the rule no longer holds as of (\d{4}-\d{2}-\d{2})\.$")


def lapse_dates_from_history(apps, schema_editor):
    Flag = apps.get_model("conflicts", "Flag")
    FlagStatusChange = apps.get_model("conflicts", "FlagStatusChange")
    lapsed = set(Flag.objects.filter(holds=False).values_list("id", flat=True))
    latest = {}
    for flag_id, reason in FlagStatusChange.objects.filter(flag_id__in=lapsed, reason__startswith="Evidence lapsed").order_by("changed_at", "id").values_list("flag_id", "reason"):
        found = LAPSED.match(reason)
        if found:
            latest[flag_id] = date.fromisoformat(found.group(1))
    for flag_id, day in latest.items():
        Flag.objects.filter(id=flag_id).update(lapsed_on=day)


class Migration(migrations.Migration):

    dependencies = [
        ("conflicts", "0004_flag_snapshot_updated_in_place"),
    ]

    operations = [
        migrations.AddField(
            model_name="flag",
            name="lapsed_on",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.RunPython(lapse_dates_from_history, migrations.RunPython.noop),
    ]
