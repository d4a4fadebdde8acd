"""The dashboard's aggregates over reviews, read through the ``reporting`` database alias (SPEC section 7).

Two SQL statements answer the whole dashboard, and the page sends them as one:

* ``judgement_counts`` counts the evaluations completed per lead board and reporting year, with one count
  per judgement. Regional and national rows are sums of those board rows (``judgement_rates``), so the
  rows always add up, and one pass over the evaluations serves every year, board, region and England.
  The page's version of it (``theme_counts``) also counts, per finding category, the evaluations of
  reviews with at least one finding of that category: the themes across the years.
* ``year_details`` describes the reviews of the evaluations completed in one reporting year, for a few
  areas at once (England, a region, a board): one row of figures per area (the national summary, the
  children, the findings, the timeliness).

Definitions (written out on the page, in "How these figures are calculated"): a reporting year counts the
evaluations *completed* in it, re-evaluations included, so a review evaluated twice in a year counts twice;
children, deaths, findings and the rest describe the reviews of those evaluations, counted once per
evaluation; a review belongs to its lead board and that board's region; drafts never count.

Results are kept per process under a data version (``data_version``) that changes with every committed
write to the tables they read, so a repeated question costs one small query and never gives stale numbers.
"""

import datetime
import threading
from collections import OrderedDict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.apps import apps
from django.db import connections

from reviews.models import Agency, Board, Child, Contribution, Evaluation, Finding, Judgement, Review
from reviews.years import year_bounds

DATABASE = "reporting"
ENGLAND = "E92000001"
JUDGEMENTS = tuple(Judgement.values)  # outstanding, good, adequate, inadequate: the scale's order
FIRST_YEAR = 2007  # Ofsted began evaluating serious case reviews on 1 April 2007
CATEGORIES = tuple(Finding.Category.values)
AGENCIES = (*Agency.values, "")  # "" is a finding about no one agency
AGE_BANDS = tuple(Child.AgeBand.values)
OUTCOMES = tuple(Child.Outcome.values)

_TABLES = {
    "evaluation": Evaluation._meta.db_table,
    "review": Review._meta.db_table,
    "board": Board._meta.db_table,
    "child": Child._meta.db_table,
    "finding": Finding._meta.db_table,
    "contribution": Contribution._meta.db_table,
}


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


def _cursor():
    return connections[DATABASE].cursor()


# --- The data version and the cache ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DataVersion:
    """What the reporting database holds, cheaply: see ``data_version``."""

    maxima: tuple  # the highest id of each table the dashboard reads, and of each of their audit tables
    writers: frozenset  # the transactions writing to those tables right now (not yet committed)


def _version_sql():
    audited = (Review, Evaluation, Child, Finding, Contribution)
    events = [apps.get_model("reviews", f"{model.__name__}Event")._meta.db_table for model in audited]
    maxima = [f"(SELECT max(id) FROM {model._meta.db_table})" for model in audited]  # noqa: S608
    maxima += [f"(SELECT max(pgh_id) FROM {table})" for table in events]  # noqa: S608
    relations = ", ".join(f"'{model._meta.db_table}'" for model in audited)
    return f"""
        SELECT ARRAY[{", ".join(maxima)}]::bigint[],
               CASE WHEN pg_is_in_recovery()
                    THEN ARRAY(SELECT pg_snapshot_xip(pg_current_snapshot())::text)
                    ELSE ARRAY(SELECT DISTINCT l.virtualtransaction FROM pg_locks l
                               WHERE l.locktype = 'relation'
                                 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                                 AND l.relation = ANY(ARRAY[{relations}]::regclass[])
                                 AND l.mode IN ('RowExclusiveLock', 'ShareRowExclusiveLock',
                                                'ExclusiveLock', 'AccessExclusiveLock')
                                 AND l.pid <> pg_backend_pid())
               END
    """  # noqa: S608 (table names from the models; no value from a request)


def data_version():
    """The reporting database's data version, in one small query (index lookups and ``pg_locks``).

    Every committed write to the reviews, evaluations, children, findings or contributions changes it:
    an insert raises its table's highest id; an update or delete writes an audit event (pghistory), which
    raises the audit table's highest id. A writer that took its ids before the version was read but commits
    after is still writing then, so it is in ``writers``; a cached result stays valid only while every
    writer it saw is still writing (``_Cache.get``). On a read replica, where ``pg_locks`` does not show
    the primary's writers, every transaction in the snapshot counts as a writer.
    """
    with _cursor() as cursor:
        cursor.execute(_version_sql())
        maxima, writers = cursor.fetchone()
    return DataVersion(tuple(maxima), frozenset(writers))


