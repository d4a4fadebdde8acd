"""The counted actions the database keeps (``CountedAction``, reviews/plans_counting.py) equal a recount from the
base tables after any sequence of writes to actions, recommendations and reviews, by the ORM, by bulk
statements and by the import's COPY; and the figures the API reads from them equal the figures counted from
the base tables (``Action.objects.counted()``) on any as-of day."""

import datetime
import io

from django.core.management import call_command
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviews import bulk, demo
from reviews.models import Action, ActionMonth, CountedAction, Recommendation, Review
from reviews.plans_counting import board_figures
from tests.factories import board

BOARDS = ["E08000025", "E08000026", "E08000035", "E10000016"]
FIRST, LAST = datetime.date(2009, 1, 1), datetime.date(2012, 12, 31)
STATUSES = ["not_started", "in_progress", "completed", "withdrawn"]
days = st.dates(min_value=FIRST, max_value=LAST)

action = st.tuples(st.sampled_from(STATUSES), days, days)
review = st.tuples(
    st.sampled_from(BOARDS),
    st.sampled_from(["draft", "submitted", "evaluated"]),
    st.lists(st.lists(action, max_size=3), max_size=3),  # recommendations, each with its actions
)
registers = st.lists(review, min_size=1, max_size=6)


def action_fields(status, due, done):
    return {
        "due_date": due,
        "status": status,
        "completed_date": done if status == "completed" else None,
        "evidence": "No longer needed" if status == "withdrawn" else "",
    }


def write(register):
    for n, (gss, status, recommendations) in enumerate(register):
        created = Review.objects.create(reference=f"P-{n}", board=board(gss), title=f"Review {n}", status=status)
        for number, actions in enumerate(recommendations, start=1):
            recommendation = Recommendation.objects.create(review=created, number=number, text="Do better")
            Action.objects.bulk_create(
                Action(
                    recommendation=recommendation,
                    number=k,
                    description="Act",
                    owner_agency="police",
                    **action_fields(*fields),
                )
                for k, fields in enumerate(actions, start=1)
            )


def kept():
    return set(CountedAction.objects.values_list("action_id", "board_id", "due_date", "completed_date"))


def recount():
    return set(
        Action.objects.counted().values_list("pk", "recommendation__review__board_id", "due_date", "completed_date")
    )


def nth(queryset, n):
    rows = list(queryset.order_by("pk"))
    return rows[n % len(rows)] if rows else None


def next_number(model, **parent):
    return (model.objects.filter(**parent).aggregate(last=Max("number"))["last"] or 0) + 1


def apply(operation, n, value, day, status):
    """One write, as the plan pages, the import, the admin or raw SQL would make it."""
    if operation == "status" and (a := nth(Action.objects, n)):
        for name, field_value in action_fields(status, a.due_date, day).items():
            setattr(a, name, field_value)
        a.save()
    elif operation == "redue" and (a := nth(Action.objects, n)):
        Action.objects.filter(pk=a.pk).update(due_date=day)
    elif operation == "bulk_status":  # one statement over many rows
        Action.objects.filter(status="in_progress").update(status="not_started")
    elif operation == "move_action" and (a := nth(Action.objects, n)) and (m := nth(Recommendation.objects, value)):
        Action.objects.filter(pk=a.pk).update(recommendation=m, number=next_number(Action, recommendation=m))
    elif operation == "delete_action" and (a := nth(Action.objects, n)):
        a.delete()
    elif operation == "add_action" and (m := nth(Recommendation.objects, n)):
        Action.objects.create(
            recommendation=m,
            number=next_number(Action, recommendation=m),
            description="New",
            owner_agency="health",
            **action_fields(status, day, day),
        )
    elif operation == "copy_actions" and (m := nth(Recommendation.objects, n)):  # the import's COPY path
        # Several rows in one statement, their kept scope (reviews/plans_scope.py) sent wrong: the triggers fix it.
        now = timezone.now()
        fields = action_fields(status, day, day)
        bulk.copy_rows(
            Action,
            [
                (m.pk, next_number(Action, recommendation=m) + k, "Copied", "education", fields["due_date"],
                 fields["status"], fields["completed_date"], fields["evidence"], 1, now, None, False, "{}")
                for k in range(value % 3 + 1)
            ],
        )  # fmt: skip
    elif (
        operation == "move_recommendation"
        and (m := nth(Recommendation.objects, n))
        and (r := nth(Review.objects, value))
    ):
        m.review = r
        m.number = next_number(Recommendation, review=r)
        m.save()
    elif operation == "delete_recommendation" and (m := nth(Recommendation.objects, n)):
        m.delete()
    elif operation == "move_review" and (r := nth(Review.objects, n)):
        r.board = board(BOARDS[value % len(BOARDS)])
        r.save()
    elif operation == "draft" and (r := nth(Review.objects, n)):
        Review.objects.filter(pk=r.pk).update(status="draft" if value % 2 else "submitted")
    elif operation == "all_submitted":
        Review.objects.filter(status="draft").update(status="submitted")
    elif operation == "delete_review" and (r := nth(Review.objects, n)):
        r.delete()


