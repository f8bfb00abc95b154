"""Meeting types and attendance roles of the interchange contract."""
from django.db import models


class MeetingType(models.TextChoices):
    ADVISORY_BOARD = "advisory_board", "Advisory board"
    FOCUS_GROUP = "focus_group", "Focus group"
    COMMUNITY_FORUM = "community_forum", "Community forum"
    COMMUNITY_POLICING = "community_policing", "Community policing"
    COUNCIL_HEARING = "council_hearing", "Council hearing"
    PRIVATE_MEETING = "private_meeting", "Private meeting"


class AttendanceRole(models.TextChoices):
    ORGANIZER = "organizer", "Organizer"
    PRESENTER = "presenter", "Presenter"
    ATTENDEE = "attendee", "Attendee"
