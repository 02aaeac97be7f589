import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def owners(apps, schema_editor):
    Sitting = apps.get_model("sittings", "Sitting")
    for sitting in Sitting.objects.select_related("booking__application"):
        sitting.applicant_id = sitting.booking.application.applicant_id
        sitting.save(update_fields=["applicant"])


class Migration(migrations.Migration):
    dependencies = [
        ("sittings", "0003_stage_tests_events_images"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="sitting",
            name="applicant",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(owners, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="sitting",
            name="applicant",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]
