"""Current pair rows and their history in two tables (see scoring.models.PairScore), and a view of
both for the API's `as_of` listing. The closed rows move to the history table as they are."""

import django.db.models.deletion
from django.db import migrations, models

PAIR_COLUMNS = (
    "entity_a_id, entity_b_id, score_tenths, formal_tenths, interaction_tenths, financial_tenths, "
    "analyst_tenths, relationship_ids, relationship_digest, valid_from_id"
)

MOVE_CLOSED_ROWS = [
    f"INSERT INTO scoring_pairscorehistory ({PAIR_COLUMNS}, valid_to_id) "
    f"SELECT {PAIR_COLUMNS}, valid_to_id FROM scoring_pairscore WHERE valid_to_id IS NOT NULL ORDER BY id",
    "DELETE FROM scoring_pairscore WHERE valid_to_id IS NOT NULL",
]
MOVE_CLOSED_ROWS_BACK = [
    f"INSERT INTO scoring_pairscore ({PAIR_COLUMNS}, valid_to_id) "
    f"SELECT {PAIR_COLUMNS}, valid_to_id FROM scoring_pairscorehistory ORDER BY id",
    "DELETE FROM scoring_pairscorehistory",
]
CREATE_VIEW = (
    f"CREATE VIEW scoring_pairscoreversion AS "
    f"SELECT id, {PAIR_COLUMNS}, CAST(NULL AS BIGINT) AS valid_to_id FROM scoring_pairscore "
    f"UNION ALL SELECT -id, {PAIR_COLUMNS}, valid_to_id FROM scoring_pairscorehistory"
)


def pair_fields(entity_on_delete, snapshot_on_delete, index: bool):
    """The fields of scoring.models.PairScoreFields as the migration state needs them."""
    return [
        ("score_tenths", models.SmallIntegerField()),
        ("formal_tenths", models.SmallIntegerField()),
        ("interaction_tenths", models.SmallIntegerField()),
        ("financial_tenths", models.SmallIntegerField()),
        ("analyst_tenths", models.SmallIntegerField()),
        ("relationship_ids", models.JSONField(default=list)),
        ("relationship_digest", models.BigIntegerField(default=0)),
        ("entity_a", models.ForeignKey(db_constraint=False, db_index=index, on_delete=entity_on_delete, related_name="+", to="entities.entity")),
        ("entity_b", models.ForeignKey(db_constraint=False, db_index=index, on_delete=entity_on_delete, related_name="+", to="entities.entity")),
        ("valid_from", models.ForeignKey(db_constraint=False, db_index=index, on_delete=snapshot_on_delete, related_name="+", to="scoring.closenesssnapshot")),
    ]


class Migration(migrations.Migration):

    dependencies = [
        ("entities", "0001_initial"),
        ("scoring", "0005_weak_pairs"),
    ]

    operations = [
        migrations.CreateModel(
            name="PairScoreHistory",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                *pair_fields(django.db.models.deletion.CASCADE, django.db.models.deletion.CASCADE, index=False),
                ("valid_to", models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="scoring.closenesssnapshot")),
            ],
            options={
                "verbose_name_plural": "pair score history",
                "indexes": [models.Index(fields=["entity_a", "entity_b", "valid_from"], name="pairscorehistory_pair")],
            },
        ),
        migrations.RunSQL(MOVE_CLOSED_ROWS, MOVE_CLOSED_ROWS_BACK),
        migrations.RemoveIndex(model_name="pairscore", name="pairscore_history"),
        migrations.RemoveIndex(model_name="pairscore", name="pairscore_current_score"),
        migrations.RemoveIndex(model_name="pairscore", name="pairscore_current_b_all"),
        migrations.RemoveIndex(model_name="pairscore", name="pairscore_current_a_all"),
        migrations.RemoveField(model_name="pairscore", name="valid_to"),
        migrations.AddIndex(model_name="pairscore", index=models.Index(fields=["entity_b"], name="pairscore_b")),
        migrations.AddIndex(
            model_name="pairscore",
            index=models.Index(condition=models.Q(("score_tenths__gte", 10)), fields=["-score_tenths"], name="pairscore_listed_score"),
        ),
        migrations.AddConstraint(
            model_name="pairscore",
            constraint=models.UniqueConstraint(fields=("entity_a", "entity_b"), name="pairscore_one_per_pair"),
        ),
        migrations.CreateModel(
            name="PairScoreVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                *pair_fields(django.db.models.deletion.DO_NOTHING, django.db.models.deletion.DO_NOTHING, index=True),
                ("valid_to", models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="scoring.closenesssnapshot")),
            ],
            options={"db_table": "scoring_pairscoreversion", "managed": False},
        ),
        migrations.RunSQL(CREATE_VIEW, "DROP VIEW scoring_pairscoreversion"),
    ]
