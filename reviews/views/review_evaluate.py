"""An inspector records Ofsted's evaluation of a submitted review."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from reviews import editing
from reviews.access import access_review
from reviews.forms import EvaluationForm
from reviews.models import ReadEvent
from reviews.views.common import audit, refused


@require_http_methods(["GET", "HEAD", "POST"])
def review_evaluate(request, pk):
    """An inspector records Ofsted's evaluation: number 1, or the next after an inadequate one."""
    review = access_review(request.user, pk)
    if not request.user.has_perm("reviews.evaluate_review_obj", review):
        return refused(
            request,
            review,
            heading="You cannot evaluate this review",
            reason="Only Ofsted inspectors record evaluations, and only of reviews submitted to Ofsted.",
        )
    if refusal := editing.evaluation_refusal(review):
        return refused(request, review, heading="This review cannot be evaluated again", reason=refusal)
    evaluations = list(review.evaluations.order_by("sequence"))
    sequence = evaluations[-1].sequence + 1 if evaluations else 1
    earliest = max(
        [day for day in (review.submitted_date, evaluations[-1].completed_date if evaluations else None) if day],
        default=None,
    )
    kwargs = {"review": review, "sequence": sequence, "earliest_received": earliest}
    if request.method != "POST":
        ReadEvent.objects.create(user=request.user, review=review, kind=ReadEvent.Kind.EVALUATE)
        form = EvaluationForm(**kwargs)
    else:
        audit(request)
        form = EvaluationForm(request.POST, **kwargs)
        form.is_valid()
        posted = form.cleaned_data.get("sequence")
        if posted is not None and posted != sequence:
            # Shown again as typed, now numbered after the evaluation recorded meanwhile.
            data = request.POST.copy()
            data["sequence"] = str(sequence)
            form = EvaluationForm(data, **kwargs)
            form.is_valid()
            form.add_error(
                None,
                f"Evaluation {sequence - 1} of this review was recorded while you were working on yours. "
                "Check it on the review page. Your evaluation has not been saved.",
            )
        if form.is_valid():
            try:
                evaluation = editing.record_evaluation(
                    user=request.user,
                    review_id=review.pk,
                    sequence=form.cleaned_data["sequence"],
                    fields=form.evaluation_fields(),
                )
            except editing.EvaluationNotAllowed as not_allowed:
                form.add_error(None, f"{not_allowed} Your evaluation has not been saved.")
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(
                    request, f"Evaluation {evaluation.sequence} recorded: {evaluation.get_judgement_display()}"
                )
                return redirect(review)
    context = {"review": review, "form": form, "sequence": sequence, "evaluations": evaluations}
    return render(request, "reviews/review_evaluate.html", context)
