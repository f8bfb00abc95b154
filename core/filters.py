"""Filters the apps' lists share (their pages and the API)."""
import re

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import EMPTY_VALUES
from rest_framework.fields import BooleanField

from core.search import holds
from core.validation import name_meant

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


class TextHoldsFilter(django_filters.CharFilter):
    """The rows whose text field holds what is typed, accents and case aside (`core.search.holds`):
    "dona ana" finds Doña Ana County, "penasco" the Peñasco neighbourhood."""

    def filter(self, qs, value):
        return qs if value in EMPTY_VALUES else qs.filter(holds(self.field_name, value))


def recorded_on_or_after(label: str, *, field: str = "created_at") -> django_filters.DateFilter:
    """The rows stored (or with `field="updated_at"`, stored or changed) on or after a day, whatever
    day they are about: what an import or a colleague added lately, to check it (a fact that began
    in 2011, a meeting held last spring)."""
    return django_filters.DateFilter(field_name=field, lookup_expr="date__gte", label=label, widget=DATE)


def listed(filterset):
    """The rows a list page shows: those its filters choose, or none while one of them cannot be
    read (no entity of that name, a date that is none, a parameter no filter reads), its message
    beside the filters, rather than every row as if it had been applied."""
    return filterset.qs if filterset.is_valid() else filterset.queryset.none()


# what a list page reads beside its filters: its paging and sorting (django-tables2's) and its download
PAGE_PARAMETERS = frozenset({"page", "per_page", "sort", "export"})


def _words(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def filter_meant(name: str, filters: dict, also_read=PAGE_PARAMETERS) -> str:
    """The filter most likely meant by a query parameter no filter reads: one spelt closely
    (`staus`: 'status'), or one whose label it starts or resembles (`attended_by`: "Attended by
    (id or name) ('entity')"); "" for none. `filters` are a filter set's filters or a form's fields."""
    meant = name_meant(name, set(filters) | set(also_read))
    if meant:
        return f"'{meant}'"
    written = _words(name)
    for parameter, each in sorted(filters.items()):
        label = _words(str(each.label or ""))
        if label and ((len(written) >= 4 and label.startswith(written)) or name_meant(written, {label})):
            return f'the filter "{each.label}" (\'{parameter}\')'
    return ""


UNREAD_FILTER = "This page has no filter '{name}' (in its address)"
# a page that lists nothing (the data sets page): no filters to have
UNREAD_BY_PAGE = "This page reads nothing from '{name}' (in its address)"


def unread_parameter_errors(data, filters: dict, also_read=PAGE_PARAMETERS, unread: str = UNREAD_FILTER) -> list[str]:
    """What a page says of each query parameter in `data` that none of `filters` (nor `also_read`)
    reads (`unread`, of its `name`), with the filter meant."""
    return [unread.format(name=name) + (f": did you mean {meant}?" if (meant := filter_meant(name, filters, also_read)) else ".")
            for name in sorted(set(data) - set(filters) - set(also_read))]


def unread_query_parameters(query, read, unread: str = UNREAD_FILTER) -> list[str]:
    """What a page without a form of filters (network, recusals, reports) says of each query
    parameter it does not read (`read`: the names it reads), with the one meant."""
    return unread_parameter_errors(query, {}, also_read=frozenset(read), unread=unread)


class UnreadParametersNamed:
    """A list page's filters (before its FilterSet class): a query parameter that none of them,
    nor the page's paging, sorting or download, reads is named beside the filters, as a filter it
    cannot read is, where the page listed as if it had not been asked (an old link's `?attended_by=`,
    a typed `?staus=open`); the API refuses it (core.api_filters)."""

    def withhold(self, name: str, why: str) -> None:
        """Drops filter `name` for this reader (the queue's `reviewing` for an account that reviews
        nothing); asked for all the same (a colleague's link), `why` is said beside the filters and
        nothing is listed, rather than every row as if the filter had been applied (a no is
        what the reader is shown anyway)."""
        del self.filters[name]
        self.withheld = {**getattr(self, "withheld", {}), name: why}

    def get_form_class(self):
        # every filter the page has, those dropped for this reader too, which say why instead
        return naming_unread(super().get_form_class(), also_read=PAGE_PARAMETERS, filters=type(self).base_filters,
                             withheld=getattr(self, "withheld", {}))


def naming_unread(form_class: type[forms.Form], also_read=frozenset({"export"}), filters: dict | None = None,
                  withheld: dict[str, str] | None = None) -> type[forms.Form]:
    """`form_class` as a page's form of filters (what changed, following, coverage; a list page's
    through `UnreadParametersNamed`): a query parameter none of its fields, or `filters` when
    given, nor `also_read` reads is an error beside them, and a filter `withheld` from this reader
    asked for anything but a no is one saying why. The API, which reads the same forms, refuses one
    itself."""

    class PageForm(form_class):
        def clean(self):
            cleaned = super().clean()
            for message in unread_parameter_errors(self.data, self.fields if filters is None else filters, also_read):
                self.add_error(None, message)
            for name, why in (withheld or {}).items():
                asked = self.data.get(name)
                if asked not in EMPTY_VALUES and YesOrNoField.WORDS.get(str(asked).strip().lower()) is not False:
                    self.add_error(None, why)
            return cleaned

    PageForm.__name__ = PageForm.__qualname__ = form_class.__name__
    return PageForm
