"""The one access helper for a single review (Zulip's shape): every review page, and anything else that
acts on one review by its id, finds it here. Lists, exports and APIs start from ``Review.objects.for_user``,
which this is built on, so the two can never disagree."""

from django.shortcuts import get_object_or_404

from reviews.models import Review


def access_review(user, pk, *, for_change=False):
    """The review ``pk`` if this user may read it (``for_change``: edit it), else 404.

    Missing and forbidden look the same: board staff never learn that another board's review exists. The
    lead board and its region come with the review, since every review page shows them.
    """
    reviews = Review.objects.for_user(user)
    if for_change:
        reviews = reviews.editable_by(user)
    return get_object_or_404(reviews.select_related("board__region"), pk=pk)
