"""Who may correct a logged meeting or close a survey: the pages and the API ask here."""
from core.roles import can_log_meetings, can_review_flags


def can_correct_meeting(user, meeting) -> bool:
    """Analysts and administrators correct any meeting; a board member the ones they logged
    (a meeting from an import, or logged by someone else, is not theirs to rewrite)."""
    if can_review_flags(user):
        return True
    return can_log_meetings(user) and meeting.logged_by_id is not None and meeting.logged_by_id == user.pk


CORRECTION_REFUSED = "Board members correct the meetings they logged; ask an analyst to correct this one."


def can_close_survey(user, survey) -> bool:
    """Analysts and administrators close any survey; a board member the ones they created."""
    if can_review_flags(user):
        return True
    return can_log_meetings(user) and survey.created_by_id is not None and survey.created_by_id == user.pk


CLOSE_REFUSED = "Board members close the surveys they created; ask an analyst to close this one."