OPERATIONS = [
    "status",
    "redue",
    "bulk_status",
    "move_action",
    "delete_action",
    "add_action",
    "copy_actions",
    "move_recommendation",
    "delete_recommendation",
    "move_review",
    "draft",
    "all_submitted",
    "delete_review",
]
operations = st.lists(
    st.tuples(
        st.sampled_from(OPERATIONS),
        st.integers(min_value=0, max_value=30),
        st.integers(min_value=0, max_value=30),
        days,
        st.sampled_from(STATUSES),
    ),
    max_size=10,
)


class Rollback(Exception):
    pass


def month_tally():
    """The kept counts per (board, month), rows of zeros left out."""
    counts = ("due_open", "due_late", "done_late", "done_on_time")
    rows = ActionMonth.objects.values_list("board_id", "month", *counts)
    return {(row[0], row[1]): row[2:] for row in rows if any(row[2:])}


def month_recount():
    found = {}

    def add(board_id, day, column):
        counts = found.setdefault((board_id, day.replace(day=1)), [0, 0, 0, 0])
        counts[column] += 1

    for board_id, due, done in Action.objects.counted().values_list(
        "recommendation__review__board_id", "due_date", "completed_date"
    ):
        if done is None:
            add(board_id, due, 0)
        elif done > due:
            add(board_id, due, 1)
            add(board_id, done, 2)
        else:
            add(board_id, done, 3)
    return {key: tuple(counts) for key, counts in found.items()}


def same_figures(as_of):
    assert CountedAction.objects.figures(as_of) == Action.objects.counted().figures(as_of)
    recounted = Action.objects.counted().figures_by_board(as_of)
    assert CountedAction.objects.figures_by_board(as_of) == recounted
    assert board_figures(as_of) == recounted
    some = {row["board_id"] for row in recounted[::2]}
    assert board_figures(as_of, boards=some) == [row for row in recounted if row["board_id"] in some]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(register=registers, writes=operations, as_of=days)
def test_the_counted_actions_equal_a_recount_after_any_writes(db, register, writes, as_of):
    try:
        with transaction.atomic():
            write(register)
            assert kept() == recount()
            for operation in writes:
                apply(*operation)
                assert kept() == recount(), operation
            assert month_tally() == month_recount()
            same_figures(as_of)
            same_figures(as_of.replace(day=1))  # the first of a month: no day of it before the as-of day
            raise Rollback
    except Rollback:
        pass


def test_seed_demo_leaves_the_kept_counts_equal_to_a_recount(db):
    """seed_demo writes plans by COPY with its own index handling, and --replace deletes the old ones first."""
    for seed in ("7", "8"):
        quiet = {"stdout": io.StringIO(), "stderr": io.StringIO()}
        call_command("seed_demo", "--reviews", "150", "--seed", seed, "--replace", **quiet)
        assert Action.objects.counted().exists()
        assert kept() == recount()
        assert month_tally() == month_recount()
        for as_of in (demo.AS_OF, demo.AS_OF.replace(day=1), datetime.date(2010, 6, 15)):
            same_figures(as_of)
