"""A kept form names its sender by the account's key (core.unsaved.account_key), as the browser's
cookie now does, not by its id: the forms kept at the upgrade (a week's at most) are converted."""
from django.db import migrations, models


def ids_to_keys(apps, schema_editor):
    from core.unsaved import account_key

    KeptForm = apps.get_model("core", "KeptForm")
    for form in KeptForm.objects.exclude(typed_by=None):
        if form.typed_by.isdigit():
            form.typed_by = account_key(int(form.typed_by))
            form.save(update_fields=["typed_by"])


def keys_forgotten(apps, schema_editor):
    """Back: a key does not give the id back, so the forms are no one's (shown to whoever signs in
    in their browser, as before the cookie named anyone)."""
    apps.get_model("core", "KeptForm").objects.update(typed_by=None)


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0002_kept_forms"),
    ]

    operations = [
        migrations.AlterField(model_name="keptform", name="typed_by", field=models.CharField(blank=True, max_length=64, null=True)),
        migrations.RunPython(ids_to_keys, keys_forgotten),
    ]