class _Cache:
    """Results by question and data version, for this process: only the latest version's are kept, up to a
    total weight (1 for most results; more for a big one, such as every year's board rows as HTML)."""

    def __init__(self, size=64):
        self.size = size
        self.enabled = True
        self._lock = threading.Lock()
        self._maxima = None
        self._entries = OrderedDict()
        self._weight = 0
        self.hits = self.misses = 0  # for the benchmark

    def get(self, key, version):
        with self._lock:
            value = self._get(key, version)
            if value is None:
                self.misses += 1
            else:
                self.hits += 1
            return value

    def _get(self, key, version):
        if not self.enabled or version is None or version.maxima != self._maxima:
            return None
        entry = self._entries.get(key)
        if entry is None:
            return None
        writers, value, _ = entry
        # A writer seen then and gone now has committed (or rolled back) since: the result may be old.
        if not writers <= version.writers:
            self._drop(key)
            return None
        self._entries.move_to_end(key)
        return value

    def put(self, key, version, value, *, weight=1):
        with self._lock:
            if not self.enabled or version is None or weight > self.size:
                return
            if version.maxima != self._maxima:
                self._entries.clear()
                self._weight = 0
                self._maxima = version.maxima
            if key in self._entries:
                self._drop(key)
            self._entries[key] = (version.writers, value, weight)
            self._weight += weight
            while self._weight > self.size:
                self._drop(next(iter(self._entries)))

    def _drop(self, key):
        self._weight -= self._entries.pop(key)[2]

    def clear(self):
        with self._lock:
            self._entries.clear()
            self._weight = 0
            self._maxima = None


cache = _Cache()


# --- Judgement counts per board and year ---------------------------------------------------------------------

# The reporting year of a date as the calendar year it starts in: the number of 1 Aprils on or before it,
# counted from 1900 (a binary search, several times cheaper per row than date arithmetic).
_START_YEAR = "1899 + width_bucket({column}, ARRAY(SELECT make_date(y, 4, 1) FROM generate_series(1900, 2200) AS y))"

# Counted per lead board and year first (a hash of a few thousand groups), then summed per region and for
# England (GROUPING SETS over those board rows: a region row has no board, England's row neither), so the
# evaluations are counted once and never sorted. With the theme counts, each board row also counts the
# evaluated reviews with at least one finding of each category: the findings are grouped once per review
# into a bit mask of their categories (bit n for CATEGORIES[n]), joined to the evaluations, so a review
# counts once per evaluation. The grouping reads finding_review_category_idx in order (an index-only scan
# when the table has been vacuumed).
_COUNTS = """
    SELECT board_id, region_id, start_year, {sums}
    FROM (
        SELECT r.board_id, {start_year} AS start_year, count(*) AS reviews, {judgements}{themes}
        FROM {evaluation} e
        JOIN {review} r ON r.id = e.review_id{findings}
        WHERE r.status <> 'draft' {{where}}
        GROUP BY r.board_id, start_year
    ) board_years
    JOIN {board} b ON b.id = board_years.board_id
    GROUP BY GROUPING SETS ((start_year, board_id, region_id), (start_year, region_id), (start_year))
"""
_CATEGORY_MASK = "bit_or(CASE f.category {whens} ELSE 0 END)".format(
    whens=" ".join(f"WHEN '{c}' THEN {1 << n}" for n, c in enumerate(CATEGORIES))
)
_THEME_COUNTS = [f"category__{c}" for c in CATEGORIES]
_COUNT_PARTS = {
    "start_year": _START_YEAR.format(column="e.completed_date"),
    "judgements": ", ".join(f"count(*) FILTER (WHERE e.judgement = '{j}') AS {j}" for j in JUDGEMENTS),
    **_TABLES,
}


def _sums(columns):
    return ", ".join(f"sum({c})::bigint AS {c}" for c in columns)


