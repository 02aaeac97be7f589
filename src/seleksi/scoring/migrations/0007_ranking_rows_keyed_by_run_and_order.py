"""RankingRow's primary key becomes (run, order), which the unique (run, order) constraint
already was: the id column, its sequence and its index go, and writing a run's rows updates
one index fewer.

Django rebuilds the table on SQLite with the new key; on PostgreSQL it only drops the id
column, so the key is added here."""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

TABLE = "scoring_rankingrow"
KEY = "scoring_rankingrow_pkey"


def add_key(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'ALTER TABLE "{TABLE}" ADD CONSTRAINT "{KEY}" PRIMARY KEY ("run_id", "order")'
        )


def drop_key(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'ALTER TABLE "{TABLE}" DROP CONSTRAINT "{KEY}"')


class Migration(migrations.Migration):
    dependencies = [
        ("scoring", "0006_ranking_rows_application_indexed_by_constraint"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="rankingrow",
            name="ranking_row_unique_order",
        ),
        migrations.AddField(
            model_name="rankingrow",
            name="pk",
            field=models.CompositePrimaryKey(
                "run",
                "order",
                blank=True,
                editable=False,
                primary_key=True,
                serialize=False,
            ),
        ),
        migrations.RemoveField(
            model_name="rankingrow",
            name="id",
        ),
        migrations.RunPython(add_key, drop_key),
    ]
