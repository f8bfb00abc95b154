"""What every list page's table shares."""
import django_tables2 as tables
from django.core.paginator import Paginator
from django.db.models import F, QuerySet
from django_tables2 import RequestConfig

from .paging import ordered_to_the_row
from .validation import name_meant

# The most rows a page (or an API response) shows at once. `?per_page=` may ask for another page
# size than the page's own, from 1 up to this: a negative one crashed the list pages, and a huge one
# rendered every row (hundreds of thousands of pairs).
MAX_PER_PAGE = 500


class PagedTable(tables.Table):
    """A table whose page size a request may set only within 1..MAX_PER_PAGE, and whose rows keep
    one order from page to page whatever column sorts them."""

    def paginate(self, paginator_class=Paginator, per_page=None, page=1, *args, **kwargs):
        if per_page is not None:
            per_page = min(max(per_page, 1), MAX_PER_PAGE)
        if isinstance(self.data.data, QuerySet):
            self.data.data = ordered_to_the_row(self.data.data)
        return super().paginate(paginator_class, per_page, page, *args, **kwargs)


def ordered_empty_last(queryset, field: str, is_descending: bool, *then: str):
    """`queryset` sorted by `field` either way with rows that have no value last both ways (as a
    django-tables2 `order_FOO` result): PostgreSQL puts NULLs first when descending and SQLite
    first when ascending, so a column sorted "closest first" opened on a page of dashes."""
    value = F(field)
    return queryset.order_by(value.desc(nulls_last=True) if is_descending else value.asc(nulls_last=True), *then), True


def configure_list(request, table: PagedTable, filterset, *, per_page: int) -> None:
    """A list page's table sorted and paged as the request asks (django-tables2's `RequestConfig`),
    with a `?sort=` it cannot sort by named beside the filters, and the column meant by its name or
    its header ("scor": Score, 'score_tenths'): django-tables2 drops it and lists in the page's own
    order, which a reader could not tell from the one asked."""
    RequestConfig(request, paginate={"per_page": per_page}).configure(table)
    sortable = {column.name: str(column.header) for column in table.columns if column.orderable}
    by_header = {header.lower(): name for name, header in sortable.items()}
    for term in request.GET.getlist(table.order_by_field):  # as django-tables2 reads it: each whole
        asked = term.strip().removeprefix("-")
        if asked and asked not in sortable:
            meant = name_meant(asked, sortable) or by_header.get(name_meant(asked, by_header), "")
            filterset.form.add_error(None, f"This list cannot be sorted by '{term}'; it is in its own order"
                                           + (f": did you mean {sortable[meant]} ('{meant}')?" if meant else "."))
