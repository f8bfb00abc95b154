from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core: roles, shared helpers"

    def ready(self):
        from .groups import sync_role_groups

        # Not tied to one sender: permissions of later apps exist only after their own post_migrate.
        post_migrate.connect(sync_role_groups, dispatch_uid="core.sync_role_groups")
