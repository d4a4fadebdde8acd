"""Recommendations and action plans (SPEC section 9): what each review recommended, and what the board does about it.

A review's recommendations are numbered within it and addressed to one agency or to the board as a whole; each
has actions numbered within it, with an owner agency, a due date and a status. The plan is carried out after the
review is written, so the lead board's staff change it whatever the review's status (``editable_by``).

The SPEC's rules are CHECK constraints, so the forms, the import, the admin and raw SQL all keep them (text that
must not be empty must hold a character other than white space). "Not in the future" cannot be one (a CHECK
constraint cannot depend on today), so ``Action.clean`` and the import check it.
"""

import datetime

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, F, Q
from django.utils import timezone

from reviews.models import Agency, Board, Review, audited, text_max_length
from reviews.models.constraints import numbered_within
from reviews.validators import validate_xml_text

# docs/DATA.md says why each is enough.
RECOMMENDATION_TEXT_MAX_LENGTH = 2_000
ACTION_DESCRIPTION_MAX_LENGTH = 2_000
ACTION_EVIDENCE_MAX_LENGTH = 2_000
# An open action due within this many days is "due soon" (the plan page, the tracker, the start page).
DUE_SOON_DAYS = 14


# What the tracker filters on besides the indexed order: the scope (reviews/plans_scope.py) and the filters.
TRACKER_COLUMNS = ["review_submitted", "reader_boards", "lead_board", "status", "owner_agency"]


def _readable_reviews(user):
    return Review.objects.for_user(user).values("pk")


def _lead_reviews(user, permission):
    """The reviews whose plan this user may change: those their boards lead, whatever their status."""
    if not user.is_authenticated or not user.is_active or not user.has_perm(permission):
        return Review.objects.none().values("pk")
    if user.is_superuser:
        return Review.objects.values("pk")
    return Review.objects.filter(board__in=Board.objects.of_member(user).values("pk")).values("pk")


class RecommendationQuerySet(models.QuerySet):
    def for_user(self, user):
        """The recommendations of the reviews this user may read (``Review.objects.for_user``)."""
        return self.filter(review__in=_readable_reviews(user))

    def editable_by(self, user):
        """The recommendations this user may change: board staff of the review's lead board, any status."""
        return self.filter(review__in=_lead_reviews(user, "reviews.change_recommendation"))


@audited()
class Recommendation(models.Model):
    """One recommendation of a review, addressed to an agency or (blank) to the board as a whole."""

    # No index of its own: recommendation_number_unique (review, number) starts with it.
    review = models.ForeignKey(Review, on_delete=models.CASCADE, db_index=False, related_name="recommendations")
    number = models.PositiveSmallIntegerField("recommendation number", help_text="1, 2, 3 ... within the review")
    text = models.TextField("recommendation", max_length=RECOMMENDATION_TEXT_MAX_LENGTH, validators=[validate_xml_text])
    agency = models.CharField(
        "addressed to",
        max_length=24,
        choices=Agency,
        blank=True,
        help_text="Leave blank if the recommendation is for the board as a whole",
    )
    # Optimistic locking, as Review.version: every change through the UI checks and bumps it.
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RecommendationQuerySet.as_manager()

    class Meta:
        ordering = ["review", "number"]
        constraints = [
            *numbered_within(
                "review", "text", noun="recommendation", parent_noun="review", empty_message="Enter the recommendation"
            ),
            models.CheckConstraint(
                condition=Q(agency="") | Q(agency__in=Agency.values), name="recommendation_agency_valid"
            ),
            text_max_length("text", RECOMMENDATION_TEXT_MAX_LENGTH, "recommendation_text_max_length"),
        ]

    def __str__(self):
        return f"Recommendation {self.number}"


def _open_on(as_of):
    """Not completed by day ``as_of`` (SPEC section 9), as a condition on actions."""
    # A completed action always has its date (action_completed_needs_date), so "not completed by D" is:
    return ~Q(status="completed") | Q(completed_date__gt=as_of)


def _figures(as_of):
    """The counts of SPEC section 9 on day ``as_of``, as aggregates over counted actions (one pass)."""
    completed = Q(status="completed", completed_date__lte=as_of)
    still_open = _open_on(as_of)
    return {
        "actions": Count("pk"),
        "completed": Count("pk", filter=completed),
        "open": Count("pk", filter=still_open),
        "overdue": Count("pk", filter=still_open & Q(due_date__lt=as_of)),
        "completed_late": Count("pk", filter=completed & Q(completed_date__gt=F("due_date"))),
    }


