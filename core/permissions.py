"""Role checks for views: refuse with 403 (not a hidden link) when the role does not allow it."""
from functools import wraps

from django.core.exceptions import PermissionDenied


def role_required(check, message: str = "Your role does not allow this."):
    """Decorate a view so that only users for whom `check(user)` is true get through."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not check(request.user):
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class AnyRole:
    """DRF's default permission (settings REST_FRAMEWORK and SPECTACULAR_SETTINGS): the API, its schema
    and docs answer only accounts with a role. Kept free of DRF view imports: settings load it early.
    Endpoints that need more use core.api.role_permission."""

    message = "Your account has no role yet: ask an administrator to give you one."

    def has_permission(self, request, view) -> bool:
        from core.roles import can_view

        return can_view(request.user)

    def has_object_permission(self, request, view, obj) -> bool:
        return True
