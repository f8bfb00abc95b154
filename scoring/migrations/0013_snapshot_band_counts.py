from django.db import migrations, models
from django.db.models import Count, Q

# the bands' lines in tenths, as they stand at this migration (8.0 and 4.0)
CLOSE, WORKING = 80, 40


def count_every_snapshot(apps, schema_editor):
    """Each complete snapshot's close and working pairs, as the recomputes count them from now on:
    the pair versions of 4.0 or more in force then (from the snapshot that wrote one to the one
    that replaced it), summed from two grouped counts the database makes (versions starting and
    ending at each snapshot) rather than from the versions themselves."""
    Snapshot = apps.get_model("scoring", "ClosenessSnapshot")
    Version = apps.get_model("scoring", "PairScoreVersion")
    snapshots = list(Snapshot.objects.filter(status="complete", close_pairs__isnull=True).order_by("id"))
    if not snapshots:
        return
    tied = Version.objects.filter(score_tenths__gte=WORKING).order_by()
    change: dict[int, list[int]] = {}  # snapshot id -> [close, working] that it added (or took away)
    for side, sign in (("valid_from_id", 1), ("valid_to_id", -1)):
        for at, close, either in tied.filter(**{f"{side}__isnull": False}).values_list(side).annotate(
                close=Count("score_tenths", filter=Q(score_tenths__gte=CLOSE)), either=Count("score_tenths")):
            counts = change.setdefault(at, [0, 0])
            counts[0] += sign * close
            counts[1] += sign * (either - close)
    events = sorted(change.items())
    close = working = position = 0
    for snapshot in snapshots:
        while position < len(events) and events[position][0] <= snapshot.id:
            close, working = close + events[position][1][0], working + events[position][1][1]
            position += 1
        snapshot.close_pairs, snapshot.working_pairs = close, working
    Snapshot.objects.bulk_update(snapshots, ["close_pairs", "working_pairs"], batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ('scoring', '0012_owed_recompute'),
    ]

    operations = [
        migrations.AddField(
            model_name='closenesssnapshot',
            name='close_pairs',
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='closenesssnapshot',
            name='working_pairs',
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(count_every_snapshot, migrations.RunPython.noop),
    ]
