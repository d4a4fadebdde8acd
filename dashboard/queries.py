"""The dashboard's aggregates over reviews, read through the ``reporting`` database alias (SPEC section 7).

Two SQL statements answer the whole dashboard:

* ``judgement_counts`` counts the evaluations completed per lead board and reporting year, with one count
  per judgement. Regional and national rows are sums of those board rows (``judgement_rates``), so the
  rows always add up, and one pass over the evaluations serves every year, board, region and England.
* ``year_details`` describes the reviews of the evaluations completed in one reporting year, for a few
  areas at once (England, a region, a board): the national summary, the children, the findings and the
  timeliness, as one JSON document built by PostgreSQL.

Definitions (written out on the page, in "How these figures are calculated"): a reporting year counts the
evaluations *completed* in it, re-evaluations included, so a review evaluated twice in a year counts twice;
children, deaths, findings and the rest describe the reviews of those evaluations, counted once per
evaluation; a review belongs to its lead board and that board's region; drafts never count.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import connections

from reviews.models import Board, Child, Contribution, Evaluation, Finding, Judgement, Review
from reviews.years import year_bounds

DATABASE = "reporting"
ENGLAND = "E92000001"
JUDGEMENTS = tuple(Judgement.values)  # outstanding, good, adequate, inadequate: the scale's order
FIRST_YEAR = 2007  # Ofsted began evaluating serious case reviews on 1 April 2007

_TABLES = {
    "evaluation": Evaluation._meta.db_table,
    "review": Review._meta.db_table,
    "board": Board._meta.db_table,
    "child": Child._meta.db_table,
    "finding": Finding._meta.db_table,
    "contribution": Contribution._meta.db_table,
}

# The reporting year that contains a date, as the calendar year it starts in: 1 April to 31 March, so
# moving a date back three months lands it in the calendar year its reporting year starts.
_START_YEAR = "EXTRACT(YEAR FROM {column} - INTERVAL '3 months')::int"

_JUDGEMENT_COUNTS = """
    SELECT r.board_id, {start_year} AS start_year, count(*) AS reviews, {judgements}
    FROM {evaluation} e
    JOIN {review} r ON r.id = e.review_id
    WHERE r.status <> 'draft' {where}
    GROUP BY 1, 2
""".format(  # noqa: S608 (fixed fragments and table names; every value is a query parameter)
    start_year=_START_YEAR.format(column="e.completed_date"),
    judgements=", ".join(f"count(*) FILTER (WHERE e.judgement = '{j}') AS {j}" for j in JUDGEMENTS),
    where="{where}",
    **_TABLES,
)


_COUNT_FIELDS = ("board_id", "start_year", "reviews", *JUDGEMENTS)


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


def judgement_counts(*, year=None):
    """Evaluations completed per lead board and reporting year, with a count per judgement.

    Plain rows ``{"board_id", "start_year", "reviews", "outstanding", "good", "adequate", "inadequate"}``;
    every year when ``year`` (a label such as ``2008-09``) is None. One query.
    """
    where, params = "", []
    if year is not None:
        where = "AND e.completed_date BETWEEN %s AND %s"
        params = list(year_bounds(year))
    with _cursor() as cursor:
        cursor.execute(_JUDGEMENT_COUNTS.format(where=where), params)
        columns = [c.name for c in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


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
    """Rows of judgement rates per area and year from ``judgement_counts`` rows, summed up to regions and England.

    ``boards`` maps a board's id to its ``Board`` (with ``region`` loaded): every board the counts name.
    ``keep(level, key, start_year)``, when given, says which rows to return (every row still adds to its
    region and England). Returns ``{level: [row, ...]}``, each level's rows ordered by key then year as
    SPEC section 7 has them.
    """
    areas = {}
    for board_id, board in boards.items():
        areas[board_id] = (
            ("national", ENGLAND, "England"),
            ("region", board.region.code, board.region.name),
            ("board", board.gss_code, board.name),
        )
    wanted = set(levels)
    totals = {}
    for row in counts:
        numbers = (row["reviews"], row["outstanding"], row["good"], row["adequate"], row["inadequate"])
        for area in areas[row["board_id"]]:
            if area[0] not in wanted:
                continue
            total = totals.get((area, row["start_year"]))
            if total is None:
                totals[area, row["start_year"]] = list(numbers)
            else:
                for i in range(5):
                    total[i] += numbers[i]
    result = {level: [] for level in levels}
    for (level, key, name), start_year in sorted(totals, key=lambda item: (item[0][1], item[1])):
        if keep is None or keep(level, key, start_year):
            result[level].append(rate_row(key, name, start_year, totals[(level, key, name), start_year]))
    return result


# --- One reporting year, described for a few areas at once ---------------------------------------------------

_EV = """
    SELECT e.id AS evaluation_id, e.completed_date AS evaluated_on, e.received_date, e.judgement,
           r.id AS review_id, r.board_id, b.region_id, r.decision_date, r.completed_date,
           r.independent_chair, r.independent_author,
           EXISTS (SELECT 1 FROM {contribution} c WHERE c.review_id = r.id) AS cross_area
    FROM {evaluation} e
    JOIN {review} r ON r.id = e.review_id
    JOIN {board} b ON b.id = r.board_id
    WHERE e.completed_date BETWEEN %s AND %s AND r.status <> 'draft'
