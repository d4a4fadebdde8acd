"""The columns the database keeps on each action for the tracker's scope (``lead_board``, ``review_submitted``,
``reader_boards``: reviews/plans_scope.py) equal a recount from the reviews and their contributions after any
sequence of writes (a review's lead board or status changed, a contribution added, moved or removed, actions
added, moved, copied and deleted, recommendations moved, reviews deleted, the CSV import); and
``Action.objects.for_user`` reads from them exactly the actions of ``Review.objects.for_user``, for every role."""

import datetime
from collections import defaultdict

import pytest
from django.apps import apps
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviews.models import Action, Contribution, Recommendation, Review
from tests.factories import UserFactory, board
from tests.test_action_counting_properties import (
    BOARDS,
    OPERATIONS,
    Rollback,
    apply,
    days,
    next_number,
    nth,
    registers,
    write,
)
from tests.test_import import run
from tests.test_import_plans import PLANS

SCOPE_OPERATIONS = [*OPERATIONS, "contribute", "uncontribute", "move_contribution", "scramble", "bulk_create"]
operations = st.lists(
    st.tuples(
        st.sampled_from(SCOPE_OPERATIONS),
        st.integers(min_value=0, max_value=30),
        st.integers(min_value=0, max_value=30),
        days,
        st.sampled_from(["not_started", "in_progress", "completed", "withdrawn"]),
    ),
    max_size=10,
)


def kept():
    rows = Action.objects.values_list("pk", "lead_board_id", "review_submitted", "reader_boards")
    return {(pk, lead, submitted, tuple(readers)) for pk, lead, submitted, readers in rows}


def recount():
    """The same columns from the base tables: the lead board, and contributing boards once not a draft."""
    contributors = defaultdict(set)
    for review_id, board_id in Contribution.objects.values_list("review_id", "board_id"):
        contributors[review_id].add(board_id)
    rows = Action.objects.values_list(
        "pk", "recommendation__review_id", "recommendation__review__board_id", "recommendation__review__status"
    )
    found = set()
    for pk, review_id, lead, status in rows:
        submitted = status != Review.Status.DRAFT
        readers = {lead} | (contributors[review_id] if submitted else set())
        found.add((pk, lead, submitted, tuple(sorted(readers))))
    return found


def apply_scope(operation, n, value, day, status):
    """A write of the base tables as the pages, the admin, the import or raw SQL would make it."""
    gss = BOARDS[value % len(BOARDS)]
    if operation == "contribute" and (r := nth(Review.objects, n)):
        Contribution.objects.get_or_create(review=r, board=board(gss))
    elif operation == "uncontribute" and (c := nth(Contribution.objects, n)):
        c.delete()
    elif operation == "move_contribution" and (c := nth(Contribution.objects, n)):
        taken = set(Contribution.objects.filter(review=c.review_id).values_list("board__gss_code", flat=True))
        if gss not in taken:  # one statement: the trigger sees the old and the new board
            Contribution.objects.filter(pk=c.pk).update(board=board(gss))
    elif operation == "scramble":  # one UPDATE writing wrong kept values into many rows
        wrong = {"lead_board": board(gss), "review_submitted": bool(value % 2), "reader_boards": [n]}
        Action.objects.filter(pk__gte=n).update(**wrong)
    elif operation == "bulk_create" and (m := nth(Recommendation.objects, n)):  # one INSERT of several rows
        first = next_number(Action, recommendation=m)
        Action.objects.bulk_create(
            Action(
                recommendation=m,
                number=first + k,
                description="Bulk",
                owner_agency="police",
                due_date=day or datetime.date(2020, 1, 1),
                lead_board=board(gss),
                review_submitted=bool(k % 2),
                reader_boards=[value, n],
            )
            for k in range(value % 3 + 1)
        )
    else:
        apply(operation, n, value, day, status)


def readers():
    """A user of each kind whose view differs: staff of a lead board, of a contributing board, of two boards,
    an inspector, a manager and a superuser."""
    return [
        UserFactory(role="board_staff", boards=[BOARDS[0]]),
        UserFactory(role="board_staff", boards=[BOARDS[1]]),
        UserFactory(role="board_staff", boards=[BOARDS[2], BOARDS[3]]),
        UserFactory(role="inspector"),
        UserFactory(role="manager"),
        UserFactory(role="admin"),
    ]


def same_access(users):
    for user in users:
        through_reviews = Action.objects.filter(recommendation__review__in=Review.objects.for_user(user).values("pk"))
        assert set(Action.objects.for_user(user).values_list("pk", flat=True)) == set(
            through_reviews.values_list("pk", flat=True)
        ), user.username


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(register=registers, writes=operations, contributions=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 3))))
def test_the_kept_scope_equals_a_recount_after_any_writes(db, register, writes, contributions):
    try:
        with transaction.atomic():
            users = readers()
            write(register)
            for n, k in contributions:
                apply_scope("contribute", n, k, None, None)
            assert kept() == recount()
            same_access(users)
            for operation in writes:
                apply_scope(*operation)
                assert kept() == recount(), operation
            same_access(users)
            raise Rollback
    except Rollback:
        pass


@pytest.mark.django_db
def test_the_import_fills_the_kept_scope_and_keeps_it_when_a_review_changes_board():
    assert run(PLANS).errors == []
    review = Review.objects.get(reference="SCR-2008-001")  # led by Birmingham; Coventry and Sandwell contributed
    expected = sorted(board(gss).pk for gss in ("E08000025", "E08000026", "E08000029"))
    assert {tuple(row) for row in Action.objects.values_list("reader_boards", flat=True)} == {tuple(expected)}
    assert kept() == recount()
    led_by_leeds = PLANS["reviews.csv"].replace("SCR-2008-001,E08000025,E08000026;", "SCR-2008-001,E08000035,")
    moved = PLANS | {"reviews.csv": led_by_leeds}
    assert run(moved).errors == []
    review.refresh_from_db()
    assert review.board.gss_code == "E08000035"
    assert set(Action.objects.values_list("lead_board__gss_code", flat=True)) == {"E08000035"}
    assert kept() == recount()


@pytest.mark.django_db
def test_refilling_the_kept_scope_records_no_audit_event_and_a_save_cannot_undo_it():
    assert run(PLANS).errors == []
    events = apps.get_model("reviews", "ActionEvent").objects
    before = events.count()
    review = Review.objects.get(reference="SCR-2008-001")
    review.board = board("E08000035")
    review.save()
    Contribution.objects.filter(review=review).delete()
    assert events.count() == before  # the actions' own fields did not change
    action = Action.objects.filter(recommendation__review=review).first()
    stale = Action.objects.get(pk=action.pk)
    stale.lead_board_id, stale.reader_boards = None, []  # what a form's instance might hold
    stale.description = "Reworded"
    stale.save()
    assert events.count() == before + 1  # the description's change, and only that
    assert kept() == recount()
    assert Action.objects.get(pk=action.pk).reader_boards == [board("E08000035").pk]
