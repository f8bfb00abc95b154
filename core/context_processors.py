from . import roles as role_rules


def roles(request):
    user = getattr(request, "user", None)
    return {
        "can_log_meetings": role_rules.can_log_meetings(user),
        "can_manage_data_sets": role_rules.can_manage_data_sets(user),
        "can_review_flags": role_rules.can_review_flags(user),
        "can_edit_data": role_rules.can_edit_data(user),
    }
