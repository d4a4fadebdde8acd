"""The register's pages: Django's Paginator, counting no further than the rows offered page by page.

Rows reachable page by page are capped (200 pages of 25): deeper OFFSETs and longer counts cost time on every
page, and nobody reads 200 pages; filters, the other sort direction or the export reach the rest. So the count
stops at one more than that ("more than 5,000"), and is read in the same query as the page's rows.
"""

import math

from django.core.paginator import EmptyPage, Page, Paginator
from django.db.models import IntegerField, Subquery
from django.utils.functional import cached_property

MAX_BROWSABLE_ROWS = 5_000


class CappedCount(Subquery):
    """``(SELECT COUNT(*) FROM (<ids of the list, LIMIT n>))``: a count that stops at ``n``."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS capped_count)"

    def __init__(self, queryset, limit):
        super().__init__(queryset.order_by().values("pk")[:limit], output_field=IntegerField())


class CappedPaginator(Paginator):
    """A Paginator over a ``.values()`` QuerySet whose count stops after MAX_BROWSABLE_ROWS, offering only
    those rows.

    ``counted`` is the same list before its columns were chosen: the count reads that, since a column of a
    related row (the board's name) would keep its join in the count, and the join needs each review's row
    where an index alone answers the filter (``status``)."""

    def __init__(self, object_list, per_page, *, counted=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.counted = object_list if counted is None else counted

    @property
    def max_rows(self):
        return MAX_BROWSABLE_ROWS

    @cached_property
    def count(self):
        """How many rows the list has, counted up to one more than the rows offered."""
        return self.counted.order_by()[: self.max_rows + 1].count()

    @property
    def more(self):
        """Whether the list has more rows than were counted."""
        return self.count > self.max_rows

    @cached_property
    def total_pages(self):
        return max(1, math.ceil(self.count / self.per_page))

    @cached_property
    def num_pages(self):
        """The pages offered: no deeper than the rows offered."""
        return min(self.total_pages, self.browsable_pages)

    @property
    def browsable_pages(self):
        return max(1, self.max_rows // self.per_page)

    @property
    def capped(self):
        """Whether the list is longer than the pages offered."""
        return self.total_pages > self.num_pages

    def page(self, number):
        """Page ``number``, its rows and the list's count read by one query; EmptyPage past the pages offered.

        ``number`` is a whole number from 1, checked by the register's form."""
        if number > self.browsable_pages:
            raise EmptyPage(self.refusal(number))
        bottom = (number - 1) * self.per_page
        counted = self.object_list.annotate(capped_total=CappedCount(self.counted, self.max_rows + 1))
        rows = list(counted[bottom : bottom + self.per_page])
        if rows:
            self.count = rows[0]["capped_total"]
        elif number == 1:
            self.count = 0
        if number > self.num_pages and not (number == 1 and self.allow_empty_first_page):
            raise EmptyPage(self.refusal(number))
        return Page(rows, number, self)

    def refusal(self, number):
        """Why page ``number`` cannot be shown, for the form's error."""
        if self.count <= self.max_rows and number > self.total_pages:
            unit = "page" if self.total_pages == 1 else "pages"
            return f"There is no page {number}: these results fill {self.total_pages} {unit}"
        return (
            f"Only the first {self.max_rows:,} reviews can be shown page by page. Narrow the list with "
            "the filters, sort it the other way, or download it"
        )