_JUDGEMENT_COUNTS = _COUNTS.format(  # noqa: S608 (fixed fragments and table names)
    sums=_sums(["reviews", *JUDGEMENTS]), themes="", findings="", **_COUNT_PARTS
)
_JUDGEMENT_AND_THEME_COUNTS = _COUNTS.format(  # noqa: S608 (fixed fragments and table names)
    sums=_sums(["reviews", *JUDGEMENTS, *_THEME_COUNTS]),
    themes="".join(
        f", count(*) FILTER (WHERE fl.categories & {1 << n} <> 0) AS category__{c}" for n, c in enumerate(CATEGORIES)
    ),
    findings=f"""
        LEFT JOIN (
            SELECT f.review_id, {_CATEGORY_MASK} AS categories FROM {_TABLES["finding"]} f GROUP BY f.review_id
        ) fl ON fl.review_id = e.review_id""",  # noqa: S608 (fixed fragments and a table name)
    **_COUNT_PARTS,
)
_COUNT_FIELDS = ("board_id", "region_id", "start_year", "reviews", *JUDGEMENTS)
_THEME_FIELDS = ("board_id", "region_id", "start_year", "reviews", *CATEGORIES)
_COUNTS_KEY, _THEMES_KEY = ("counts", None), ("themes", None)


def judgement_counts(*, year=None, version=None):
    """Evaluations completed per reporting year, with a count per judgement: per lead board, per region and
    for England.

    Plain rows ``{"board_id", "region_id", "start_year", "reviews", "outstanding", "good", "adequate",
    "inadequate"}`` (a region's row has board_id None; England's both None), read only: they may be shared
    through the cache. Every year when ``year`` (a label such as ``2008-09``) is None. One query, or none
    when ``version`` is given and the answer is cached.
    """
    key = ("counts", year)
    counts = cache.get(key, version)
    if counts is None:
        where, params = "", []
        if year is not None:
            where = "AND e.completed_date BETWEEN %s AND %s"
            params = list(year_bounds(year))
        with _cursor() as cursor:
            cursor.execute(_JUDGEMENT_COUNTS.format(where=where), params)
            counts = [dict(zip(_COUNT_FIELDS, row, strict=True)) for row in cursor.fetchall()]
        cache.put(key, version, counts)
    return counts


def _split_counts(rows, *, themes):
    """``judgement_counts`` rows, and theme count rows when ``themes``, from the arrays of the counts query."""
    width = len(_COUNT_FIELDS)
    counts = [dict(zip(_COUNT_FIELDS, row[:width], strict=True)) for row in rows]
    if not themes:
        return counts, None
    return counts, [dict(zip(_THEME_FIELDS, (*row[:4], *row[width:]), strict=True)) for row in rows]


def theme_counts(*, version=None):
    """Evaluations completed per reporting year and, for each finding category, how many of them are of a
    review with at least one finding of it: per lead board, per region and for England, every year.

    Plain rows ``{"board_id", "region_id", "start_year", "reviews", "weak_management", ...}`` (one key per
    ``CATEGORIES``; region and England rows as in ``judgement_counts``), read only. The same statement
    answers ``judgement_counts()`` for every year, which is cached with it. One query, or none when cached.
    """
    themes = cache.get(_THEMES_KEY, version)
    if themes is None:
        with _cursor() as cursor:
            cursor.execute(_JUDGEMENT_AND_THEME_COUNTS.format(where=""))
            counts, themes = _split_counts(cursor.fetchall(), themes=True)
        cache.put(_COUNTS_KEY, version, counts)
        cache.put(_THEMES_KEY, version, themes)
    return themes


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


def _count_if(column, value):
    return f"count(*) FILTER (WHERE {column} = '{value}')"


def _name(slug):
    return slug or "none"


