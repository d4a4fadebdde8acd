"""Figures the database keeps for the dashboard: the data version and the evaluations per board and year.

``DataVersion`` is one row whose number changes with every statement that writes a review, an evaluation,
a child, a finding, a contribution, a board, a region, a recommendation or an action (statement triggers
below), committed with the
write: Django's cache keys the dashboard's results by it, so a cached answer is never older than the data.

``BoardYear`` holds, per lead board and reporting year (1 April to 31 March, by the date Ofsted completed
the evaluation), the evaluations of submitted reviews counted per judgement and per finding category (the
evaluations of reviews with at least one finding of that category). The triggers that bump the version
recount the (board, year) rows a statement touched, from the base tables, in the writing transaction; the
version row's lock makes those writers take turns, so each recount sees every earlier writer's rows and the
rows stay exact (tests/test_dashboard_properties.py compares them with a recount after random writes).
"""

import pgtrigger
from django.db import connections, models
from django.db.models import Q

from reviews.models import (
    Action,
    Board,
    Child,
    Contribution,
    Evaluation,
    Finding,
    Judgement,
    Recommendation,
    Region,
    Review,
)
from reviews.reporting_sql import (
    BUMP_VERSION,
    DELETED_REVIEW_KEYS,
    EVALUATION_KEYS,
    FINDING_KEYS,
    REVIEW_KEYS,
    REVIEW_MOVED_KEYS,
    recount,
    year_figures_sql,
)

JUDGEMENTS = tuple(Judgement.values)
CATEGORIES = tuple(Finding.Category.values)


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


def _count(verbose_name):
    return models.PositiveIntegerField(verbose_name, default=0)


class BoardYear(models.Model):
    """The evaluations completed in one reporting year of one lead board's submitted reviews, counted.

    Kept by the database (statement triggers on reviews, evaluations and findings), never written by the app.
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
    operations = (
        ("insert", pgtrigger.Insert, pgtrigger.Referencing(new="new_rows"), insert),
        ("update", pgtrigger.Update, pgtrigger.Referencing(old="old_rows", new="new_rows"), update),
        ("delete", pgtrigger.Delete, pgtrigger.Referencing(old="old_rows"), delete),
    )
    return [
        pgtrigger.Trigger(
            name=f"{prefix}_on_{name}",
            operation=operation,
            when=pgtrigger.After,
            level=pgtrigger.Statement,
            referencing=referencing,
            func=BUMP_VERSION + (recount(keys) if keys else "") + "RETURN NULL;",
        )
        for name, operation, referencing, keys in operations
    ]


pgtrigger.register(
    *_triggers(
        "dashboard",
        insert=EVALUATION_KEYS.format(rows="new_rows"),
        update=EVALUATION_KEYS.format(rows="new_rows") + " UNION " + EVALUATION_KEYS.format(rows="old_rows"),
        delete=EVALUATION_KEYS.format(rows="old_rows"),
    )
)(Evaluation)
pgtrigger.register(
    *_triggers(
        "dashboard",
        insert=FINDING_KEYS.format(rows="new_rows"),
        update=FINDING_KEYS.format(rows="(SELECT review_id FROM new_rows UNION SELECT review_id FROM old_rows)"),
        delete=FINDING_KEYS.format(rows="old_rows"),
    )
)(Finding)
pgtrigger.register(
    *_triggers(
        "dashboard",
        insert=REVIEW_KEYS.format(rows="new_rows"),
        update=REVIEW_MOVED_KEYS,
        delete=DELETED_REVIEW_KEYS,
    )
)(Review)
# Recommendations and actions: the action-plan figures (dashboard/api_actions.py) are cached under the version.
for model in (Child, Contribution, Board, Region, Recommendation, Action):
    pgtrigger.register(*_triggers("dashboard"))(model)


def data_version(using="reporting"):
    """The reporting database's data version: one primary-key lookup."""
    return DataVersion.objects.using(using).filter(pk=1).values_list("version", flat=True).first() or 0


def year_figures(first_day, last_day, scopes, *, using="reporting"):
    """The evaluations completed from ``first_day`` to ``last_day`` described for each area of ``scopes``
    (``(region_id, board_id)`` pairs, None for any): one dict of figures per area, in one query.

    The figures are counts of the evaluations (``reviews``, one per judgement, ``cross_area_reviews``, the
    timeliness bands...), medians in days, and the children and findings of their reviews counted once per
    evaluation (``children``, ``age_band__under_1``, ``known__yes``, ``category__weak_management__findings``
    and ``...__reviews`` for the reviews with at least one...).
    """
    sql, params = year_figures_sql(first_day, last_day, scopes)
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchone()[0]
    for row in rows:
        del row["scope"]
    return rows
