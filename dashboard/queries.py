"""The dashboard's aggregates over reviews, read through the ``reporting`` database alias (SPEC section 7).

Two queries answer the whole dashboard:

* ``judgement_counts`` reads the evaluations counted per lead board and reporting year, with one count per
  judgement and, per finding category, the evaluations of reviews with at least one finding of it (the
  themes across the years): rows the database keeps up to date as reviews, evaluations and findings change
  (``reviews.reporting.BoardYear``). Regional and national rows are sums of those board rows, so the rows
  always add up.
* ``year_details`` describes the reviews of the evaluations completed in one reporting year, for a few
  areas at once (England, a region, a board): one row of figures per area (the national summary, the
  children, the findings, the timeliness).

Definitions (written out on the page, in "How these figures are calculated"): a reporting year counts the
evaluations *completed* in it, re-evaluations included, so a review evaluated twice in a year counts twice;
children, deaths, findings and the rest describe the reviews of those evaluations, counted once per
evaluation; a review belongs to its lead board and that board's region; drafts never count.

Results are kept in Django's cache under a data version (``data_version``) that changes with every committed
write to the tables they read, so a repeated question costs one small query and never gives stale numbers.
The cache is an optimisation: the maintained rows keep a cold page fast.
"""

import datetime
import hashlib
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache

from reviews import reporting
from reviews.models import Agency, Child, Finding, Judgement
from reviews.reporting import BoardYear
from reviews.years import year_bounds

DATABASE = "reporting"
ENGLAND = "E92000001"
JUDGEMENTS = tuple(Judgement.values)  # outstanding, good, adequate, inadequate: the scale's order
FIRST_YEAR = 2007  # Ofsted began evaluating serious case reviews on 1 April 2007
CATEGORIES = tuple(Finding.Category.values)
AGENCIES = (*Agency.values, "")  # "" is a finding about no one agency
AGE_BANDS = tuple(Child.AgeBand.values)
OUTCOMES = tuple(Child.Outcome.values)


def year_label(start_year: int) -> str:
    """``2008`` -> ``"2008-09"``."""
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def start_year_of(label: str) -> int:
    """``"2008-09"`` -> ``2008``; ValueError when the label is malformed."""
    return year_bounds(label)[0].year


