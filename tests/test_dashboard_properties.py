"""Properties of the dashboard's aggregates on generated registers: the board rows add up to the regional and
national rows, and every row equals an independent raw-SQL computation (its own reporting-year rule and
PostgreSQL's numeric rounding for the percentages); the rows the database keeps per board and year
(``BoardYear``) equal a recount from the base tables after any sequence of writes."""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Max
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard import queries
from reviews.models import Board, Child, Contribution, Evaluation, Finding, Region, Review
from reviews.reporting import BoardYear
from reviews.years import year_bounds
from tests import year_details_oracle
from tests.factories import board

BOARDS = ["E08000025", "E08000026", "E08000035", "E10000016", "E09000007", "E06000047"]
JUDGEMENTS = ["outstanding", "good", "adequate", "inadequate"]
FIRST, LAST = datetime.date(2007, 3, 1), datetime.date(2010, 5, 31)

evaluation = st.tuples(st.dates(min_value=FIRST, max_value=LAST), st.sampled_from(JUDGEMENTS))
review = st.tuples(
    st.sampled_from(BOARDS),
    st.sampled_from(["submitted", "evaluated", "draft"]),
    st.lists(evaluation, max_size=3),
)
registers = st.lists(review, min_size=1, max_size=15)

INDEPENDENT = """
    SELECT key, start_year, judgement, count(*) AS n,
           round(100.0 * count(*) / sum(count(*)) OVER (PARTITION BY key, start_year), 1) AS pct
    FROM (
        SELECT {area} AS key, e.judgement,
               CASE WHEN EXTRACT(MONTH FROM e.completed_date) >= 4 THEN EXTRACT(YEAR FROM e.completed_date)
                    ELSE EXTRACT(YEAR FROM e.completed_date) - 1 END::int AS start_year
        FROM reviews_evaluation e
        JOIN reviews_review r ON r.id = e.review_id
        JOIN reviews_board b ON b.id = r.board_id
        JOIN reviews_region g ON g.id = b.region_id
        WHERE r.status IN ('submitted', 'evaluated')
    ) evaluations
    GROUP BY 1, 2, 3
"""


def independent(area):
    """{(key, year label): {judgement: (count, pct)}} straight from SQL, written without the dashboard's code."""
    with connection.cursor() as cursor:
        cursor.execute(INDEPENDENT.format(area=area))
        found = defaultdict(dict)
        for key, start_year, judgement, n, pct in cursor.fetchall():
            found[key, queries.year_label(start_year)][judgement] = (n, pct)
    return found


def write(register):
    for n, (gss, status, evaluations) in enumerate(register):
        if status == "draft":
            evaluations = []  # a draft has never reached Ofsted
        elif status == "evaluated" and not evaluations:
            status = "submitted"
        elif evaluations:
            status = "evaluated"
        created = Review.objects.create(
            reference=f"H-{n}",
            board=board(gss),
            title=f"Review {n}",
            decision_date=datetime.date(2006, 1, 1),
            completed_date=datetime.date(2006, 12, 1),
            submitted_date=datetime.date(2007, 1, 1) if status != "draft" else None,
            status=status,
        )
        Evaluation.objects.bulk_create(
            Evaluation(
                review=created,
                sequence=sequence,
                received_date=done - datetime.timedelta(days=20),
                completed_date=done,
                judgement=judgement,
            )
            for sequence, (done, judgement) in enumerate(sorted(evaluations), start=1)
        )


class Rollback(Exception):
    pass


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(register=registers)
def test_board_rows_add_up_to_regions_and_england_and_match_raw_sql(reporting_shares_default, register):
    try:
        with transaction.atomic():
            write(register)
            check()
            raise Rollback
    except Rollback:
        pass


def check():
    boards = {b.pk: b for b in Board.objects.select_related("region")}
    rates = queries.judgement_rates(queries.judgement_counts(), boards)
    region_of = {b.gss_code: b.region.code for b in boards.values()}

    # Board rows add up to the regional rows and to England's.
    sums = {"region": defaultdict(lambda: [0] * 5), "national": defaultdict(lambda: [0] * 5)}
    for row in rates["board"]:
        numbers = [row["reviews"], *(row[j] for j in JUDGEMENTS)]
        for level, key in (("region", region_of[row["key"]]), ("national", queries.ENGLAND)):
            total = sums[level][key, row["year"]]
            for i, value in enumerate(numbers):
                total[i] += value
    for level in ("region", "national"):
        assert {(row["key"], row["year"]): [row["reviews"], *(row[j] for j in JUDGEMENTS)] for row in rates[level]} == (
            dict(sums[level])
        )

    # Every row equals the independent SQL: counts, the total, and percentages rounded by PostgreSQL.
    for level, area in (("board", "b.gss_code"), ("region", "g.code"), ("national", "'E92000001'")):
        expected = independent(area)
        assert {(row["key"], row["year"]) for row in rates[level]} == set(expected)
        for row in rates[level]:
            found = expected[row["key"], row["year"]]
            assert row["reviews"] == sum(n for n, _ in found.values())
            for judgement in JUDGEMENTS:
                n, pct = found.get(judgement, (0, Decimal("0.0")))
                assert row[judgement] == n
                assert row[f"{judgement}_pct"] == pct

    details_agree()

    # The national summary of each year agrees with England's row.
    for row in rates["national"]:
        [details] = queries.year_details(row["year"], [queries.Scope()])
        figures = queries.summary(row["year"], details)
        assert figures["reviews"] == row["reviews"]
        assert {j: figures["judgements"][j]["pct"] for j in JUDGEMENTS} == {j: row[f"{j}_pct"] for j in JUDGEMENTS}


