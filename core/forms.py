"""Forms of the pages that span apps (the Following page), and how a correction form is saved and
a record deleted from its page."""
from django import forms
from django.contrib import messages


class WeeklySummaryForm(forms.Form):
    """Turning the weekly email on, with the address it goes to (kept on the account)."""

    email = forms.EmailField(label="Email address", max_length=254)


def correction_saved(request, form: forms.ModelForm, saved: str) -> None:
    """Save a valid correction form, saying `saved`; one that changed nothing writes nothing (no
    change in the audit trail, no recompute) and says so."""
    if form.has_changed():
        form.save()
        messages.success(request, saved)
    else:
        messages.info(request, "Nothing changed.")


def deleted_once_confirmed(request, record, *, noun: str, refused: str = "") -> bool:
    """Delete `record` if the page's box was ticked ("confirm": "yes") and nothing refuses it
    (`refused`: why not, or ""); otherwise say why not and keep it. Whether it went."""
    if request.POST.get("confirm") != "yes":
        messages.error(request, f"Not deleted: tick the box to confirm that this {noun} should go.")
        return False
    if refused:
        messages.error(request, f"Not deleted: {refused}.")
        return False
    record.delete()  # in the audit trail (its signal), the scores following where it was evidence
    return True
