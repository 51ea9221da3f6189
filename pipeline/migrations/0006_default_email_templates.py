"""The e-mail templates consultants start with (issue 10); they edit them in the admin."""

from django.db import migrations


def create_templates(apps, schema_editor):
    # The texts live in pipeline/email_defaults.py, which also serves as the fallback when a
    # template a button needs has been deleted.
    from pipeline.email_defaults import DEFAULT_TEMPLATES

    EmailTemplate = apps.get_model("pipeline", "EmailTemplate")
    for entry in DEFAULT_TEMPLATES:
        if not EmailTemplate.objects.filter(purpose=entry["purpose"], name=entry["name"]).exists():
            EmailTemplate.objects.create(**{key: str(value) for key, value in entry.items()})


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0005_engagement_emails")]

    operations = [migrations.RunPython(create_templates, migrations.RunPython.noop)]
