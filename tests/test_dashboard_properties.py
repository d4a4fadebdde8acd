"""Properties of the dashboard's aggregates on generated registers: the board rows add up to the regional and
national rows, and every row equals an independent raw-SQL computation (its own reporting-year rule and
PostgreSQL's numeric rounding for the percentages)."""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard import queries
from reviews.models import Board, Evaluation, Review
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

    # The national summary of each year agrees with England's row.
    for row in rates["national"]:
        [details] = queries.year_details(row["year"], [queries.Scope()])
        figures = queries.summary(row["year"], details)
        assert figures["reviews"] == row["reviews"]
        assert {j: figures["judgements"][j]["pct"] for j in JUDGEMENTS} == {j: row[f"{j}_pct"] for j in JUDGEMENTS}
