"""What the register's filters offer: sort keys, page sizes, reporting years, statuses, boards and regions.

Choices are built for each FilterSet (``ReviewFilter.__init__``), never shared between requests: the statuses
offered depend on the user. Only the boards and regions, reference data that changes a few times a decade, are
kept, in Django's cache, so listing 170 boards costs no query on each page.
"""

import datetime
import hashlib
from dataclasses import dataclass
from functools import cached_property

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from reviews.models import Board, LocalAuthority, Region, Review
from reviews.years import reporting_year

# Sort keys (SPEC section 6), each also descending with a leading "-".
SORT_LABELS = {
    "reference": "Reference",
    "board": "Lead board",
    "completed": "Completed",
    "evaluated": "Evaluated",
    "judgement": "Latest judgement",
}
DEFAULT_SORT = "reference"
SORT_CHOICES = [*SORT_LABELS.items()] + [(f"-{key}", f"{label} (descending)") for key, label in SORT_LABELS.items()]
PAGE_SIZES = (25, 50, 100)
DEFAULT_PAGE_SIZE = 25
YES_NO = [("yes", "Yes"), ("no", "No")]
FIRST_REPORTING_YEAR = 2007  # Ofsted began evaluating serious case reviews in April 2007
# Query parameters that choose a page, not rows: exports and saved views leave them out.
PAGING_PARAMS = ("page",)

OPTIONS_CACHE_KEY = "reviews.register.options"
OPTIONS_SECONDS = 5 * 60  # other processes see a renamed board within this (this one at once: see below)


@dataclass(frozen=True)
class BoardOption:
    id: int
    gss_code: str
    name: str
    region_code: str


@dataclass(frozen=True)
class RegisterOptions:
    """Every board (by name) and region (by code), as plain values.

    The boards are kept in Django's cache as plain tuples, and made BoardOptions only when a page reads them:
    every register page unpickles this, and most read no board (the panel's markup is cached)."""

    board_rows: tuple  # of (id, gss_code, name, region code), by name
    regions: tuple  # of (code, name)
    version: str = ""  # names this content: the filter panel's cached markup is kept per version

    @cached_property
    def boards(self):
        return tuple(BoardOption(*row) for row in self.board_rows)

    @cached_property
    def by_code(self):
        return {board.gss_code: board for board in self.boards}

    @cached_property
    def by_name(self):
        """Board names (case-folded) that name exactly one board, for the type-ahead's plain text."""
        names = {}
        for board in self.boards:
            names.setdefault(board.name.casefold(), []).append(board)
        return {name: boards[0] for name, boards in names.items() if len(boards) == 1}


def _load_options():
    board_rows = tuple(Board.objects.order_by("name", "gss_code").values_list("id", "gss_code", "name", "region__code"))
    regions = tuple(Region.objects.order_by("code").values_list("code", "name"))
    # A digest of the content, not a counter: every process that reads the same boards names them alike.
    version = hashlib.md5(repr((board_rows, regions)).encode(), usedforsecurity=False).hexdigest()
    return RegisterOptions(board_rows=board_rows, regions=regions, version=version)


def register_options():
    """Boards and regions for the filters: two queries when the cache has none."""
    return cache.get_or_set(OPTIONS_CACHE_KEY, _load_options, OPTIONS_SECONDS)


@receiver(post_save, sender=Board, dispatch_uid="register_options_board_saved")
@receiver(post_delete, sender=Board, dispatch_uid="register_options_board_deleted")
@receiver(post_save, sender=Region, dispatch_uid="register_options_region_saved")
@receiver(post_delete, sender=Region, dispatch_uid="register_options_region_deleted")
@receiver(post_save, sender=LocalAuthority, dispatch_uid="register_options_authority_saved")
def forget_register_options(**kwargs):
    """Drop the cached boards and regions when reference data changes."""
    cache.delete(OPTIONS_CACHE_KEY)


def reporting_year_choices(today=None):
    """Reporting years from 2007-08 to the current one, newest first."""
    latest = int(reporting_year(today or datetime.date.today())[:4])
    labels = [reporting_year(datetime.date(start, 4, 1)) for start in range(latest, FIRST_REPORTING_YEAR - 1, -1)]
    return [(label, label) for label in labels]


def status_choices(user):
    """The statuses offered to ``user``: inspectors and managers never see drafts, so are not offered them."""
    if user is not None and not user.is_superuser and user.has_perm("reviews.view_all_reviews"):
        return [choice for choice in Review.Status.choices if choice[0] != Review.Status.DRAFT]
    return list(Review.Status.choices)
