from django.db import migrations, models


def count_every_snapshot(apps, schema_editor):
    """Each complete snapshot's close and working pairs, as the recomputes count them from now on:
    the pair versions of 4.0 or more in force then, as an entity's ties over time are counted
    (`scoring.selectors.bands_in_force`, which tests/scoring/test_migrations.py runs here: a
    change to it that broke this migration fails there)."""
    from scoring.selectors import bands_in_force

    Snapshot = apps.get_model("scoring", "ClosenessSnapshot")
    snapshots = list(Snapshot.objects.filter(status="complete", close_pairs__isnull=True).order_by("id"))
    if not snapshots:
        return
    in_force = bands_in_force(apps.get_model("scoring", "PairScoreVersion").objects.all(), [s.id for s in snapshots])
    for snapshot in snapshots:
        snapshot.close_pairs, snapshot.working_pairs = in_force[snapshot.id]
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
