from django.db import transaction

from .models import Attendance, Meeting


def meeting_log_create(*, meeting: Meeting, attendance: list[tuple]) -> Meeting:
    """Save a meeting and who attended, in one transaction; the evidence-change signals queue the
    incremental recompute once it commits."""
    with transaction.atomic():
        meeting.full_clean()
        meeting.save()
        Attendance.objects.bulk_create([Attendance(meeting=meeting, entity=entity, role=role) for entity, role in attendance])
        # bulk_create sends no signals: report the attendance as one change
        from scoring.triggers import entities_at_meeting, queue_recompute

        queue_recompute(entities_at_meeting(meeting.pk))
    return meeting
