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


# The meetings through which agencies engage the community (counted on the coverage page).
ENGAGEMENT_TYPES = (
    MeetingType.ADVISORY_BOARD,
    MeetingType.FOCUS_GROUP,
    MeetingType.COMMUNITY_POLICING,
    MeetingType.COMMUNITY_FORUM,
)
PRIVATE_TYPES = frozenset({MeetingType.PRIVATE_MEETING.value})


def is_public_meeting_type(meeting_type: str) -> bool:
    return meeting_type not in PRIVATE_TYPES
