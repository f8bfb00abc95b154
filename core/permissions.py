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
