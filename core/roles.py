"""Roles are Django groups; each role can do what the one before it can, and more.

city_staff reads dashboards; board_member also logs meetings; analyst also imports, exports, records
and corrects entities and relationships one at a time, and reviews flags; administrator also edits every record
and the scoring settings. A superuser can do anything.
"""
from django.contrib.auth.models import AnonymousUser

CITY_STAFF = "city_staff"
BOARD_MEMBER = "board_member"
ANALYST = "analyst"
ADMINISTRATOR = "administrator"
ROLES = (CITY_STAFF, BOARD_MEMBER, ANALYST, ADMINISTRATOR)


def role_rank(user) -> int:
    """0 for no role; 1..4 for the roles above, in order."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return 0
    if user.is_superuser:
        return len(ROLES)
    names = getattr(user, "_role_names", None)
    if names is None:
        names = set(user.groups.values_list("name", flat=True))
        user._role_names = names
    ranks = [ROLES.index(n) + 1 for n in names if n in ROLES]
    return max(ranks, default=0)


def has_role(user, role: str) -> bool:
    return role_rank(user) >= ROLES.index(role) + 1


def can_view(user) -> bool:
    return has_role(user, CITY_STAFF)


def can_log_meetings(user) -> bool:
    return has_role(user, BOARD_MEMBER)


def can_manage_data_sets(user) -> bool:
    return has_role(user, ANALYST)


def can_record_facts(user) -> bool:
    """Record an entity or a relationship, or correct one, on its page: what an analyst's import of
    an entities.csv or relationships.csv row does already, one record at a time (deleting one stays
    with administrators)."""
    return has_role(user, ANALYST)


def can_review_flags(user) -> bool:
    return has_role(user, ANALYST)


def can_edit_data(user) -> bool:
    return has_role(user, ADMINISTRATOR)


# Django model permissions each role's group receives (so the admin site follows the same ladder).
MODEL_PERMISSIONS = {
    CITY_STAFF: ["view"],
    BOARD_MEMBER: ["view"],
    ANALYST: ["view"],
    ADMINISTRATOR: ["view", "add", "change", "delete"],
}
DOMAIN_APPS = ("entities", "relationships", "engagement", "scoring", "conflicts")
