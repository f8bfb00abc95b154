"""Who may correct a logged meeting: the meeting pages and the API ask the same question here."""
from core.roles import can_log_meetings, can_review_flags


def can_correct_meeting(user, meeting) -> bool:
    """Analysts and administrators correct any meeting; a board member the ones they logged
    (a meeting from an import, or logged by someone else, is not theirs to rewrite)."""
    if can_review_flags(user):
        return True
    return can_log_meetings(user) and meeting.logged_by_id is not None and meeting.logged_by_id == user.pk


CORRECTION_REFUSED = "Board members correct the meetings they logged; ask an analyst to correct this one."
