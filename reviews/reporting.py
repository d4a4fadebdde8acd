"""Figures the database keeps for the dashboard: the data version and the evaluations per board and year.

``DataVersion`` is one row whose number changes with every statement that writes a review, an evaluation,
a child, a finding, a contribution, a board, a region, a recommendation, an action or a document (statement
triggers below), committed with the write: Django's cache keys the dashboard's results by it, so a cached
answer is never older than the data.

``BoardYear`` holds, per lead board and reporting year (1 April to 31 March, by the date Ofsted completed
the evaluation), the evaluations of submitted reviews counted per judgement and per finding category (the
evaluations of reviews with at least one finding of that category), and the rest of the year's figures that
add up over boards (``details``: the children, findings, timeliness and independence of the evaluated
reviews, and each measure's days as a sorted list for the medians) and the publication panel's (the reviews
first evaluated, those with a published executive summary and their days to publication), so a cold dashboard
reads a year's rows and nothing per evaluation. The triggers that bump the version
recount the (board, year) rows a statement touched, from the base tables, in the writing transaction; the
version row's lock makes those writers take turns, so each recount sees every earlier writer's rows and the
rows stay exact (tests/test_dashboard_properties.py compares them with a recount after random writes).

Writers take the version row's lock *first*: ``writing()`` (a transaction that takes it before anything
else) wraps every write of the review pages, and the import and the admin's review forms call ``take_turn()``
before their first row lock. A writer that locked a review row and only then reached the version row (in
its first statement's trigger) could deadlock with another that holds the version row and goes on to that
review: a long import and a form save on the same review did (tests/test_writer_lock.py), and PostgreSQL
aborted one of them. Taking turns from the start instead, the later writer waits with no row locked, then
finds what the earlier one committed: a form save on a review the import changed is refused as an edit
conflict, never lost. A writer that skips the helper still takes the lock with its first write; it is then
safe unless it locked rows before (``select_for_update``), and a deadlock is an error, never a lost write.
"""

import itertools
from contextlib import contextmanager

import pgtrigger
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models import Q
from django.db.models.fields.json import KeyTransform

from reviews.models import (
    Action,
    Board,
    Child,
    Contribution,
    Document,
    Evaluation,
    Finding,
    Judgement,
    Recommendation,
    Region,
    Review,
)
from reviews.models.triggers import statement_triggers
from reviews.reporting_sql import (
    BUMP_VERSION,
    DAY_MEASURES,
    DELETED_REVIEW_KEYS,
    DETAILS,
    EVALUATION_KEYS,
    FINDING_KEYS,
    REVIEW_KEYS,
    REVIEW_MOVED_KEYS,
    recount,
)

JUDGEMENTS = tuple(Judgement.values)
CATEGORIES = tuple(Finding.Category.values)
DETAIL_KEYS = tuple(key for key, _ in DETAILS)


class DataVersion(models.Model):
    """The one row whose ``version`` changes with every committed write the dashboard reads."""

    version = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="dataversion_one_row")]

    def __str__(self):
        return f"Data version {self.version}"


