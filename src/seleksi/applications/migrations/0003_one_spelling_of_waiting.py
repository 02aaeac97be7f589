"""Before verification owned its state, a submitted application could wait with an empty
administrative stage or with "waiting". Every application now starts as "waiting" (a draft
too: the queue reads submitted applications only), the one spelling the next migration's
constraints allow."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def waiting_spelled_once(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Application = apps.get_model("applications", "Application")
    Application.objects.using(schema_editor.connection.alias).filter(admin_stage="").update(
        admin_stage="waiting"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0002_application_admin_result_application_admin_stage_and_more"),
    ]

    operations = [
        migrations.RunPython(waiting_spelled_once, migrations.RunPython.noop, elidable=True),
    ]
