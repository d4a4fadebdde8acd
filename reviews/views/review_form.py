"""Logging a review and changing a draft: the review form with its rows (``reviews.forms.ReviewEditor``)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from reviews import editing, history
from reviews.access import access_review
from reviews.forms import ReviewEditor
from reviews.models import ReadEvent
from reviews.views.common import audit, can_edit, edit_refusal
from reviews.views.conflicts import conflict_differences

FORM_TEMPLATE = "reviews/review_form.html"


@require_http_methods(["GET", "HEAD", "POST"])
def review_new(request):
    """Log a new review as a draft (board staff, for one of their own boards)."""
    if not request.user.has_perm("reviews.add_review") or not editing.own_boards(request.user).exists():
        raise PermissionDenied
    if request.method != "POST":
        return _form_page(request, ReviewEditor(user=request.user))
    audit(request)
    editor = ReviewEditor(user=request.user, data=request.POST)
    if editor.apply_row_action(request.POST.get("action")):
        return _form_page(request, editor)
    if not editor.is_valid():
        return _form_page(request, editor)
    try:
        review = editor.save()
    except ValidationError as error:
        editor.apply_service_error(error)
        return _form_page(request, editor)
    messages.success(request, f"Review {review.reference} saved as a draft")
    return redirect(review)


@require_http_methods(["GET", "HEAD", "POST"])
def review_edit(request, pk):
    """Change a draft; a save based on an older version gets the conflict page, never overwrites."""
    review = access_review(request.user, pk)
    if request.method != "POST":
        if not can_edit(request.user, review):
            return edit_refusal(request, review)
        ReadEvent.objects.create(user=request.user, review=review, kind=ReadEvent.Kind.EDIT)
        editor = ReviewEditor(user=request.user, review=review)
        if request.GET.get("check") == "submission":
            # From a check-your-answers link: show what the review lacks for submission, field by field.
            editor.show_missing(editing.missing_for_submission(review))
        return _form_page(request, editor)
    audit(request)
    editor = ReviewEditor(user=request.user, review=review, data=request.POST)
    stale = editor.posted_version() != review.version
    if not can_edit(request.user, review):
        # Submitted while this user was editing: show what they typed beside what was saved.
        if stale and editing.own_boards(request.user).filter(pk=review.board_id).exists():
            return _conflict_page(request, review, editor)
        return edit_refusal(request, review)
    if editor.apply_row_action(request.POST.get("action")):
        return _form_page(request, editor)
    if stale:
        return _conflict_page(request, review, editor)
    if not editor.is_valid():
        return _form_page(request, editor)
    try:
        saved = editor.save()
    except editing.EditConflict as conflict:
        return _conflict_page(request, conflict.review, editor)
    except ValidationError as error:
        editor.apply_service_error(error)
        return _form_page(request, editor)
    messages.success(request, f"Review {saved.reference} saved as a draft")
    return redirect(saved)


def _form_page(request, editor):
    context = {"editor": editor, "review": editor.review, "form": editor.form}
    return render(request, FORM_TEMPLATE, context)


def _conflict_page(request, review, editor):
    """409: what the other person saved beside what this user typed, and the form again, as typed."""
    review = access_review(request.user, review.pk)
    editor.is_valid()
    differences = conflict_differences(review, editor)
    still_editable = can_edit(request.user, review)
    context = {
        "review": review,
        "differences": differences,
        "last_change": history.last_change(review),
        "still_editable": still_editable,
    }
    if still_editable:
        # The form comes back as typed, now based on the saved version: saving again is a deliberate choice.
        data = editor.data.copy()
        data["version"] = str(review.version)
        again = ReviewEditor(user=request.user, review=review, data=data)
        again.is_valid()
        context.update(editor=again, form=again.form)
    return render(request, "reviews/review_conflict.html", context, status=409)
