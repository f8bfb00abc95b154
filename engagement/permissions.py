"""Who may correct a logged meeting or close a survey: the pages and the API ask here."""
from core.roles import can_log_meetings, can_review_flags


def _own_or_reviewer(user, owner_id: int | None) -> bool:
    """Analysts and administrators act on any record; a board member on those they made (a record
    from an import, or someone else's, is not theirs to rewrite)."""
    if can_review_flags(user):
        return True
    return can_log_meetings(user) and owner_id is not None and owner_id == user.pk


def can_correct_meeting(user, meeting) -> bool:
    return _own_or_reviewer(user, meeting.logged_by_id)


def can_close_survey(user, survey) -> bool:
    return _own_or_reviewer(user, survey.created_by_id)


CORRECTION_REFUSED = "Board members correct the meetings they logged; ask an analyst to correct this one."
DELETION_REFUSED = "Board members delete the meetings they logged; ask an analyst to delete this one."
CLOSE_REFUSED = "Board members close the surveys they created; ask an analyst to close this one."
