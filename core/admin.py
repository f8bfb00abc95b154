"""What the apps' admin classes share, and the accounts' admin."""
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.db import IntegrityError
from django.db.models import ProtectedError, Q
from django.http import HttpResponseRedirect

from .forms import UnchangedSinceShownMixin, written_as_checked
from .integrity import ChangedMeanwhile, referred_to_by, refusal_of
from .search import holds


class FoldedSearchAdmin(admin.ModelAdmin):
    """Django's search, and the rows whose `folded_search_fields` hold the term with accents and
    case aside, as the pages find them ("ramirez": José Ramírez; an entity's is what the
    autocomplete of every entity field reads)."""

    folded_search_fields: tuple[str, ...] = ()

    def get_search_results(self, request, queryset, search_term):
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term and self.folded_search_fields:
            matching = Q()
            for field in self.folded_search_fields:
                matching |= holds(field, term)
            found = found | queryset.filter(matching)
        return found, may_have_duplicates


class RecordAdmin(admin.ModelAdmin):
    """A record the app writes and nobody edits (the audit trail, the settings' changes, the
    imports): listed and shown, never added, changed or deleted in the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AdminCorrectionForm(UnchangedSinceShownMixin, forms.ModelForm):
    """The admin's form of a record: a change that would undo one someone saved after the form was
    shown is refused, as the site's correction forms refuse it."""


class RefusedMeanwhileAdmin(FoldedSearchAdmin):
    """An editable record whose save or deletion meets a change someone made meanwhile (an entity
    it names deleted or merged into another, a row referring to it stored): the admin's transaction
    failed at its commit with a server error. Refused here with a message naming the field, nothing
    written, as the pages' forms refuse it (`core.integrity`). Its form carries the record as shown
    (`AdminCorrectionForm`): the last to save no longer undoes another's change unseen, nor saves
    again a record deleted meanwhile."""

    form = AdminCorrectionForm
    change_form_template = "admin/change_form_as_shown.html"

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (IntegrityError, ChangedMeanwhile) as exc:
            # the admin's transaction went back: the page again, with what was typed and why not
            # (`get_form`), as the site's forms refuse it; a redirect lost what was typed
            request.refused_meanwhile = exc.refusal if isinstance(exc, ChangedMeanwhile) else refusal_of(exc)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        refusal = getattr(request, "refused_meanwhile", None)
        if refusal is None:
            return form

        class RefusedMeanwhile(form):
            def clean(self):
                cleaned = super().clean()  # refused "as shown" instead, naming their change, once it is saved
                for field, message in refusal.errors(self._meta.model, self.fields).items():
                    self.add_error(field, message)
                return cleaned

        return RefusedMeanwhile

    def save_model(self, request, obj, form, change):
        # the row locked to the commit, and compared with what the form's check read
        written_as_checked(form, lambda: super(RefusedMeanwhileAdmin, self).save_model(request, obj, form, change))

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ProtectedError as exc:
            self.message_user(request, f"Not deleted: {referred_to_by(exc)} recorded meanwhile by someone else refer to it.", messages.ERROR)
        except IntegrityError as exc:
            self.message_user(request, f"Not deleted: {refusal_of(exc).why_not_deleted()}.", messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())


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
