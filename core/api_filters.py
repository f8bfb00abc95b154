"""The API lists' query parameters: one a list does not read is refused, and so is an ordering
it cannot take. Apart from core.api, which imports DRF's generic views: those read
DEFAULT_FILTER_BACKENDS, which names the backends here, as they are defined."""
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import filters
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings

from core.validation import unknown_name_message


def refuse_unknown_query_parameters(request, view, filtered_by: set[str]) -> None:
    """A 400 naming each query parameter the list does not read (`filtered_by`, its paging and
    ordering, `format`), with the one meant when it is near one: a typo (`?staus=open`) listed
    every row as if nothing had been asked, which a script could not tell from an answer, as an
    import refuses a column it does not know."""
    taken = set(filtered_by) | {api_settings.URL_FORMAT_OVERRIDE}
    paginator = getattr(view, "paginator", None)
    if paginator is not None:
        taken |= {value for attribute in ("page_query_param", "page_size_query_param", "page_size_alias") if (value := getattr(paginator, attribute, None))}
    if any(issubclass(backend, filters.OrderingFilter) for backend in getattr(view, "filter_backends", ())):
        taken.add(api_settings.ORDERING_PARAM)
    unknown = sorted(set(request.query_params) - taken)
    if unknown:
        raise ValidationError({name: [unknown_name_message(name, taken, what="query parameter", known_words="this list takes")]
                               for name in unknown})


class KnownQueryParametersFilterBackend(DjangoFilterBackend):
    """django-filter's backend, refusing a list's query parameters that none of its filters reads
    (`refuse_unknown_query_parameters`); a record read by its id is not a list, and is left alone."""

    def filter_queryset(self, request, queryset, view):
        if not getattr(view, "detail", False):
            filterset_class = self.get_filterset_class(view, queryset)
            refuse_unknown_query_parameters(request, view, set(filterset_class.base_filters) if filterset_class else set())
        return super().filter_queryset(request, queryset, view)


class KnownOrderingFilter(filters.OrderingFilter):
    """DRF's `?ordering=`, refusing a field the list cannot be ordered by (a 400 naming it, the
    fields it takes and the one meant), which DRF passed over for the default order: a script
    asking `?ordering=-amont` could not tell the rows were not in the order it asked."""

    def remove_invalid_fields(self, queryset, fields, view, request):
        valid = [item[0] for item in self.get_valid_fields(queryset, view, {"request": request})]
        unknown = [term for term in fields if term and term.removeprefix("-") not in valid]
        if unknown:
            raise ValidationError({self.ordering_param: [
                unknown_name_message(term.removeprefix("-"), valid, what="ordering field", known_words="this list is ordered by")
                for term in unknown]})
        return super().remove_invalid_fields(queryset, fields, view, request)
