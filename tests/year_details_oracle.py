"""The dashboard's year details as one statement straight over the base tables: what the app computed per request
before the counts were kept per board and year (reviews.reporting). The property tests compare the app's figures
with it, so the kept rows must give exactly what a recount from the base tables gives."""

# ruff: noqa: S608 (fixed fragments and table names; the values are bound parameters)

from django.db import connection

from reviews.models import Agency, Child, Finding, Judgement

_JUDGEMENTS = tuple(Judgement.values)
_CATEGORIES = tuple(Finding.Category.values)

# --- One reporting year described for a few areas at once (the dashboard's national summary, themes,
# timeliness and children): medians and per-review facts that no sum of kept rows can give.

_AGE_BANDS = tuple(Child.AgeBand.values)
_OUTCOMES = tuple(Child.Outcome.values)
_AGENCIES = (*Agency.values, "")  # "" is a finding about no one agency


def _count_if(column, value):
    return f"count(*) FILTER (WHERE {column} = '{value}')"


def _name(slug):
    return slug or "none"


# Per review: its children and findings counted by kind. The review itself by primary key for each of the
# year's evaluations: the inner OFFSET 0 keeps PostgreSQL from hashing the whole review table instead, and
# the outer one from hashing the boards again for each evaluation (a hash join inside the loop).
_FACTS = """
    ev AS MATERIALIZED (
        SELECT e.*, b.region_id,
               EXISTS (SELECT 1 FROM reviews_contribution c WHERE c.review_id = e.review_id) AS cross_area
        FROM (
            SELECT e.id AS evaluation_id, e.completed_date AS evaluated_on, e.received_date, e.judgement,
                   e.review_id, r.board_id, r.decision_date, r.completed_date,
                   r.independent_chair, r.independent_author
            FROM reviews_evaluation e
            CROSS JOIN LATERAL (
                SELECT r.board_id, r.decision_date, r.completed_date, r.independent_chair, r.independent_author
                FROM reviews_review r
                WHERE r.id = e.review_id AND r.status <> 'draft'
                OFFSET 0
            ) r
            WHERE e.completed_date BETWEEN %s AND %s
            OFFSET 0
        ) e
        JOIN reviews_board b ON b.id = e.board_id
    ),
    year_reviews AS MATERIALIZED (SELECT DISTINCT review_id FROM ev),
    children AS (
        SELECT c.review_id, count(*) AS children, {children}
        FROM year_reviews y JOIN reviews_child c ON c.review_id = y.review_id
        GROUP BY 1
    ),
    findings AS (
        SELECT f.review_id, {findings}
        FROM year_reviews y JOIN reviews_finding f ON f.review_id = y.review_id
        GROUP BY 1
    ),
    facts AS MATERIALIZED (
        SELECT * FROM ev LEFT JOIN children USING (review_id) LEFT JOIN findings USING (review_id)
    )
""".format(
    children=", ".join(
        [f"{_count_if('c.age_band', v)} AS age_band__{v}" for v in _AGE_BANDS]
        + [f"{_count_if('c.outcome', v)} AS outcome__{v}" for v in _OUTCOMES]
        + [
            f"count(*) FILTER (WHERE c.{column} {test}) AS {name}__{answer}"
            for column, name in (("known_to_social_care", "known"), ("child_protection_plan", "plan"))
            for test, answer in (("", "yes"), ("= false", "no"), ("IS NULL", "not_recorded"))
        ]
    ),
    findings=", ".join(
        [f"{_count_if('f.category', v)} AS category__{v}" for v in _CATEGORIES]
        + [f"{_count_if('f.agency', v)} AS agency__{_name(v)}" for v in _AGENCIES]
    ),
)

# Months from the decision to hold a review to its completion: Working Together 2006 asked for 4, 2010 for 6.
_WITHIN = "completed_date <= decision_date + INTERVAL '{months} months'"
_CHILD_COLUMNS = (
    ["children"]
    + [f"age_band__{v}" for v in _AGE_BANDS]
    + [f"outcome__{v}" for v in _OUTCOMES]
    + [f"{name}__{answer}" for name in ("known", "plan") for answer in ("yes", "no", "not_recorded")]
)
_FINDING_COLUMNS = [f"category__{v}" for v in _CATEGORIES] + [f"agency__{_name(v)}" for v in _AGENCIES]

_FIGURES = ", ".join(
    [
        "count(*) AS reviews",
        "count(DISTINCT board_id) AS boards_with_evaluations",
        *(f"{_count_if('judgement', j)} AS {j}" for j in _JUDGEMENTS),
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
    "SELECT {n} AS scope, " + _FIGURES + " FROM facts "
    "WHERE (%s::bigint IS NULL OR region_id = %s) AND (%s::bigint IS NULL OR board_id = %s)"
)


def year_figures_sql(first_day, last_day, scopes):
    """The statement and its parameters that describe the evaluations completed from ``first_day`` to
    ``last_day`` for each ``(region_id, board_id)`` of ``scopes`` (None for any): one JSON array of rows."""
    areas = " UNION ALL ".join(_SCOPE.format(n=n) for n in range(len(scopes)))
    params = [first_day, last_day]
    for region_id, board_id in scopes:
        params += [region_id, region_id, board_id, board_id]
    return f"WITH {_FACTS} SELECT coalesce(json_agg(t ORDER BY t.scope), '[]') FROM ({areas}) t", params


def year_figures(first_day, last_day, scopes):
    """One dict of figures per ``(region_id, board_id)`` of ``scopes``, as ``reviews.reporting.year_figures``."""
    sql, params = year_figures_sql(first_day, last_day, scopes)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchone()[0]
    for row in rows:
        del row["scope"]
    return rows
