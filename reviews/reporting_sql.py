"""The SQL of the figures the database keeps for the dashboard (reviews/reporting.py): trigger bodies only, with
fixed table and column names and no value from outside the database."""

# ruff: noqa: S608 (fixed fragments and table names; a trigger body takes no parameter)

from reviews.models import Agency, Child, Document, Finding, Judgement

# The sequence gives every writing statement a number never used before, even after a rollback.
VERSION_SEQUENCE = "reviews_dataversion_seq"

# Every statement of a writer takes the version row's lock until it commits: the writers that change the
# dashboard's figures take turns, and the recount after it sees every earlier writer's committed rows. (An
# upsert: the row comes back if a flush emptied the table.)
BUMP_VERSION = (
    f"INSERT INTO reviews_dataversion (id, version) VALUES (1, nextval('{VERSION_SEQUENCE}')) "
    "ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version;\n"
)

# The reporting year of a date as the calendar year it starts in (1 April 2008 to 31 March 2009 is 2008).
START_YEAR = "(EXTRACT(YEAR FROM ({column} - INTERVAL '3 months')))::int"

# (board_id, start_year) keys a statement touched, over its transition tables.
EVALUATION_KEYS = (
    "SELECT r.board_id, " + START_YEAR.format(column="x.completed_date") + " AS start_year "
    "FROM {rows} x JOIN reviews_review r ON r.id = x.review_id"
)
FINDING_KEYS = (
    "SELECT r.board_id, " + START_YEAR.format(column="e.completed_date") + " AS start_year "
    "FROM reviews_review r JOIN reviews_evaluation e ON e.review_id = r.id "
    "WHERE r.id IN (SELECT review_id FROM {rows} x)"
)
REVIEW_KEYS = (
    "SELECT x.board_id, " + START_YEAR.format(column="e.completed_date") + " AS start_year "
    "FROM {rows} x JOIN reviews_evaluation e ON e.review_id = x.id"
)
# A review counts under its lead board while it is not a draft: only a move, a change to or from draft, or a
# change of a fact the kept details count changes the rows (the register's own triggers update reviews often,
# for other columns).
_COUNTED_REVIEW_COLUMNS = ("decision_date", "completed_date", "independent_chair", "independent_author", "cross_area")
_MOVED = (
    "SELECT n.id, n.board_id, o.board_id AS old_board_id FROM new_rows n JOIN old_rows o ON o.id = n.id "
    "WHERE n.board_id IS DISTINCT FROM o.board_id OR (n.status = 'draft') IS DISTINCT FROM (o.status = 'draft')"
    + "".join(f" OR n.{c} IS DISTINCT FROM o.{c}" for c in _COUNTED_REVIEW_COLUMNS)
)
REVIEW_MOVED_KEYS = (
    f"SELECT b.board_id, {START_YEAR.format(column='e.completed_date')} AS start_year "
    f"FROM ({_MOVED}) m CROSS JOIN LATERAL (VALUES (m.board_id), (m.old_board_id)) b(board_id) "
    "JOIN reviews_evaluation e ON e.review_id = m.id"
)
DELETED_REVIEW_KEYS = REVIEW_KEYS.format(rows="old_rows")

_JUDGEMENTS = tuple(Judgement.values)
_CATEGORIES = tuple(Finding.Category.values)
_AGE_BANDS = tuple(Child.AgeBand.values)
_OUTCOMES = tuple(Child.Outcome.values)
_AGENCIES = (*Agency.values, "")  # "" is a finding about no one agency
_COUNT_COLUMNS = ("evaluations", *_JUDGEMENTS, *_CATEGORIES)
_MASK = "bit_or(CASE f.category {whens} ELSE 0 END)".format(
    whens=" ".join(f"WHEN '{c}' THEN {1 << n}" for n, c in enumerate(_CATEGORIES))
)
_COUNTS = ", ".join(
    [
        "count(*)",
        *(f"count(*) FILTER (WHERE e.judgement = '{j}')" for j in _JUDGEMENTS),
        *(f"count(*) FILTER (WHERE coalesce(fl.categories, 0) & {1 << n} <> 0)" for n in range(len(_CATEGORIES))),
    ]
)


def _count_if(column, value):
    return f"count(*) FILTER (WHERE {column} = '{value}')"


def _name(slug):
    return slug or "none"


# Per review, in the recount: its children and its findings counted by kind (one row each, zeros when none).
_CHILD_PAIRS = (
    [("children", "count(*)")]
    + [(f"age_band__{v}", _count_if("c.age_band", v)) for v in _AGE_BANDS]
    + [(f"outcome__{v}", _count_if("c.outcome", v)) for v in _OUTCOMES]
    + [
        (f"{name}__{answer}", f"count(*) FILTER (WHERE c.{column} {test})")
        for column, name in (("known_to_social_care", "known"), ("child_protection_plan", "plan"))
        for test, answer in (("", "yes"), ("= false", "no"), ("IS NULL", "not_recorded"))
    ]
)
_CHILD_COLUMNS = [name for name, _ in _CHILD_PAIRS]
_CHILD_COUNTS = ", ".join(f"{expression} AS {name}" for name, expression in _CHILD_PAIRS)
_FINDING_COLUMNS = [f"category__{v}" for v in _CATEGORIES] + [f"agency__{_name(v)}" for v in _AGENCIES]
_FINDING_COUNTS = ", ".join(
    [f"{_count_if('f.category', v)} AS category__{v}" for v in _CATEGORIES]
    + [f"{_count_if('f.agency', v)} AS agency__{_name(v)}" for v in _AGENCIES]
)

# Months from the decision to hold a review to its completion: Working Together 2006 asked for 4, 2010 for 6.
_WITHIN = "r.completed_date <= r.decision_date + INTERVAL '{months} months'"

