"""Pairs moving between any two bands, not only into or out of `close`: `CloseCrossing` becomes
`BandCrossing`, and the moves between `distant` and `working` of the snapshots before this
migration are filled from the history already stored (each version against the one it replaced,
and rows that ended with no successor), so "what changed since" covers them too."""
from django.db import migrations, models

WORKING_TENTHS, CLOSE_TENTHS = 40, 80
VERSIONS = """(SELECT entity_a_id, entity_b_id, score_tenths, valid_from_id FROM scoring_pairscore
UNION ALL SELECT entity_a_id, entity_b_id, score_tenths, valid_from_id FROM scoring_pairscorehistory)"""


def band(tenths: str) -> str:
    return f"(CASE WHEN {tenths} >= {CLOSE_TENTHS} THEN 2 WHEN {tenths} >= {WORKING_TENTHS} THEN 1 ELSE 0 END)"


def crossings_from_history(only_below_close: bool) -> str:
    """Every band move the stored history shows; with `only_below_close`, only those between
    `distant` and `working` (the moves into and out of `close` were recorded already)."""
    before, after = "COALESCE(replaced.score_tenths, 0)", "version.score_tenths"
    moved_below = f" AND {after} < {CLOSE_TENTHS} AND {before} < {CLOSE_TENTHS}" if only_below_close else ""
    ended_below = f" AND ended.score_tenths < {CLOSE_TENTHS}" if only_below_close else ""
    return f"""
INSERT INTO scoring_bandcrossing (snapshot_id, entity_a_id, entity_b_id, before_tenths, after_tenths)
SELECT version.valid_from_id, version.entity_a_id, version.entity_b_id, {before}, {after}
FROM {VERSIONS} version
LEFT JOIN scoring_pairscorehistory replaced
  ON replaced.entity_a_id = version.entity_a_id AND replaced.entity_b_id = version.entity_b_id AND replaced.valid_to_id = version.valid_from_id
WHERE {band(after)} <> {band(before)}{moved_below}
UNION ALL
SELECT ended.valid_to_id, ended.entity_a_id, ended.entity_b_id, ended.score_tenths, 0
FROM scoring_pairscorehistory ended
WHERE ended.score_tenths >= {WORKING_TENTHS}{ended_below} AND NOT EXISTS (
  SELECT 1 FROM {VERSIONS} successor
  WHERE successor.entity_a_id = ended.entity_a_id AND successor.entity_b_id = ended.entity_b_id AND successor.valid_from_id = ended.valid_to_id)
"""


def working_crossings_from_history(apps, schema_editor):
    schema_editor.execute(crossings_from_history(only_below_close=True))


def drop_working_crossings(apps, schema_editor):
    schema_editor.execute(
        f"DELETE FROM scoring_bandcrossing WHERE before_tenths < {CLOSE_TENTHS} AND after_tenths < {CLOSE_TENTHS}"
    )


class Migration(migrations.Migration):

    dependencies = [
        ('entities', '0001_initial'),
        ('scoring', '0008_settings_preview'),
    ]

    operations = [
        migrations.RenameModel('CloseCrossing', 'BandCrossing'),
        migrations.RemoveConstraint(model_name='bandcrossing', name='closecrossing_ordered'),
        migrations.AddConstraint(
            model_name='bandcrossing',
            constraint=models.CheckConstraint(condition=models.Q(('entity_a__lt', models.F('entity_b'))), name='bandcrossing_ordered'),
        ),
        # backwards: only the moves into and out of `close` stay, as before (then the table is renamed back)
        migrations.RunPython(working_crossings_from_history, drop_working_crossings),
    ]