# Per review: its children and findings counted by kind. The review itself by primary key for each of the
# year's few thousand evaluations: the inner OFFSET 0 keeps PostgreSQL from hashing the whole review table
# instead, and the outer one from hashing the boards again for each evaluation (a hash join inside the loop).
_FACTS = """
    ev AS MATERIALIZED (
        SELECT e.*, b.region_id,
               EXISTS (SELECT 1 FROM {contribution} c WHERE c.review_id = e.review_id) AS cross_area
        FROM (
            SELECT e.id AS evaluation_id, e.completed_date AS evaluated_on, e.received_date, e.judgement,
                   e.review_id, r.board_id, r.decision_date, r.completed_date,
                   r.independent_chair, r.independent_author
            FROM {evaluation} e
            CROSS JOIN LATERAL (
                SELECT r.board_id, r.decision_date, r.completed_date, r.independent_chair, r.independent_author
                FROM {review} r
                WHERE r.id = e.review_id AND r.status <> 'draft'
                OFFSET 0
            ) r
            WHERE e.completed_date BETWEEN %s AND %s
            OFFSET 0
        ) e
        JOIN {board} b ON b.id = e.board_id
    ),
    year_reviews AS MATERIALIZED (SELECT DISTINCT review_id FROM ev),
    children AS (
        SELECT c.review_id, count(*) AS children, {children}
        FROM year_reviews y JOIN {child} c ON c.review_id = y.review_id
        GROUP BY 1
    ),
    findings AS (
        SELECT f.review_id, {findings}
        FROM year_reviews y JOIN {finding} f ON f.review_id = y.review_id
        GROUP BY 1
    ),
    facts AS MATERIALIZED (
        SELECT * FROM ev LEFT JOIN children USING (review_id) LEFT JOIN findings USING (review_id)
    )
""".format(  # noqa: S608 (fixed fragments and table names; every value is a query parameter)
    children=", ".join(
        [f"{_count_if('c.age_band', v)} AS age_band__{v}" for v in AGE_BANDS]
        + [f"{_count_if('c.outcome', v)} AS outcome__{v}" for v in OUTCOMES]
        + [
            f"count(*) FILTER (WHERE c.{column} {test}) AS {name}__{answer}"
            for column, name in (("known_to_social_care", "known"), ("child_protection_plan", "plan"))
            for test, answer in (("", "yes"), ("= false", "no"), ("IS NULL", "not_recorded"))
        ]
    ),
    findings=", ".join(
        [f"{_count_if('f.category', v)} AS category__{v}" for v in CATEGORIES]
        + [f"{_count_if('f.agency', v)} AS agency__{_name(v)}" for v in AGENCIES]
    ),
    **_TABLES,
)

# Months from the decision to hold a review to its completion: Working Together 2006 asked for 4, 2010 for 6.
_WITHIN = "completed_date <= decision_date + INTERVAL '{months} months'"
_CHILD_COLUMNS = (
    ["children"]
    + [f"age_band__{v}" for v in AGE_BANDS]
    + [f"outcome__{v}" for v in OUTCOMES]
    + [f"{name}__{answer}" for name in ("known", "plan") for answer in ("yes", "no", "not_recorded")]
)
_FINDING_COLUMNS = [f"category__{v}" for v in CATEGORIES] + [f"agency__{_name(v)}" for v in AGENCIES]

_FIGURES = ", ".join(
    [
        "count(*) AS reviews",
        "count(DISTINCT board_id) AS boards_with_evaluations",
        *(f"{_count_if('judgement', j)} AS {j}" for j in JUDGEMENTS),
        "count(*) FILTER (WHERE cross_area) AS cross_area_reviews",
        "count(*) FILTER (WHERE independent_chair) AS independent_chair",
        "count(independent_chair) AS independent_chair_known",
        "count(*) FILTER (WHERE independent_author) AS independent_author",
        "count(independent_author) AS independent_author_known",
        "count(completed_date - decision_date) AS timed",
        "percentile_cont(0.5) WITHIN GROUP (ORDER BY completed_date - decision_date) AS median_decision_days",
        f"count(*) FILTER (WHERE {_WITHIN.format(months=4)}) AS within_4_months",
        f"count(*) FILTER (WHERE {_WITHIN.format(months=6)}) AS within_6_months",
        f"count(*) FILTER (WHERE NOT {_WITHIN.format(months=6)} AND {_WITHIN.format(months=12)})"
        " AS within_6_to_12_months",
        f"count(*) FILTER (WHERE NOT {_WITHIN.format(months=12)} AND {_WITHIN.format(months=24)})"
        " AS within_1_to_2_years",
        f"count(*) FILTER (WHERE NOT {_WITHIN.format(months=24)}) AS over_2_years",
        "count(evaluated_on - completed_date) AS evaluated_after_completion",
        "percentile_cont(0.5) WITHIN GROUP (ORDER BY evaluated_on - completed_date) AS median_evaluation_days",
        "percentile_cont(0.5) WITHIN GROUP (ORDER BY evaluated_on - received_date) AS median_ofsted_days",
        *(f"coalesce(sum({c}), 0)::int AS {c}" for c in _CHILD_COLUMNS),
        *(f"coalesce(sum({c}), 0)::int AS {c}__findings" for c in _FINDING_COLUMNS),
        *(f"count(*) FILTER (WHERE {c} > 0) AS {c}__reviews" for c in _FINDING_COLUMNS),
    ]
)
# One row per area, even an empty one (an aggregate without GROUP BY always gives a row).
_SCOPE = (
    "SELECT {n} AS scope, " + _FIGURES + " FROM facts "  # noqa: S608 (fixed fragments)
    "WHERE (%s::bigint IS NULL OR region_id = %s) AND (%s::bigint IS NULL OR board_id = %s)"
)


