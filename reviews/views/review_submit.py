"""Check your answers, then submit a draft to Ofsted."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from reviews import editing
from reviews.access import access_review
from reviews.forms import SubmitForm
from reviews.models import ReadEvent, Review
from reviews.views.common import audit, can_submit, refused


@require_http_methods(["GET", "HEAD", "POST"])
def review_submit(request, pk):
    """Check your answers, then send the draft to Ofsted."""
    review = access_review(request.user, pk)
    if not can_submit(request.user, review):
        if review.status != Review.Status.DRAFT:
            reason = "This review has already been submitted to Ofsted."
        else:
            reason = "Only staff of the lead board can submit a review to Ofsted."
        return refused(request, review, heading="You cannot submit this review", reason=reason)
    errors, notice = [], ""
    if request.method == "POST":
        audit(request)
        form = SubmitForm(request.POST)
        if not form.is_valid():
            notice = "The page was not sent completely. Check the answers and submit again."
        else:
            try:
                review = editing.submit_review(
                    user=request.user, review_id=review.pk, version=form.cleaned_data["version"]
                )
            except editing.EditConflict:
                notice = "Someone changed this review since you opened this page. Check the answers again."
                review = access_review(request.user, pk)
            except ValidationError:
                errors = _missing_errors(review)
            else:
                messages.success(request, f"Review {review.reference} submitted to Ofsted")
                return redirect(review)
    else:
        ReadEvent.objects.create(user=request.user, review=review, kind=ReadEvent.Kind.SUBMIT)
    context = _review_pages_context(review)
    context.update(errors=errors, notice=notice, edit_url=reverse("reviews:edit", args=[review.pk]))
    return render(request, "reviews/review_submit.html", context)


# Each link lands on the field's form group (its label and error in view) on the edit page, which shows the
# same errors when asked to check the review for submission.
SUBMIT_ANCHORS = {
    "title": "id_title-group",
    "decision_date": "id_decision_date-group",
    "completed_date": "id_completed_date-group",
    "summary": "id_summary",  # GOV.UK's character count macro gives its form group no id
    "children": "children",
}


def _missing_errors(review):
    edit = reverse("reviews:edit", args=[review.pk]) + "?check=submission"
    return [
        (f"{edit}#{SUBMIT_ANCHORS.get(name, '')}", message) for name, message in editing.missing_for_submission(review)
    ]


def _review_pages_context(review):
    return {
        "review": review,
        "contributions": review.contributions.select_related("board").order_by("board__name"),
        "children": review.children.order_by("pk"),
        "agencies": review.agencies.order_by("pk"),
        "findings": review.findings.order_by("pk"),
    }
