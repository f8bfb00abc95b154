"""What every list page's table shares."""
import django_tables2 as tables
from django.core.paginator import Paginator

# The most rows a page (or an API response) shows at once. `?per_page=` may ask for another page
# size than the page's own, from 1 up to this: a negative one crashed the list pages, and a huge one
# rendered every row (hundreds of thousands of pairs).
MAX_PER_PAGE = 500


class PagedTable(tables.Table):
    """A table whose page size a request may set only within 1..MAX_PER_PAGE."""

    def paginate(self, paginator_class=Paginator, per_page=None, page=1, *args, **kwargs):
        if per_page is not None:
            per_page = min(max(per_page, 1), MAX_PER_PAGE)
        return super().paginate(paginator_class, per_page, page, *args, **kwargs)
