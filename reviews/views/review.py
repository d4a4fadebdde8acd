"""A review's own pages: log, read, edit, submit, evaluate and its history (SPEC section 6).

Access, the same on every page: the review is fetched through ``access_review(request.user, pk)`` (built on
``Review.objects.for_user``), so a review the user may not read is a 404 (board staff never learn that another
board's review exists). A review the user may read but not act on answers 403 with a page saying why: editing
or submitting another board's review they contributed to, a review already submitted, evaluating as board
staff or a manager, or evaluating a review whose latest evaluation is not inadequate.

The pages live one module each: this one reads (detail, history), ``review_form`` logs and edits (with
``conflicts`` for a save based on an older version), ``review_submit`` and ``review_evaluate``; what they
share about who may do what is in ``common``.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, prefetch_related_objects
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from reviews import history
from reviews.access import access_review
from reviews.documents.search import SEARCH_MAX_LENGTH, matched_documents
from reviews.models import AgencyInvolvement, Child, Contribution, Evaluation, Finding, ReadEvent
from reviews.plans import Action
from reviews.views.common import can_edit


@require_safe
def review_detail(request, pk):
    """The review with its boards, children, agencies, findings and every evaluation in order; opened from a
    register search, the documents of the review the search matched, each with an extract."""
    review = access_review(request.user, pk)
    prefetch_related_objects(
        [review],
        Prefetch("contributions", queryset=Contribution.objects.select_related("board").order_by("board__name")),
        # Rows in the order they were entered, as on the edit and check-your-answers pages.
        Prefetch("children", queryset=Child.objects.order_by("pk")),
        Prefetch("agencies", queryset=AgencyInvolvement.objects.order_by("pk")),
        Prefetch("findings", queryset=Finding.objects.order_by("pk")),
        Prefetch("evaluations", queryset=Evaluation.objects.select_related("evaluated_by").order_by("sequence")),
    )
    ReadEvent.objects.create(user=request.user, review=review, kind=ReadEvent.Kind.VIEW)
    evaluations = list(review.evaluations.all())
    can_evaluate = request.user.has_perm("reviews.evaluate_review_obj", review) and not (
        evaluations and evaluations[-1].judgement != Evaluation.Judgement.INADEQUATE
    )
    editable = can_edit(request.user, review)
    context = {
        "review": review,
        "evaluations": evaluations,
        "can_edit": editable,
        "can_submit": editable and request.user.has_perm("reviews.submit_review_obj", review),
        "can_evaluate": can_evaluate,
        "plan": Action.objects.filter(recommendation__review=review).plan_counts(timezone.localdate()),
        "document_count": review.documents.current().count(),
        "published": published_documents(review),
    }
    # Opened from a register search (``?q=``, as the register's rows link): which documents it matched.
    if search := request.GET.get("q", "").strip():
        context["search"] = search[:SEARCH_MAX_LENGTH]
        context["matched_documents"] = matched_documents(review, search)
    return render(request, "reviews/review_detail.html", context)


def published_documents(review):
    """What the board published and when: each current document with a publication date, earliest first (one
    query)."""
    return list(review.documents.current().published().order_by("published_date", "kind", "pk"))


@require_safe
def review_history(request, pk):
    """Who changed what in this review, when, before and after; and, for admins, who read it."""
    review = access_review(request.user, pk)
    if not request.user.has_perm("reviews.view_history_obj", review):
        raise PermissionDenied
    ReadEvent.objects.create(user=request.user, review=review, kind=ReadEvent.Kind.HISTORY)
    context = {"review": review, "entries": history.review_history(review)}
    if request.user.is_superuser:
        context["reads"] = ReadEvent.objects.filter(review=review).select_related("user")[:200]
    return render(request, "reviews/review_history.html", context)
