"""Keeps the role groups and their model permissions in place (run after every migrate)."""
from django.apps import apps
from django.contrib.auth.models import Group, Permission

from .roles import DOMAIN_APPS, MODEL_PERMISSIONS, ROLES


def _last_app_migrated():
    """The app whose post_migrate signal is sent last (Django sends one per app with models)."""
    return [config for config in apps.get_app_configs() if config.models_module is not None][-1]


def sync_role_groups(app_config=None, **kwargs) -> None:
    # post_migrate is sent once per app, and every app's permissions exist only after its own:
    # the groups are set once, after the last app's. Set after each, they cost a third of a
    # second per test that empties the database (the tests that commit), 20 queries per app.
    if app_config is not None and app_config is not _last_app_migrated():
        return
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        actions = MODEL_PERMISSIONS[role]
        perms = Permission.objects.filter(
            content_type__app_label__in=DOMAIN_APPS,
            codename__regex=r"^(" + "|".join(actions) + r")_",
        )
        group.permissions.set(perms)