# --- The kept rows after random writes --------------------------------------------------------------------------

CATEGORIES = list(Finding.Category.values)
RECOUNT = """
    SELECT b.gss_code,
           CASE WHEN EXTRACT(MONTH FROM e.completed_date) >= 4 THEN EXTRACT(YEAR FROM e.completed_date)
                ELSE EXTRACT(YEAR FROM e.completed_date) - 1 END::int AS start_year,
           count(*), {judgements}, {categories}
    FROM reviews_evaluation e
    JOIN reviews_review r ON r.id = e.review_id
    JOIN reviews_board b ON b.id = r.board_id
    WHERE r.status IN ('submitted', 'evaluated')
    GROUP BY 1, 2
"""


def recount():
    """{(board code, start year): [evaluations, per judgement..., per category...]} from the base tables."""
    sql = RECOUNT.format(
        judgements=", ".join(f"count(*) FILTER (WHERE e.judgement = '{j}')" for j in JUDGEMENTS),
        categories=", ".join(
            f"count(*) FILTER (WHERE EXISTS (SELECT 1 FROM reviews_finding f WHERE f.review_id = r.id "  # noqa: S608
            f"AND f.category = '{c}'))"
            for c in CATEGORIES
        ),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return {(code, year): list(counts) for code, year, *counts in cursor.fetchall()}


def details_agree():
    """Each year's details (kept rows summed, medians) for England, every region and every board equal the
    same figures computed straight from the base tables, as the dashboard did before it kept them."""
    boards = list(Board.objects.filter(gss_code__in=BOARDS))
    scopes = [
        queries.Scope(),
        *(queries.Scope(region_id=pk) for pk in {b.region_id for b in boards}),
        *(queries.Scope(board_id=b.pk) for b in boards),
    ]
    years = {e.completed_date.year - (e.completed_date.month < 4) for e in Evaluation.objects.all()}
    for start_year in sorted(years | {2008}):
        label = queries.year_label(start_year)
        first, last = year_bounds(label)
        expected = year_details_oracle.year_figures(first, last, [(s.region_id, s.board_id) for s in scopes])
        assert queries.year_details(label, scopes) == expected, label


def kept():
    fields = ["evaluations", *JUDGEMENTS, *CATEGORIES]
    return {
        (row["board__gss_code"], row["start_year"]): [row[f] for f in fields]
        for row in BoardYear.objects.values("board__gss_code", "start_year", *fields)
    }


def nth(queryset, n):
    """The n-th row (modulo their number) of ``queryset`` in primary key order, or None when it is empty."""
    rows = list(queryset.order_by("pk"))
    return rows[n % len(rows)] if rows else None


def apply(operation, n, value, day, judgement):
    """One write to the register, as the forms, the admin, the import or raw SQL would make it."""
    if operation == "judge" and (e := nth(Evaluation.objects, n)):
        e.judgement = judgement
        e.save()
    elif operation == "redate" and (e := nth(Evaluation.objects, n)):
        Evaluation.objects.filter(pk=e.pk).update(completed_date=day, received_date=day - datetime.timedelta(days=5))
    elif operation == "delete_evaluation" and (e := nth(Evaluation.objects, n)):
        e.delete()
    elif operation == "evaluate" and (r := nth(Review.objects.exclude(status="draft"), n)):
        sequence = (Evaluation.objects.filter(review=r).aggregate(last=Max("sequence"))["last"] or 0) + 1
        Evaluation.objects.create(
            review=r, sequence=sequence, received_date=day, completed_date=day, judgement=judgement
        )
    elif operation == "find" and (r := nth(Review.objects, n)):
        Finding.objects.create(review=r, category=CATEGORIES[value % len(CATEGORIES)])
    elif operation == "recategorise" and (r := nth(Review.objects, n)):
        Finding.objects.filter(review=r).update(category=CATEGORIES[value % len(CATEGORIES)])
    elif operation == "unfind" and (r := nth(Review.objects, n)):
        Finding.objects.filter(review=r).delete()
    elif operation == "move" and (r := nth(Review.objects, n)):
        r.board = board(BOARDS[value % len(BOARDS)])
        r.save()
    elif operation == "draft" and (r := nth(Review.objects, n)):
        Review.objects.filter(pk=r.pk).update(status="draft" if value % 2 else "evaluated")
    elif operation == "delete_review" and (r := nth(Review.objects, n)):
        r.delete()
    elif operation == "child" and (r := nth(Review.objects, n)):
        Child.objects.create(review=r, pseudonym=f"Child {n}", outcome="died")
    elif operation == "redecide" and (r := nth(Review.objects, n)):  # completed 2006-12-01: months before it
        Review.objects.filter(pk=r.pk).update(
            decision_date=datetime.date(2006, 12, 1) - datetime.timedelta(days=value * 20)
        )
    elif operation == "independent" and (r := nth(Review.objects, n)):
        Review.objects.filter(pk=r.pk).update(independent_chair=[None, True, False][value % 3], independent_author=True)
    elif operation == "contribute" and (r := nth(Review.objects, n)):
        Contribution.objects.get_or_create(review=r, board=board(BOARDS[value % len(BOARDS)]))
    elif operation == "known" and (c := nth(Child.objects, n)):
        Child.objects.filter(pk=c.pk).update(known_to_social_care=[None, True, False][value % 3], age_band="1_to_5")
    elif operation == "regroup":
        moved = board(BOARDS[n % len(BOARDS)])
        moved.region = nth(Region.objects, value)
        moved.save()


operations = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "judge",
                "redate",
                "delete_evaluation",
                "evaluate",
                "find",
                "recategorise",
                "unfind",
                "move",
                "draft",
                "delete_review",
                "child",
                "redecide",
                "independent",
                "contribute",
                "known",
                "regroup",
            ]
        ),  # fmt: skip
        st.integers(min_value=0, max_value=50),
        st.integers(min_value=0, max_value=50),
        st.dates(min_value=FIRST, max_value=LAST),
        st.sampled_from(JUDGEMENTS),
    ),
    max_size=12,
)


