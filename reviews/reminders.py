"""Action-plan reminders (SPEC section 9): which board staff are told of which open actions, and what was sent.

``send_action_reminders`` (the command) mails each board staff user one list a day; ``ReminderSent`` records each
email right after it went, so a second run for the same day, or a run after a crash half way, sends nothing
already sent. The actions listed follow the figures' rules (``Action.objects.counted().open_on(as_of)``).
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.urls import reverse

from reviews import roles
from reviews.models import Board, audited
from reviews.plans import DUE_SOON_DAYS, Action

# The review's action plan page (/reviews/<id>/actions/), where each listed action links to.
PLAN_PAGE = "reviews:plan"


@audited()
class ReminderSent(models.Model):
    """One reminder email sent: to whom, for which as-of day, when, and how many actions it listed."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders_sent")
    as_of = models.DateField("as-of day")
    email = models.EmailField("sent to")
    actions = models.PositiveIntegerField("actions listed")
    sent_at = models.DateTimeField("sent at", auto_now_add=True)

    class Meta:
        ordering = ["-as_of", "user"]
        verbose_name = "action reminder sent"
        verbose_name_plural = "action reminders sent"
        constraints = [models.UniqueConstraint(fields=["user", "as_of"], name="reminder_sent_once_a_day")]

    def __str__(self):
        return f"Reminder of {self.actions} actions to {self.email} for {self.as_of:%Y-%m-%d}"


@dataclass
class Reminder:
    """What one user is to be told on day ``as_of``: their boards' open actions, overdue ones first."""

    user: object
    as_of: object
    overdue: list = field(default_factory=list)
    due_soon: list = field(default_factory=list)
    days = DUE_SOON_DAYS  # "due soon": on or before as_of + days (a class attribute, not a field)

    @property
    def actions(self):
        return len(self.overdue) + len(self.due_soon)

    @property
    def due_by(self):
        return self.as_of + timedelta(days=DUE_SOON_DAYS)


def board_staff():
    """The users reminders go to: active board staff with at least one board."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=roles.BOARD_STAFF, boards__isnull=False)
        .distinct()
        .order_by("username")
    )


def reminders(as_of):
    """One ``Reminder`` per board staff user with open actions due by ``as_of`` + 14 days on reviews their boards
    lead, leaving out the users already sent one for ``as_of``. Three queries whatever the number of users.

    The actions are those the figures count (never a withdrawn one, nor one of a draft review) still open on
    ``as_of``; each is a dict with reference, recommendation and action numbers, description, due date, status
    (its label) and the plan page's link.
    """
    already = ReminderSent.objects.filter(as_of=as_of).values("user_id")
    users = board_staff().exclude(pk__in=already)
    boards_of = {}
    for user_id, board_id in Board.members.through.objects.filter(user__in=users).values_list("user_id", "board_id"):
        boards_of.setdefault(user_id, set()).add(board_id)
    if not boards_of:
        return []

    rows = (
        Action.objects.counted()
        .open_on(as_of)
        .filter(
            due_date__lte=as_of + timedelta(days=DUE_SOON_DAYS),
            recommendation__review__board__in=set().union(*boards_of.values()),
        )
        .order_by("due_date", "recommendation__review__reference", "recommendation__number", "number")
        .values(
            "number",
            "description",
            "due_date",
            "status",
            "recommendation__number",
            "recommendation__review_id",
            "recommendation__review__reference",
            "recommendation__review__board_id",
        )
    )
    status_label = dict(Action.Status.choices)
    by_board = {}
    for row in rows:
        review_id = row["recommendation__review_id"]
        by_board.setdefault(row["recommendation__review__board_id"], []).append(
            {
                "reference": row["recommendation__review__reference"],
                "recommendation": row["recommendation__number"],
                "number": row["number"],
                "description": row["description"],
                "due_date": row["due_date"],
                "status": status_label[row["status"]],
                "link": settings.SITE_URL + reverse(PLAN_PAGE, args=[review_id]),
                "overdue": row["due_date"] < as_of,
            }
        )

    result = []
    for user in users.filter(pk__in=list(boards_of)):
        actions = sorted(
            (action for board_id in boards_of[user.pk] for action in by_board.get(board_id, [])),
            key=lambda a: (a["due_date"], a["reference"], a["recommendation"], a["number"]),
        )
        if actions:
            reminder = Reminder(user=user, as_of=as_of)
            reminder.overdue = [a for a in actions if a["overdue"]]
            reminder.due_soon = [a for a in actions if not a["overdue"]]
            result.append(reminder)
    return result