class ActionQuerySet(models.QuerySet):
    def for_user(self, user):
        """The actions of the reviews this user may read: the one entry point for the tracker, exports and APIs.

        Board staff: their own boards' reviews, drafts included (and submitted reviews their boards contributed
        to); inspectors and managers: submitted reviews; superusers: all. The same rule as
        ``Review.objects.for_user``, read from the columns the database keeps on each action (reviews/
        plans_scope.py), so it is one indexed condition on this table rather than a join through reviews.
        """
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        if user.has_perm("reviews.view_all_reviews"):
            return self.filter(review_submitted=True)
        # ARRAY(SELECT their boards' ids): one value the GIN index of reader_boards can look up.
        my_boards = ArraySubquery(Board.objects.of_member(user).order_by().values("pk"))
        return self.filter(reader_boards__overlap=my_boards)

    def editable_by(self, user):
        """The actions this user may change: board staff of the review's lead board, whatever its status."""
        return self.filter(recommendation__review__in=_lead_reviews(user, "reviews.change_action"))

    def still_open(self):
        """Actions not yet done nor withdrawn: not started or in progress (what a board still owes)."""
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, day):
        """Open actions due before ``day``: the tracker's ``overdue=yes`` and the start page, as of today."""
        return self.still_open().filter(due_date__lt=day)

    def due_soon(self, day):
        """Open actions due on ``day`` or within the DUE_SOON_DAYS after it: not overdue yet."""
        return self.still_open().filter(due_date__gte=day, due_date__lte=day + datetime.timedelta(days=DUE_SOON_DAYS))

    def plan_counts(self, day):
        """``{"actions", "overdue"}`` of these actions on ``day``, in one query (a review page's plan link)."""
        overdue = Q(status__in=OPEN_STATUSES, due_date__lt=day)
        return self.aggregate(actions=Count("pk"), overdue=Count("pk", filter=overdue))

    def counted(self):
        """The actions the figures count: never a withdrawn one, nor one of a draft review (SPEC section 9)."""
        return self.exclude(status=self.model.Status.WITHDRAWN).filter(
            recommendation__review__in=Review.objects.submitted().values("pk")
        )

    def open_on(self, as_of):
        """The actions still open on day ``as_of``: not completed by then (a withdrawn one is not open in the
        figures because ``counted()`` leaves it out; call this on ``counted()``)."""
        return self.filter(_open_on(as_of))

    def figures(self, as_of):
        """``{"actions", "completed", "open", "overdue", "completed_late"}`` of these actions on day ``as_of``,
        in one query. Call it on ``counted()`` for the published figures.

        Completed by D: status completed with a date on or before D; open: not completed by D (completed after D
        included); overdue: open and due before D; completed late: completed by D after its due date.
        """
        return self.aggregate(**_figures(as_of))

    def figures_by_board(self, as_of):
        """The same counts per lead board: plain rows ``{"board_id", "actions", ...}`` ordered by board id, one
        query; a board without actions here has no row."""
        return list(
            self.values(board_id=F("recommendation__review__board_id")).annotate(**_figures(as_of)).order_by("board_id")
        )


