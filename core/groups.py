"""Keeps the role groups and their model permissions in place (run after every migrate)."""
from django.contrib.auth.models import Group, Permission

from .roles import DOMAIN_APPS, MODEL_PERMISSIONS, ROLES


def sync_role_groups(**kwargs) -> None:
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        actions = MODEL_PERMISSIONS[role]
        perms = Permission.objects.filter(
            content_type__app_label__in=DOMAIN_APPS,
            codename__regex=r"^(" + "|".join(actions) + r")_",
        )
        group.permissions.set(perms)