def percentage(part, whole):
    """``part`` as a percentage of ``whole``, one decimal place rounded half up; None when ``whole`` is empty.

    Exact integer arithmetic: tenths of a per cent = floor(1000 * part / whole + 1/2), so 1/8 is 12.5 and
    2/3 is 66.7, with no binary floating point and no banker's rounding on the way.
    """
    if not whole:
        return None
    return Decimal((2000 * part + whole) // (2 * whole)).scaleb(-1)


def whole_days(value):
    """A median number of days (PostgreSQL gives x.5 for an even count) rounded half up; None stays None."""
    if value is None:
        return None
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


# --- The data version and the cache ---------------------------------------------------------------------------

# Results stay in the cache for a day at most; a write changes the version and so every key before then.
CACHE_SECONDS = 24 * 60 * 60


def data_version():
    """The reporting database's data version (``reviews.reporting.DataVersion``): one primary-key lookup.
    Every committed write to the reviews, evaluations, children, findings, contributions, boards or regions
    changes it."""
    return reporting.data_version(DATABASE)


def cached(key, version, compute):
    """The answer to the question ``key`` (a tuple of plain values) at data ``version``: from Django's cache
    (keyed by both, so a write makes every older answer unreachable), else ``compute()``, kept.

    Without a version (a caller that wants fresh figures) the answer is computed and not kept."""
    if version is None:
        return compute()
    name = "dashboard:" + hashlib.sha256(repr(key).encode()).hexdigest()
    value = cache.get(name, version=version)
    if value is None:
        value = compute()
        cache.set(name, value, CACHE_SECONDS, version=version)
    return value


def kept(key, compute):
    """An answer that shows no review data, only what ``key`` names (such as the filter form for a reader's boards):
    from Django's cache, whatever the data version, else ``compute()``, kept for a day."""
    return cached(("kept", *key), 0, compute)


# --- Judgement and theme counts per board and year -----------------------------------------------------------


def _rolled_up(board_rows):
    """The board rows of ``BoardYear.objects.judgement_counts``, then a row per region and year (board_id None)
    and one per year for England (both None): sums of the board rows, so the rows always add up."""
    sums = {}
    for row in board_rows:
        for key in ((None, row["region_id"], row["start_year"]), (None, None, row["start_year"])):
            total = sums.get(key)
            if total is None:
                sums[key] = dict(row, board_id=key[0], region_id=key[1])
            else:
                for name in _COUNTED:
                    total[name] += row[name]
    return [*board_rows, *sorted(sums.values(), key=_by_year_and_region)]


def _by_year_and_region(row):
    return row["start_year"], row["region_id"] or 0


_COUNTED = ("reviews", *JUDGEMENTS, *CATEGORIES)


def judgement_counts(*, year=None, version=None):
    """Evaluations completed per reporting year, with a count per judgement and per finding category (the
    evaluations of reviews with at least one finding of it): per lead board, per region and for England.

    Plain rows ``{"board_id", "region_id", "start_year", "reviews", "outstanding", "good", "adequate",
    "inadequate", "weak_management", ...}`` (a region's row has board_id None; England's both None), read
    from the rows the database keeps (``BoardYear``): one query, or none when ``version`` is given and the
    answer is cached. Every year when ``year`` (a label such as ``2008-09``) is None.
    """
    start_year = None if year is None else start_year_of(year)

    def compute():
        return _rolled_up(BoardYear.objects.using(DATABASE).judgement_counts(start_year=start_year))

    return cached(("counts", start_year), version, compute)


def _with_england(rows):
    """``BoardYear.objects.with_region_sums`` rows (board rows, then each region's sums), and England's row per year
    summed from the regions' (both ids None), in the order ``_rolled_up`` gives."""
    boards = [row for row in rows if row["board_id"] is not None]
    regions = sorted((row for row in rows if row["board_id"] is None), key=_by_year_and_region)
    england = {}
    for row in regions:
        total = england.get(row["start_year"])
        if total is None:
            england[row["start_year"]] = dict(row, region_id=None)
        else:
            for name in _COUNTED:
                total[name] += row[name]
    return [*boards, *sorted([*regions, *england.values()], key=_by_year_and_region)]


def area_counts(boards, *, key, version=None):
    """``judgement_counts`` rows for a page that shows some boards' rows: the board rows the Q ``boards`` (over
    ``BoardYear``) selects, and every region's and England's row of every year (sums of every board's rows, so they
    are the same as in ``judgement_counts``): one query, or none when cached. ``key`` names the selection for the
    cache."""

    def compute():
        return _with_england(BoardYear.objects.using(DATABASE).with_region_sums(boards))

    return cached(("area-counts", key), version, compute)


def theme_counts(*, version=None):
    """Every year's ``judgement_counts``: the theme counts per board, region and England are in the same rows."""
    return judgement_counts(version=version)


def rate_row(key, name, start_year, counts):
    """One row of SPEC section 7's judgement rates; ``counts`` is [reviews, outstanding, good, adequate, inadequate]."""
    reviews = counts[0]
    return {
        "key": key,
        "name": name,
        "year": year_label(start_year),
        "reviews": reviews,
        "outstanding": counts[1],
        "good": counts[2],
        "adequate": counts[3],
        "inadequate": counts[4],
        "outstanding_pct": percentage(counts[1], reviews),
        "good_pct": percentage(counts[2], reviews),
        "adequate_pct": percentage(counts[3], reviews),
        "inadequate_pct": percentage(counts[4], reviews),
    }


LEVELS = ("national", "region", "board")


def judgement_rates(counts, boards, *, levels=LEVELS, keep=None):
    """Rows of judgement rates per area and year (SPEC section 7) from ``judgement_counts`` rows.

    ``boards`` maps a board's id to its ``Board`` (with ``region`` loaded): every board the counts name.
    ``keep(level, key, start_year)``, when given, says which rows to return. Returns ``{level: [row, ...]}``
    for each of ``levels`` ("national", "region", "board"), each level's rows ordered by key then year.
    """
    regions = {board.region_id: board.region for board in boards.values()}
    result = {level: [] for level in levels}
    for row in counts:
        if row["board_id"] is not None:
            board = boards[row["board_id"]]
            level, key, name = "board", board.gss_code, board.name
        elif row["region_id"] is not None:
            region = regions[row["region_id"]]
            level, key, name = "region", region.code, region.name
        else:
            level, key, name = "national", ENGLAND, "England"
        if level in result and (keep is None or keep(level, key, row["start_year"])):
            numbers = (row["reviews"], row["outstanding"], row["good"], row["adequate"], row["inadequate"])
            result[level].append(rate_row(key, name, row["start_year"], numbers))
    for rows in result.values():
        rows.sort(key=_by_key_and_year)
    return result


def _by_key_and_year(row):
    return row["key"], row["year"]


# --- One reporting year, described for a few areas at once ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scope:
    """An area to describe: England (neither given), a region, a board, or a board within a region."""

    region_id: int | None = None
    board_id: int | None = None


def year_details(year, scopes, *, fingerprint=None, version=None):
    """Everything the dashboard says about one reporting year, one dict of figures per area in ``scopes``
    (``reviews.reporting.year_figures``): one query, or none when cached.

    ``fingerprint`` identifies the boards' regions the answer depends on (for the cache: a board moved to
    another region changes it).
    """

    def compute():
        areas = [(s.region_id, s.board_id) for s in scopes]
        return reporting.year_figures(start_year_of(year), areas, using=DATABASE)

    return cached(("details", year, tuple(scopes), fingerprint), version, compute)


def page_figures(year, scopes, *, fingerprint=None, version=None, boards=None):
    """What the dashboard page shows: ``(counts, themes, details)``, the ``judgement_counts()`` and
    ``theme_counts()`` of every year (the same rows) and the ``year_details`` of ``year``. With ``boards``
    (``(Q, key)``: see ``area_counts``) only those board rows, with every region's and England's."""
    if boards is None:
        counts = judgement_counts(version=version)
    else:
        counts = area_counts(boards[0], key=boards[1], version=version)
    return counts, counts, year_details(year, scopes, fingerprint=fingerprint, version=version)


def summary(year, details):
    """SPEC section 7's summary of one area and year from its ``year_details`` (keys exactly as the SPEC)."""
    reviews = details["reviews"]
    known_answered = details["known__yes"] + details["known__no"]
    return {
        "year": year,
        "reviews": reviews,
        "children": details["children"],
        "child_deaths": details["outcome__died"],
        "serious_harm": details["outcome__serious_harm"],
        "known_to_social_care": details["known__yes"],
        "known_to_social_care_pct": percentage(details["known__yes"], known_answered),
        "judgements": {j: {"count": details[j], "pct": percentage(details[j], reviews)} for j in JUDGEMENTS},
        "boards_with_evaluations": details["boards_with_evaluations"],
        "cross_area_reviews": details["cross_area_reviews"],
        "independent_chair_pct": percentage(details["independent_chair"], details["independent_chair_known"]),
        "median_days_decision_to_completion": whole_days(details["median_decision_days"]),
    }


def reporting_years(today=None):
    """Every reporting year from Ofsted's first (2007-08) to the one containing ``today``, newest first."""
    today = today or datetime.date.today()
    last = today.year if today.month >= 4 else today.year - 1
    return [year_label(y) for y in range(last, FIRST_YEAR - 1, -1)]


def last_complete_year(today=None):
    """The most recent reporting year that has ended: the year Ofsted's latest annual report covers."""
    today = today or datetime.date.today()
    last = today.year if today.month >= 4 else today.year - 1
    return year_label(max(last - 1, FIRST_YEAR))
