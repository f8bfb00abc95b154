from django.db import migrations, models


def count_the_current_scores(apps, schema_editor):
    """The scores current at the upgrade are in the pair table: their snapshot gets its counts, so
    the ties over time start there (earlier snapshots' bands are not counted: None)."""
    Snapshot = apps.get_model("scoring", "ClosenessSnapshot")
    PairScore = apps.get_model("scoring", "PairScore")
    current = Snapshot.objects.filter(status="complete").order_by("-id").first()
    if current is None:
        return
    close = 80  # the bands' lines in tenths, as they stand at this migration (8.0 and 4.0)
    working = 40
    current.close_pairs = PairScore.objects.filter(score_tenths__gte=close).count()
    current.working_pairs = PairScore.objects.filter(score_tenths__gte=working, score_tenths__lt=close).count()
    current.save(update_fields=["close_pairs", "working_pairs"])


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
        migrations.RunPython(count_the_current_scores, migrations.RunPython.noop),
    ]