@audited(exclude=["lead_board", "review_submitted", "reader_boards"])
class Action(models.Model):
    """One action of a board's plan for a recommendation: who does what by when, and how it went."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"
        WITHDRAWN = "withdrawn", "Withdrawn"

    # No index of its own: action_number_unique (recommendation, number) starts with it.
    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, db_index=False, related_name="actions")
    number = models.PositiveSmallIntegerField("action number", help_text="1, 2, 3 ... within the recommendation")
    description = models.TextField("action", max_length=ACTION_DESCRIPTION_MAX_LENGTH, validators=[validate_xml_text])
    owner_agency = models.CharField("owner", max_length=24, choices=Agency, help_text="The agency that does it")
    due_date = models.DateField("due date", help_text="For example, 27 3 2011")
    status = models.CharField(max_length=11, choices=Status, default=Status.NOT_STARTED)
    completed_date = models.DateField(
        "date completed", null=True, blank=True, help_text="Only for a completed action. For example, 27 3 2011"
    )
    evidence = models.TextField(
        blank=True,
        max_length=ACTION_EVIDENCE_MAX_LENGTH,
        validators=[validate_xml_text],
        help_text="What shows the action was done and made a difference; for a withdrawn action, why it no "
        "longer applies",
    )
    # Optimistic locking, as Review.version: every change through the UI checks and bumps it.
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    # Kept by the database from the action's review (reviews/plans_scope.py: a row trigger fills them on every
    # write of the action, statement triggers when the review, its contributions or the recommendation change);
    # whatever the app writes here is replaced. Who may read the action and by what lead board the tracker
    # filters it, as columns of the action, so one index answers the tracker's page.
    lead_board = models.ForeignKey(
        Board,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # action_tracker_board_idx starts with it
        null=True,
        editable=False,
        related_name="+",
    )
    # Database defaults: a COPY that leaves them out is filled by the row trigger (tests/test_bulk.py).
    review_submitted = models.BooleanField(default=False, db_default=False, editable=False)
    # The boards whose staff read the action: the lead board, and the contributing boards once the review has
    # left draft (Review.objects.for_user), in id order.
    reader_boards = ArrayField(models.BigIntegerField(), default=list, db_default=[], editable=False)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["recommendation", "number"]
        constraints = [
            *numbered_within(
                "recommendation",
                "description",
                noun="action",
                parent_noun="recommendation",
                empty_message="Enter the action",
            ),
            models.CheckConstraint(condition=Q(owner_agency__in=Agency.values), name="action_owner_agency_valid"),
            models.CheckConstraint(
                condition=Q(status__in=["not_started", "in_progress", "completed", "withdrawn"]),
                name="action_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(completed_date__isnull=False),
                name="action_completed_needs_date",
                violation_error_message="Enter the date the action was completed",
            ),
            models.CheckConstraint(
                condition=Q(status="completed") | Q(completed_date__isnull=True),
                name="action_only_completed_has_date",
                violation_error_message="Only a completed action has a date completed",
            ),
            models.CheckConstraint(
                condition=~Q(status="withdrawn") | Q(evidence__regex=r"\S"),
                name="action_withdrawn_needs_evidence",
                violation_error_message="Say why the action was withdrawn",
            ),
            text_max_length("description", ACTION_DESCRIPTION_MAX_LENGTH, "action_description_max_length"),
            text_max_length("evidence", ACTION_EVIDENCE_MAX_LENGTH, "action_evidence_max_length"),
        ]
        indexes = [
            # The tracker's orders and ranges: by due date; by status (and the counting's open/overdue tests);
            # by lead board (the board and region filters). Each carries the scope and the other filters'
            # columns, so a page and its capped count are read from the index alone (index-only scans, on a
            # vacuumed table), never from the wide rows in due-date order.
            models.Index(fields=["due_date", "id"], include=TRACKER_COLUMNS, name="action_tracker_due_idx"),
            models.Index(
                fields=["status", "due_date", "id"], include=TRACKER_COLUMNS, name="action_tracker_status_idx"
            ),
            models.Index(
                fields=["lead_board", "due_date", "id"], include=TRACKER_COLUMNS, name="action_tracker_board_idx"
            ),
            # Board staff's readable actions (reader_boards && their boards): a few thousand of half a million.
            GinIndex(fields=["reader_boards"], name="action_reader_boards_idx"),
        ]

    def __str__(self):
        return f"Action {self.number}"

    def clean(self):
        super().clean()
        if self.completed_date is not None and self.completed_date > timezone.localdate():
            raise ValidationError({"completed_date": "The date completed must be today or in the past"})


OPEN_STATUSES = (Action.Status.NOT_STARTED, Action.Status.IN_PROGRESS)


def deadline(status, due_date, day):
    """``"overdue"``, ``"due_soon"`` or ``""`` for an action with this status and due date, on ``day``: the
    same rule as ``ActionQuerySet.overdue`` and ``.due_soon``, for rows already read."""
    if status not in OPEN_STATUSES:
        return ""
    if due_date < day:
        return "overdue"
    if due_date <= day + datetime.timedelta(days=DUE_SOON_DAYS):
        return "due_soon"
    return ""