class BoardYearQuerySet(models.QuerySet):
    def judgement_counts(self, *, start_year=None):
        """Evaluations per lead board and reporting year, with a count per judgement and per finding category:
        plain rows ``{"board_id", "region_id", "start_year", "reviews", "outstanding", ..., "weak_management",
        ...}`` in one query (every year when ``start_year`` is None)."""
        rows = self if start_year is None else self.filter(start_year=start_year)
        return list(
            rows.values(
                "board_id", "start_year", region_id=models.F("board__region_id"), reviews=models.F("evaluations")
            )
            .annotate(**{name: models.F(name) for name in (*JUDGEMENTS, *CATEGORIES)})
            .order_by("board_id", "start_year")
        )

    def with_region_sums(self, boards):
        """The rows of ``judgement_counts`` that the Q ``boards`` selects, then each region's sums per reporting
        year (board_id None), added up by the database over every board's rows: one query. A page that shows one
        year's boards reads about 170 board rows and 170 sums rather than every board's every year (3,000+)."""
        area = self.values("start_year", region_id=models.F("board__region_id"))
        own = area.filter(boards).annotate(
            board_id=models.F("board_id"),
            reviews=models.F("evaluations"),
            **{name: models.F(name) for name in (*JUDGEMENTS, *CATEGORIES)},
        )
        sums = area.annotate(
            board_id=models.Value(None, output_field=models.IntegerField()),
            reviews=models.Sum("evaluations"),
            **{name: models.Sum(name) for name in (*JUDGEMENTS, *CATEGORIES)},
        )
        return list(own.union(sums, all=True))

    def publication_counts(self, *, start_year, board_id=None):
        """The publication panel's figures of every board's row of the reporting year ``start_year`` (and of every
        year of the board ``board_id`` when given): plain rows ``{"board_id", "start_year", "reviews" (first
        evaluated), "published", "days" (sorted days to publication)}``, the rows with a first evaluation, in one
        query that reads only those keys of the rows' details."""
        rows = self.filter(models.Q(start_year=start_year) | models.Q(board_id=board_id))
        return list(
            rows.filter(details__first_evaluations__gt=0).values(
                "board_id",
                "start_year",
                reviews=KeyTransform("first_evaluations", "details"),
                published=KeyTransform("published", "details"),
                days=KeyTransform("days__publication", "details"),  # a key with "__" in it: not F("details__...")
            )
        )


def _count(verbose_name):
    return models.PositiveIntegerField(verbose_name, default=0)


class BoardYear(models.Model):
    """The evaluations completed in one reporting year of one lead board's submitted reviews, counted.

    Kept by the database (statement triggers on reviews, evaluations, findings, children and documents), never
    written by the app.
    """

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="+")
    start_year = models.PositiveSmallIntegerField("reporting year (the calendar year it starts in)")
    evaluations = _count("evaluations completed")
    outstanding = _count("judged outstanding")
    good = _count("judged good")
    adequate = _count("judged adequate")
    inadequate = _count("judged inadequate")
    # Per finding category: the evaluations of reviews with at least one finding of it.
    weak_management = _count("with a weak management finding")
    joint_working_within = _count("with a joint working within agencies finding")
    joint_working_across = _count("with a joint working across agencies finding")
    child_focus = _count("with a child focus finding")
    staff_expertise = _count("with a staff expertise finding")
    risk_assessment = _count("with a risk assessment finding")
    ethnic_cultural = _count("with an ethnic or cultural issues finding")
    information_sharing = _count("with an information sharing finding")
    record_keeping = _count("with a record keeping finding")
    other = _count("with another finding")
    # The rest of the year's figures that add up over boards (children, findings, timeliness, independence...),
    # summed over the evaluations: keys as ``reporting_sql.DETAILS`` names them.
    details = models.JSONField(default=dict)

    objects = BoardYearQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["board", "start_year"], name="boardyear_unique"),
        ]

    def __str__(self):
        return f"{self.board_id} in {self.start_year}: {self.evaluations} evaluations"


def _triggers(prefix, *, insert=None, update=None, delete=None):
    """AFTER statement triggers that bump the data version and recount the (board, year) rows whose keys the
    given SQL (over the statement's ``new_rows``/``old_rows``) names; None: the version only."""

    def body(keys):
        return BUMP_VERSION + (recount(keys) if keys else "") + "RETURN NULL;"

    return statement_triggers(prefix, insert=body(insert), update=body(update), delete=body(delete))