""".format(**_TABLES)  # noqa: S608

_SCOPE = (
    "SELECT {n} AS scope, ev.* FROM ev "  # noqa: S608
    "WHERE (%s::bigint IS NULL OR ev.region_id = %s) AND (%s::bigint IS NULL OR ev.board_id = %s)"
)

# Months from the decision to hold a review to its completion: Working Together 2006 asked for 4, 2010 for 6.
_WITHIN = "s.completed_date <= s.decision_date + INTERVAL '{months} months'"

_SUMMARY = """
    SELECT s.scope, count(*) AS reviews, count(DISTINCT s.board_id) AS boards_with_evaluations,
           {judgements},
           count(*) FILTER (WHERE s.cross_area) AS cross_area_reviews,
           count(*) FILTER (WHERE s.independent_chair) AS independent_chair,
           count(s.independent_chair) AS independent_chair_known,
           count(*) FILTER (WHERE s.independent_author) AS independent_author,
           count(s.independent_author) AS independent_author_known,
           count(s.completed_date - s.decision_date) AS timed,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY s.completed_date - s.decision_date) AS median_decision_days,
           count(*) FILTER (WHERE {within_4}) AS within_4_months,
           count(*) FILTER (WHERE {within_6}) AS within_6_months,
           count(*) FILTER (WHERE NOT {within_6} AND {within_12}) AS within_6_to_12_months,
           count(*) FILTER (WHERE NOT {within_12} AND {within_24}) AS within_1_to_2_years,
           count(*) FILTER (WHERE NOT {within_24}) AS over_2_years,
           count(s.evaluated_on - s.completed_date) AS evaluated_after_completion,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY s.evaluated_on - s.completed_date) AS median_evaluation_days,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY s.evaluated_on - s.received_date) AS median_ofsted_days
    FROM scoped s GROUP BY s.scope
""".format(  # noqa: S608
    judgements=", ".join(f"count(*) FILTER (WHERE s.judgement = '{j}') AS {j}" for j in JUDGEMENTS),
    within_4=_WITHIN.format(months=4),
    within_6=_WITHIN.format(months=6),
    within_12=_WITHIN.format(months=12),
    within_24=_WITHIN.format(months=24),
)

_CHILDREN = """
    SELECT s.scope, c.age_band, c.outcome, c.known_to_social_care, c.child_protection_plan, count(*) AS children
    FROM scoped s JOIN {child} c ON c.review_id = s.review_id
    GROUP BY 1, 2, 3, 4, 5
""".format(**_TABLES)  # noqa: S608

# Findings per evaluation first, so "reviews with a finding" needs no count(DISTINCT ...).
_FINDINGS = """
    SELECT per.scope, per.category, per.agency, count(*) AS reviews, sum(per.findings)::int AS findings
    FROM (
        SELECT s.scope, s.evaluation_id, f.category, f.agency, count(*) AS findings
        FROM scoped s JOIN {finding} f ON f.review_id = s.review_id
        GROUP BY GROUPING SETS ((s.scope, s.evaluation_id, f.category), (s.scope, s.evaluation_id, f.agency))
    ) per
    GROUP BY 1, 2, 3