findings = st.lists(st.tuples(st.integers(min_value=0, max_value=50), st.integers(min_value=0, max_value=50)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(register=registers, findings=findings, writes=operations)
def test_the_kept_rows_equal_a_recount_after_any_writes(reporting_shares_default, register, findings, writes):
    try:
        with transaction.atomic():
            write(register)
            Finding.objects.bulk_create(
                Finding(review=review, category=CATEGORIES[category % len(CATEGORIES)])
                for n, category in findings
                if (review := nth(Review.objects, n))
            )
            assert kept() == recount()
            for operation in writes:
                apply(*operation)
                assert kept() == recount(), operation
                details_agree()
            check()  # and the regional and national sums, after boards changed region too
            raise Rollback
    except Rollback:
        pass


def test_every_write_changes_the_data_version(reporting_shares_default):
    versions = [queries.data_version()]
    review = Review.objects.create(reference="V-1", board=board(), title="Review", status="submitted")
    versions.append(queries.data_version())
    Evaluation.objects.create(
        review=review, received_date=datetime.date(2008, 5, 1), completed_date=datetime.date(2008, 6, 1),
        judgement="good",
    )  # fmt: skip
    versions.append(queries.data_version())
    Finding.objects.create(review=review, category="other")
    versions.append(queries.data_version())
    Child.objects.create(review=review, pseudonym="Child A", outcome="died")
    versions.append(queries.data_version())
    Board.objects.filter(pk=review.board_id).update(name="Renamed")
    versions.append(queries.data_version())
    review.delete()
    versions.append(queries.data_version())
    assert len(set(versions)) == len(versions)


D = datetime.date


def test_board_year_judgement_counts_give_each_boards_year_in_one_query(
    reporting_shares_default, django_assert_num_queries
):
    write(
        [
            ("E08000025", "evaluated", [(D(2008, 4, 1), "good"), (D(2009, 3, 31), "inadequate")]),
            ("E08000025", "evaluated", [(D(2009, 4, 1), "good")]),
            ("E08000026", "evaluated", [(D(2008, 6, 1), "good")]),
        ]
    )  # fmt: skip
    Review.objects.filter(reference="H-2").update(status="draft")  # sent back to draft: it no longer counts
    Finding.objects.create(review=Review.objects.get(reference="H-0"), category="risk_assessment")
    with django_assert_num_queries(1):
        rows = BoardYear.objects.judgement_counts(start_year=2008)
    [row] = rows
    assert (row["board_id"], row["region_id"], row["start_year"]) == (board().pk, board().region_id, 2008)
    assert [row[name] for name in ("reviews", *JUDGEMENTS)] == [2, 0, 1, 0, 1]
    assert row["risk_assessment"] == 2 and row["weak_management"] == 0
    assert [r["start_year"] for r in BoardYear.objects.judgement_counts()] == [2008, 2009]
