"""Filters the apps' lists share (their pages and the API)."""
import django_filters
from django import forms
from django.core.exceptions import ValidationError
from rest_framework.fields import BooleanField

DATE = forms.DateInput(attrs={"type": "date"})
# a yes-or-no filter a reader may leave alone
EITHER_YES_NO = forms.Select(choices=[("", "Either"), ("true", "Yes"), ("false", "No")])


class YesOrNoField(forms.NullBooleanField):
    """A yes or a no as the API's own boolean fields read one (true or false, 1 or 0, yes or no, on
    or off, any case), a ticked box, or nothing asked; anything else is refused naming it. Django's
    own reads `?has_source=maybe` as not asked, so a list answered with every row as if the reader
    had not asked, as it did a mistyped parameter's name."""

    WORDS = {str(word).lower(): value for words, value in ((BooleanField.TRUE_VALUES, True), (BooleanField.FALSE_VALUES, False))
             for word in words if not isinstance(word, bool)}

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, bool):  # a box to tick
            return value
        word = str(value).strip().lower()
        if word not in self.WORDS:
            raise ValidationError("'%(value)s' is neither yes nor no: true or false (or 1/0, yes/no, on/off).", code="invalid",
                                  params={"value": value})
        return self.WORDS[word]

    def validate(self, value):
        pass  # nothing asked is allowed; to_python refused what it could not read


class YesOrNoFilter(django_filters.BooleanFilter):
    """The lists' yes-or-no filter (pages and API alike), refusing what is neither (`YesOrNoField`).
    Its widget hands the field the text as sent, where django-filter's select reads a word it does
    not know as nothing asked; a page gives it `EITHER_YES_NO` or a box to tick."""

    field_class = YesOrNoField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(*args, **kwargs)


def recorded_on_or_after(label: str, *, field: str = "created_at") -> django_filters.DateFilter:
    """The rows stored (or with `field="updated_at"`, stored or changed) on or after a day, whatever
    day they are about: what an import or a colleague added lately, to check it (a fact that began
    in 2011, a meeting held last spring)."""
    return django_filters.DateFilter(field_name=field, lookup_expr="date__gte", label=label, widget=DATE)
