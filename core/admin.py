"""What the apps' admin classes share, and the accounts' admin."""
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User


class RecordAdmin(admin.ModelAdmin):
    """A record the app writes and nobody edits (the audit trail, the settings' changes, the
    imports): listed and shown, never added, changed or deleted in the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AccountAdmin(UserAdmin):
    """Django's user admin, with a new account's email address and role asked for as it is made:
    a person is given a role (one of the four groups) to see anything, and an address to reset a
    forgotten password ("Forgot your password?")."""

    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "usable_password", "password1", "password2")}),
        ("Who they are", {"classes": ("wide",), "fields": ("first_name", "last_name", "email", "groups"),
                          "description": "Give each person one group: city_staff, board_member, analyst or administrator."}),
    )


admin.site.unregister(User)
admin.site.register(User, AccountAdmin)
