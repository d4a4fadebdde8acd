"""What a review's pages share: who may change or submit it, the 403 page saying why not, the audit context."""

import pghistory
from django.shortcuts import render
from django.utils.formats import date_format

from reviews import editing
from reviews.models import Review


def audit(request):
    """Name the user in the audit context of this request's writes (the middleware records their id)."""
    pghistory.context(username=request.user.get_username())


def can_edit(user, review):
    """Board staff of the lead board, while it is a draft (admins change reviews in the Django admin)."""
    return (
        user.has_perm("reviews.change_review_obj", review)
        and editing.own_boards(user).filter(pk=review.board_id).exists()
    )


def can_submit(user, review):
    return can_edit(user, review) and user.has_perm("reviews.submit_review_obj", review)


def refused(request, review, *, heading, reason):
    """403 with the reason in words: the user may read this review but not do this to it."""
    context = {"review": review, "heading": heading, "reason": reason}
    return render(request, "reviews/review_refused.html", context, status=403)


def edit_refusal(request, review):
    if review.status != Review.Status.DRAFT and editing.own_boards(request.user).filter(pk=review.board_id).exists():
        when = f" on {date_format(review.submitted_date, 'j F Y')}" if review.submitted_date else ""
        reason = f"This review was submitted to Ofsted{when}. It can no longer be changed."
    else:
        reason = "Only staff of the lead board can change a review, and only while it is a draft."
    return refused(request, review, heading="You cannot change this review", reason=reason)
