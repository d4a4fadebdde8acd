"""Reads of reviews and evaluations: every view, export and API starts from ``Review.objects.for_user``."""

from django.db import models
from django.db.models import Exists, OuterRef, Q


class ReviewQuerySet(models.QuerySet):
    def for_user(self, user):
        """The reviews this user may see: the one entry point for every view, export and API.

        Superusers see everything; inspectors and managers every review that has left draft; board
        staff their own boards' reviews (drafts included) and, read only, submitted reviews their
        boards contributed to. Anyone else sees nothing.
        """
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        if user.has_perm("reviews.view_all_reviews"):
            return self.exclude(status="draft")
        from reviews.models import Board, Contribution

        my_boards = Board.objects.filter(members=user).values("pk")
        contributed = Exists(Contribution.objects.filter(review=OuterRef("pk"), board__in=my_boards))
        return self.filter(Q(board__in=my_boards) | (contributed & ~Q(status="draft")))

    def editable_by(self, user):
        """Drafts of the user's own boards: the only reviews board staff may change."""
        if not user.is_authenticated or not user.has_perm("reviews.change_review"):
            return self.none()
        from reviews.models import Board

        return self.filter(status="draft", board__in=Board.objects.filter(members=user).values("pk"))
