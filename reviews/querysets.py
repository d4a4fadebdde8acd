"""Reads of reviews and evaluations: every list, export and API starts from ``Review.objects.for_user``, and
a single review comes from ``reviews.access.access_review``."""

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
            return self.submitted()
        from reviews.models import Board, Contribution

        my_boards = Board.objects.of_member(user).values("pk")
        contributed = Exists(Contribution.objects.filter(review=OuterRef("pk"), board__in=my_boards))
        return self.filter(Q(board__in=my_boards) | (contributed & ~Q(status=self.model.Status.DRAFT)))

    def editable_by(self, user):
        """Drafts of the user's own boards: the only reviews board staff may change."""
        if not user.is_authenticated or not user.has_perm("reviews.change_review"):
            return self.none()
        from reviews.models import Board

        return self.filter(status=self.model.Status.DRAFT, board__in=Board.objects.of_member(user).values("pk"))

    def submitted(self):
        """Reviews that have reached Ofsted (submitted or evaluated): what every published figure counts."""
        return self.exclude(status=self.model.Status.DRAFT)