""".format(**_TABLES)  # noqa: S608

_YEAR_DETAILS = """
    WITH ev AS MATERIALIZED ({ev}), scoped AS MATERIALIZED ({scopes})
    SELECT json_build_object(
        'summary', (SELECT coalesce(json_agg(t), '[]') FROM ({summary}) t),
        'children', (SELECT coalesce(json_agg(t), '[]') FROM ({children}) t),
        'findings', (SELECT coalesce(json_agg(t), '[]') FROM ({findings}) t){counts}
    )
"""


@dataclass(frozen=True, slots=True)
class Scope:
    """An area to describe: England (neither given), a region, a board, or a board within a region."""

    region_id: int | None = None
    board_id: int | None = None


def _details_sql(scopes):
    scope_sql = " UNION ALL ".join(_SCOPE.format(n=n) for n in range(len(scopes)))
    return scope_sql, [value for scope in scopes for value in (scope.region_id,) * 2 + (scope.board_id,) * 2]


def _split(document, scopes):
    results = [{"summary": None, "children": [], "findings": []} for _ in scopes]
    for part in ("children", "findings"):
        for row in document[part]:
            results[row.pop("scope")][part].append(row)
    for row in document["summary"]:
        results[row.pop("scope")]["summary"] = row
    return results


def year_details(year, scopes, *, with_counts=False):
    """Everything the dashboard says about one reporting year, for each of ``scopes``, in one query.

    Returns one dict per scope (in order) with ``summary`` (counts, judgements, timeliness), ``children``
    (rows by age band, outcome, known to social care and child protection plan) and ``findings`` (rows
    per category with agency None, and per agency with category None). Every count is of evaluations
    completed in the year, or of the children and findings of their reviews counted once per evaluation.

    With ``with_counts``, the same query also returns ``judgement_counts()`` for every year (the page needs
    both; one round trip instead of two): the result is then ``(counts, details)``.
    """
    start, end = year_bounds(year)
    scope_sql, scope_params = _details_sql(scopes)
    counts_sql = ""
    if with_counts:
        counts_sql = (
            ", 'counts', (SELECT coalesce(json_agg(json_build_array("  # noqa: S608
            "t.board_id, t.start_year, t.reviews, t.outstanding, t.good, t.adequate, t.inadequate)), '[]') "
            f"FROM ({_JUDGEMENT_COUNTS.format(where='')}) t)"
        )
    sql = _YEAR_DETAILS.format(
        ev=_EV, scopes=scope_sql, summary=_SUMMARY, children=_CHILDREN, findings=_FINDINGS, counts=counts_sql
    )
    with _cursor() as cursor:
        cursor.execute(sql, [start, end, *scope_params])
        document = cursor.fetchone()[0]
    details = _split(document, scopes)
    if not with_counts:
        return details
    counts = [dict(zip(_COUNT_FIELDS, row, strict=True)) for row in document["counts"]]
    return counts, details


def summary(year, details):
    """SPEC section 7's summary of one area and year from ``year_details`` (keys exactly as the SPEC)."""
    s = details["summary"] or {}
    reviews = s.get("reviews", 0)
    children = child_deaths = serious_harm = known = known_answered = 0
    for row in details["children"]:
        children += row["children"]
        if row["outcome"] == Child.Outcome.DIED:
            child_deaths += row["children"]
        elif row["outcome"] == Child.Outcome.SERIOUS_HARM:
            serious_harm += row["children"]
        if row["known_to_social_care"] is not None:
            known_answered += row["children"]
            if row["known_to_social_care"]:
                known += row["children"]
    return {
        "year": year,
        "reviews": reviews,
        "children": children,
        "child_deaths": child_deaths,
        "serious_harm": serious_harm,
        "known_to_social_care": known,
        "known_to_social_care_pct": percentage(known, known_answered),
        "judgements": {j: {"count": s.get(j, 0), "pct": percentage(s.get(j, 0), reviews)} for j in JUDGEMENTS},
        "boards_with_evaluations": s.get("boards_with_evaluations", 0),
        "cross_area_reviews": s.get("cross_area_reviews", 0),
        "independent_chair_pct": percentage(s.get("independent_chair", 0), s.get("independent_chair_known", 0)),
        "median_days_decision_to_completion": whole_days(s.get("median_decision_days")),
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
