from django.db import models
from django.db.models import Q

from core.models import TimeStampedModel
from core.validation import attendance_problems, external_id_problems, meeting_problems, raise_for_problems

from .types import AttendanceRole, MeetingType


class Meeting(TimeStampedModel):
    """A meeting where entities met: advisory boards, focus groups, forums, hearings, private meetings."""

    external_id = models.CharField(max_length=100, unique=True)
    date = models.DateField()
    type = models.CharField(max_length=32, choices=MeetingType.choices)
    title = models.CharField(max_length=300)
    location = models.CharField(max_length=300, blank=True)
    neighborhood = models.CharField(max_length=200, blank=True)
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["-date", "external_id"]
        indexes = [
            models.Index(fields=["date"]),
            models.Index(fields=["type", "date"]),
            models.Index(fields=["neighborhood"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(type__in=MeetingType.values), name="meeting_type_known"),
        ]

    def __str__(self):
        return f"{self.title} ({self.date})"

    def clean(self):
        raise_for_problems(external_id_problems(self.external_id) + meeting_problems(type=self.type, title=self.title))


class Attendance(models.Model):
    """One entity present at one meeting (a row of attendance.csv), keyed by (meeting, entity)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    entity = models.ForeignKey("entities.Entity", on_delete=models.PROTECT, related_name="attendance")
    role = models.CharField(max_length=16, choices=AttendanceRole.choices, default=AttendanceRole.ATTENDEE)

    class Meta:
        verbose_name_plural = "attendance"
        ordering = ["meeting", "entity"]
        indexes = [models.Index(fields=["entity"])]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "entity"], name="attendance_once_per_meeting"),
            models.CheckConstraint(condition=Q(role__in=AttendanceRole.values), name="attendance_role_known"),
        ]

    def __str__(self):
        return f"{self.entity} at {self.meeting}"

    def clean(self):
        raise_for_problems(attendance_problems(role=self.role))