pgtrigger.register(
    *_triggers(
        "dashboard",
        insert=EVALUATION_KEYS.format(rows="new_rows"),
        update=EVALUATION_KEYS.format(rows="new_rows") + " UNION " + EVALUATION_KEYS.format(rows="old_rows"),
        delete=EVALUATION_KEYS.format(rows="old_rows"),
    )
)(Evaluation)
# A review's findings, children and documents (its publication): its evaluations' (board, year) rows.
for model in (Finding, Child, Document):
    pgtrigger.register(
        *_triggers(
            "dashboard",
            insert=FINDING_KEYS.format(rows="new_rows"),
            update=FINDING_KEYS.format(rows="(SELECT review_id FROM new_rows UNION SELECT review_id FROM old_rows)"),
            delete=FINDING_KEYS.format(rows="old_rows"),
        )
    )(model)
pgtrigger.register(
    *_triggers(
        "dashboard",
        insert=REVIEW_KEYS.format(rows="new_rows"),
        update=REVIEW_MOVED_KEYS,
        delete=DELETED_REVIEW_KEYS,
    )
)(Review)
# A contribution changes the review's cross_area flag (its own trigger), and so the review's rows.
# Recommendations and actions: the action-plan figures (dashboard/api_actions.py) are cached under the version.
for model in (Contribution, Board, Region, Recommendation, Action):
    pgtrigger.register(*_triggers("dashboard"))(model)


def take_turn(using=DEFAULT_DB_ALIAS):
    """Take the reporting lock (the version row, bumped) until this transaction ends: call it in a writing
    transaction before its first row lock (``select_for_update`` included)."""
    with connections[using].cursor() as cursor:
        cursor.execute(BUMP_VERSION)


@contextmanager
def writing(using=DEFAULT_DB_ALIAS):
    """A transaction that writes what the dashboard reads, taking the reporting lock before anything else
    (a decorator too): writers take turns and never deadlock on each other's rows."""
    with transaction.atomic(using=using):
        take_turn(using)
        yield


def data_version(using="reporting"):
    """The reporting database's data version: one primary-key lookup."""
    return DataVersion.objects.using(using).filter(pk=1).values_list("version", flat=True).first() or 0


def year_figures(start_year, scopes, *, using="reporting"):
    """The evaluations completed in the reporting year ``start_year`` described for each area of ``scopes``
    (``(region_id, board_id)`` pairs, None for any): one dict of figures per area, from the year's kept rows in
    one query.

    The figures are counts of the evaluations (``reviews``, one per judgement, ``cross_area_reviews``, the
    timeliness bands...) and of the children and findings of their reviews counted once per evaluation
    (``children``, ``age_band__under_1``, ``known__yes``, ``category__weak_management__findings`` and
    ``...__reviews`` for the reviews with at least one...), sums of the area's board rows; and the medians in
    days (``median_decision_days``...), from the rows' sorted lists of days merged (None without any), as
    PostgreSQL's ``percentile_cont(0.5)`` gives them.
    """
    rows = list(
        BoardYear.objects.using(using)
        .filter(start_year=start_year)
        .values("board_id", "evaluations", "details", *JUDGEMENTS, region_id=models.F("board__region_id"))
    )
    figures = []
    for region_id, board_id in scopes:
        mine = [row for row in rows if _in_area(row, region_id, board_id)]
        area = dict.fromkeys((*JUDGEMENTS, *DETAIL_KEYS), 0)
        area["reviews"] = sum(row["evaluations"] for row in mine)
        area["boards_with_evaluations"] = len(mine)
        for row in mine:
            for judgement in JUDGEMENTS:
                area[judgement] += row[judgement]
            for key in DETAIL_KEYS:
                area[key] += row["details"][key]
        for measure in DAY_MEASURES:
            # Timsort merges the rows' sorted runs in C (heapq.merge, in Python, took most of a cold page).
            area[measure] = _median(
                sorted(itertools.chain.from_iterable(row["details"][f"days__{measure}"] for row in mine))
            )
        figures.append(area)
    return figures


def _median(values):
    """The median of sorted numbers, halfway between the middle two for an even count; None for none."""
    if not values:
        return None
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def _in_area(row, region_id, board_id):
    return (region_id is None or row["region_id"] == region_id) and (board_id is None or row["board_id"] == board_id)