@dataclass(frozen=True, slots=True)
class Scope:
    """An area to describe: England (neither given), a region, a board, or a board within a region."""

    region_id: int | None = None
    board_id: int | None = None


def _details_sql(year, scopes):
    areas = " UNION ALL ".join(_SCOPE.format(n=n) for n in range(len(scopes)))
    params = [*year_bounds(year)]
    for scope in scopes:
        params += [scope.region_id, scope.region_id, scope.board_id, scope.board_id]
    return f"SELECT coalesce(json_agg(t ORDER BY t.scope), '[]') FROM ({areas}) t", params  # noqa: S608


def year_details(year, scopes, *, fingerprint=None, version=None, with_counts=False):
    """Everything the dashboard says about one reporting year, one dict of figures per area in ``scopes``.

    The figures are counts of the evaluations completed in the year (``reviews``, one per judgement,
    ``cross_area_reviews``, the timeliness bands...), medians in days, and the children and findings of
    their reviews counted once per evaluation (``children``, ``age_band__under_1``, ``known__yes``,
    ``category__weak_management__findings`` and ``...__reviews`` for the reviews with at least one...).

    ``fingerprint`` identifies the boards' regions the answer depends on (for the cache: a board moved to
    another region changes it). With ``with_counts`` the same query also answers ``judgement_counts()``
    for every year (the page needs both, in one round trip): the result is then ``(counts, details)``.
    """
    answer = _round_trip(year, scopes, fingerprint=fingerprint, version=version, counts=with_counts)
    if with_counts:
        return answer["counts"], answer["details"]
    return answer["details"]


def page_figures(year, scopes, *, fingerprint=None, version=None):
    """What the dashboard page shows, in one round trip (or none when cached): ``(counts, themes, details)``,
    the ``judgement_counts()`` and ``theme_counts()`` of every year and the ``year_details`` of ``year``."""
    answer = _round_trip(year, scopes, fingerprint=fingerprint, version=version, counts=True, themes=True)
    return answer["counts"], answer["themes"], answer["details"]


def _round_trip(year, scopes, *, fingerprint, version, counts=False, themes=False):
    """The year's details, and the counts and theme counts when asked, from the cache or else from one
    statement that computes only what the cache lacks (the counts statement gives the theme counts too)."""
    details_key = ("details", year, tuple(scopes), fingerprint)
    answer = {"details": cache.get(details_key, version)}
    if counts:
        answer["counts"] = cache.get(_COUNTS_KEY, version)
    if themes:
        answer["themes"] = cache.get(_THEMES_KEY, version)
    parts, params, with_themes = [], [], themes and answer["themes"] is None
    if answer["details"] is None:
        sql, params = _details_sql(year, scopes)
        parts.append(f"'details', ({sql})")
    if with_themes or (counts and answer["counts"] is None):
        fields = _COUNT_FIELDS + (tuple(f"category__{c}" for c in CATEGORIES) if with_themes else ())
        statement = _JUDGEMENT_AND_THEME_COUNTS if with_themes else _JUDGEMENT_COUNTS
        parts.append(
            "'counts', (SELECT coalesce(json_agg(json_build_array("  # noqa: S608 (fixed fragments)
            + ", ".join(f"t.{field}" for field in fields)
            + f")), '[]') FROM ({statement.format(where='')}) t)"
        )
    if not parts:
        return answer
    facts = f"WITH {_FACTS} " if answer["details"] is None else ""
    with _cursor() as cursor:
        cursor.execute(f"{facts}SELECT json_build_object({', '.join(parts)})", params)
        document = cursor.fetchone()[0]
    if "details" in document:
        details = [dict(row) for row in document["details"]]
        for row in details:
            del row["scope"]
        cache.put(details_key, version, details)
        answer["details"] = details
    if "counts" in document:
        found, found_themes = _split_counts(document["counts"], themes=with_themes)
        cache.put(_COUNTS_KEY, version, found)
        answer["counts"] = found
        if with_themes:
            cache.put(_THEMES_KEY, version, found_themes)
            answer["themes"] = found_themes
    return answer


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
