from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core: roles, shared helpers"

    def ready(self):
        from .groups import sync_role_groups
        from .search import register_fold
        from .unsaved import forget_another_accounts_form, forget_at_sign_out

        # Not tied to one sender: it acts on the last app's signal, once every app's permissions exist.
        post_migrate.connect(sync_role_groups, dispatch_uid="core.sync_role_groups")
        user_logged_in.connect(forget_another_accounts_form, dispatch_uid="core.forget_another_accounts_form")
        user_logged_out.connect(forget_at_sign_out, dispatch_uid="core.forget_at_sign_out")
        connection_created.connect(register_fold, dispatch_uid="core.register_fold")
