"""Pairs moving into or out of `close`, one row per move and recompute; filled from the
history already stored (each version against the one it replaced, and close rows that ended with
no successor), so "what changed since" covers the snapshots before this migration too."""
import django.db.models.deletion
from django.db import migrations, models

CLOSE_TENTHS = 80
VERSIONS = """(SELECT entity_a_id, entity_b_id, score_tenths, valid_from_id FROM scoring_pairscore
UNION ALL SELECT entity_a_id, entity_b_id, score_tenths, valid_from_id FROM scoring_pairscorehistory)"""
CROSSINGS_FROM_HISTORY = f"""
INSERT INTO scoring_closecrossing (snapshot_id, entity_a_id, entity_b_id, before_tenths, after_tenths)
SELECT version.valid_from_id, version.entity_a_id, version.entity_b_id, COALESCE(replaced.score_tenths, 0), version.score_tenths
FROM {VERSIONS} version
LEFT JOIN scoring_pairscorehistory replaced
  ON replaced.entity_a_id = version.entity_a_id AND replaced.entity_b_id = version.entity_b_id AND replaced.valid_to_id = version.valid_from_id
WHERE (version.score_tenths >= {CLOSE_TENTHS}) <> (COALESCE(replaced.score_tenths, 0) >= {CLOSE_TENTHS})
UNION ALL
SELECT ended.valid_to_id, ended.entity_a_id, ended.entity_b_id, ended.score_tenths, 0
FROM scoring_pairscorehistory ended
WHERE ended.score_tenths >= {CLOSE_TENTHS} AND NOT EXISTS (
  SELECT 1 FROM {VERSIONS} successor
  WHERE successor.entity_a_id = ended.entity_a_id AND successor.entity_b_id = ended.entity_b_id AND successor.valid_from_id = ended.valid_to_id)
"""


def crossings_from_history(apps, schema_editor):
    schema_editor.execute(CROSSINGS_FROM_HISTORY)


class Migration(migrations.Migration):

    dependencies = [
        ('entities', '0001_initial'),
        ('scoring', '0006_pair_history_table'),
    ]

    operations = [
        migrations.CreateModel(
            name='CloseCrossing',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('before_tenths', models.SmallIntegerField()),
                ('after_tenths', models.SmallIntegerField()),
                ('entity_a', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='entities.entity')),
                ('entity_b', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='entities.entity')),
                ('snapshot', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='scoring.closenesssnapshot')),
            ],
            options={
                'constraints': [models.CheckConstraint(condition=models.Q(('entity_a__lt', models.F('entity_b'))), name='closecrossing_ordered')],
            },
        ),
        migrations.RunPython(crossings_from_history, migrations.RunPython.noop),
    ]