# The year's details of a (board, year), summed over its evaluations (each evaluation's review's facts): every
# figure of the dashboard's year that a sum of boards gives (``year_figures`` adds the medians).
DETAILS = [
    ("cross_area_reviews", "count(*) FILTER (WHERE r.cross_area)"),
    ("independent_chair", "count(*) FILTER (WHERE r.independent_chair)"),
    ("independent_chair_known", "count(r.independent_chair)"),
    ("independent_author", "count(*) FILTER (WHERE r.independent_author)"),
    ("independent_author_known", "count(r.independent_author)"),
    ("timed", "count(r.completed_date - r.decision_date)"),
    ("within_4_months", f"count(*) FILTER (WHERE {_WITHIN.format(months=4)})"),
    ("within_6_months", f"count(*) FILTER (WHERE {_WITHIN.format(months=6)})"),
    (
        "within_6_to_12_months",
        f"count(*) FILTER (WHERE NOT {_WITHIN.format(months=6)} AND {_WITHIN.format(months=12)})",
    ),
    (
        "within_1_to_2_years",
        f"count(*) FILTER (WHERE NOT {_WITHIN.format(months=12)} AND {_WITHIN.format(months=24)})",
    ),
    ("over_2_years", f"count(*) FILTER (WHERE NOT {_WITHIN.format(months=24)})"),
    ("evaluated_after_completion", "count(e.completed_date - r.completed_date)"),
    *((c, f"sum(ch.{c})::int") for c in _CHILD_COLUMNS),
    *((f"{c}__findings", f"sum(fl.{c})::int") for c in _FINDING_COLUMNS),
    *((f"{c}__reviews", f"count(*) FILTER (WHERE fl.{c} > 0)") for c in _FINDING_COLUMNS),
]
# The days each evaluation took, sorted, per measure: the medians of any set of boards are exact from these lists
# merged (``reporting.year_figures``), so no request reads the year's evaluations.
DAY_MEASURES = {
    "median_decision_days": "r.completed_date - r.decision_date",
    "median_evaluation_days": "e.completed_date - r.completed_date",
    "median_ofsted_days": "e.completed_date - e.received_date",
}
DAYS = [
    (f"days__{name}", f"coalesce(jsonb_agg({days} ORDER BY {days}) FILTER (WHERE {days} IS NOT NULL), '[]')")
    for name, days in DAY_MEASURES.items()
]
# The publication panel's figures (dashboard/publication_panel.py): a review counts in the year of its first
# evaluation (numbered 1), once; it is published when a current executive summary has a publication date (the
# earliest is its publication date, ``pd``). Not in ``DETAILS``: the year's other figures count every evaluation.
_FIRST = "e.sequence = 1"
_PUBLISHED_DAYS = "pd.published - r.completed_date"
PUBLICATION = [
    ("first_evaluations", f"count(*) FILTER (WHERE {_FIRST})"),
    ("published", f"count(*) FILTER (WHERE {_FIRST} AND pd.published IS NOT NULL)"),
    (
        "days__publication",
        f"coalesce(jsonb_agg({_PUBLISHED_DAYS} ORDER BY {_PUBLISHED_DAYS}) "
        f"FILTER (WHERE {_FIRST} AND {_PUBLISHED_DAYS} IS NOT NULL), '[]')",
    ),
]
# jsonb_build_object takes at most 100 arguments: the pairs go in objects of 50, joined.
_PAIRS = DETAILS + DAYS + PUBLICATION
_DETAILS_OBJECT = " || ".join(
    "jsonb_build_object(" + ", ".join(f"'{key}', {expression}" for key, expression in _PAIRS[i : i + 50]) + ")"
    for i in range(0, len(_PAIRS), 50)
)

# The rows of the given keys recounted from the base tables: the old rows go, the keys with evaluations
# come back (a board's reviews by the board's index, their evaluations of the year by the review's).
_RECOUNT = """
DELETE FROM reviews_boardyear s USING ({keys}) k WHERE s.board_id = k.board_id AND s.start_year = k.start_year;
INSERT INTO reviews_boardyear (board_id, start_year, {columns}, details)
SELECT r.board_id, k.start_year, {counts}, {details}
FROM (SELECT DISTINCT board_id, start_year FROM ({keys}) k0 WHERE board_id IS NOT NULL) k
JOIN reviews_review r ON r.board_id = k.board_id AND r.status <> 'draft'
JOIN reviews_evaluation e ON e.review_id = r.id
 AND e.completed_date >= make_date(k.start_year, 4, 1) AND e.completed_date < make_date(k.start_year + 1, 4, 1)
CROSS JOIN LATERAL (
    SELECT {mask} AS categories, {finding_counts} FROM reviews_finding f WHERE f.review_id = r.id
) fl
CROSS JOIN LATERAL (SELECT {child_counts} FROM reviews_child c WHERE c.review_id = r.id) ch
CROSS JOIN LATERAL (
    SELECT min(d.published_date) AS published FROM reviews_document d
    WHERE d.review_id = r.id AND d.kind = '{summary}' AND d.deleted_at IS NULL AND e.sequence = 1
) pd
GROUP BY r.board_id, k.start_year;
"""


def recount(keys):
    """SQL that recounts the rows of the (board_id, start_year) pairs the SELECT ``keys`` gives."""
    return _RECOUNT.format(
        keys=keys,
        columns=", ".join(_COUNT_COLUMNS),
        counts=_COUNTS,
        mask=_MASK,
        details=_DETAILS_OBJECT,
        finding_counts=_FINDING_COUNTS,
        child_counts=_CHILD_COUNTS,
        summary=Document.Kind.EXECUTIVE_SUMMARY.value,
    )
