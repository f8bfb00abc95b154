import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def logged_by_from_the_audit_trail(apps, schema_editor):
    """Meetings logged on the site or the API before this field existed: their logger is the actor
    of their latest creation in the audit trail, when that was on the site or the API (an import
    or the admin site names no logger, so those stay empty)."""
    Meeting = apps.get_model("engagement", "Meeting")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    creations = (AuditEvent.objects.filter(object_type="engagement.meeting", action="create")
                 .order_by("object_key", "at", "id").values_list("object_key", "via", "actor_id"))
    latest = {key: (via, actor) for key, via, actor in creations}  # the latest creation of each meeting wins
    logger_of = {key: actor for key, (via, actor) in latest.items() if via in ("web", "api") and actor is not None}
    for meeting in Meeting.objects.filter(external_id__in=list(logger_of)).only("pk", "external_id"):
        Meeting.objects.filter(pk=meeting.pk).update(logged_by_id=logger_of[meeting.external_id])


class Migration(migrations.Migration):

    dependencies = [
        ('engagement', '0003_attendance_by_entity_and_meeting'),
        ('audit', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='meeting',
            name='logged_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.RunPython(logged_by_from_the_audit_trail, migrations.RunPython.noop),
    ]
