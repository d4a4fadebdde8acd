"""A review's own pages: log, read, edit, submit, evaluate and its history (SPEC section 6).

Access, the same on every page: the review is fetched through ``access_review(request.user, pk)`` (built on
``Review.objects.for_user``), so a review the user may not read is a 404 (board staff never learn that another
board's review exists). A review the user may read but not act on answers 403 with a page saying why: editing
or submitting another board's review they contributed to, a review already submitted, evaluating as board
staff or a manager, or evaluating a review whose latest evaluation is not inadequate.
"""

import pghistory
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_http_methods, require_safe

from reviews import editing, history
from reviews.access import access_review
from reviews.forms import EvaluationForm, ReviewEditor, SubmitForm
from reviews.models import Agency, AgencyInvolvement, Board, Child, Contribution, Evaluation, Finding, ReadEvent, Review
from reviews.plans import Action

FORM_TEMPLATE = "reviews/review_form.html"


def _audit(request):
    """Name the user in the audit context of this request's writes (the middleware records their id)."""
    pghistory.context(username=request.user.get_username())


def _can_edit(user, review):
    """Board staff of the lead board, while it is a draft (admins change reviews in the Django admin)."""
    return (
        user.has_perm("reviews.change_review_obj", review)
        and editing.own_boards(user).filter(pk=review.board_id).exists()
    )


def _can_submit(user, review):
    return _can_edit(user, review) and user.has_perm("reviews.submit_review_obj", review)


def _refused(request, review, *, heading, reason):
    """403 with the reason in words: the user may read this review but not do this to it."""
    context = {"review": review, "heading": heading, "reason": reason}
    return render(request, "reviews/review_refused.html", context, status=403)


def _edit_refusal(request, review):
    if review.status != Review.Status.DRAFT and editing.own_boards(request.user).filter(pk=review.board_id).exists():
        when = f" on {date_format(review.submitted_date, 'j F Y')}" if review.submitted_date else ""
        reason = f"This review was submitted to Ofsted{when}. It can no longer be changed."
    else:
        reason = "Only staff of the lead board can change a review, and only while it is a draft."
    return _refused(request, review, heading="You cannot change this review", reason=reason)


# Reading --------------------------------------------------------------------------------------------------


@require_safe
def review_detail(request, pk):
    """The review with its boards, children, agencies, findings and every evaluation in order."""
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
    can_edit = _can_edit(request.user, review)
    context = {
        "review": review,
        "evaluations": evaluations,
        "can_edit": can_edit,
        "can_submit": can_edit and request.user.has_perm("reviews.submit_review_obj", review),
        "can_evaluate": can_evaluate,
        "plan": Action.objects.filter(recommendation__review=review).plan_counts(timezone.localdate()),
    }
    return render(request, "reviews/review_detail.html", context)


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


# Logging and editing --------------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def review_new(request):
    """Log a new review as a draft (board staff, for one of their own boards)."""
    if not request.user.has_perm("reviews.add_review") or not editing.own_boards(request.user).exists():
        raise PermissionDenied
    if request.method != "POST":
        return _form_page(request, ReviewEditor(user=request.user))
    _audit(request)
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
        if not _can_edit(request.user, review):
            return _edit_refusal(request, review)
        ReadEvent.objects.create(user=request.user, review=review, kind=ReadEvent.Kind.EDIT)
        editor = ReviewEditor(user=request.user, review=review)
        if request.GET.get("check") == "submission":
            # From a check-your-answers link: show what the review lacks for submission, field by field.
            editor.show_missing(editing.missing_for_submission(review))
        return _form_page(request, editor)
    _audit(request)
    editor = ReviewEditor(user=request.user, review=review, data=request.POST)
    stale = editor.posted_version() != review.version
    if not _can_edit(request.user, review):
        # Submitted while this user was editing: show what they typed beside what was saved.
        if stale and editing.own_boards(request.user).filter(pk=review.board_id).exists():
            return _conflict_page(request, review, editor)
        return _edit_refusal(request, review)
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
    still_editable = _can_edit(request.user, review)
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


# Conflicts: theirs beside yours ---------------------------------------------------------------------------

REVIEW_LABELS = {
    "board": "Lead board",
    "reference": "Reference",
    "title": "Title",
    "incident_date": "Date of the incident",
    "decision_date": "Date of the decision to hold the review",
    "completed_date": "Date the review was completed",
    "independent_chair": "Independent chair",
    "independent_author": "Independent author",
    "summary": "Summary",
}


def _show(value):
    if value is None or value == "":
        return "Not given"
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    if hasattr(value, "strftime"):
        return date_format(value, "j F Y")
    if isinstance(value, Board):
        return value.name
    return str(value)


def _typed(form, name):
    """What the user typed for a field: the clean value when it was valid, else the raw input."""
    if name in getattr(form, "cleaned_data", {}):
        return form.cleaned_data[name]
    raw = form[name].value()
    if isinstance(raw, list | tuple):
        return " / ".join(str(part or "") for part in raw)
    if name == "board" and raw:
        try:
            return Board.objects.filter(pk=raw).first() or raw
        except (ValueError, TypeError):  # not a board's id: shown as typed
            return raw
    return raw


def _child_text(values):
    parts = [
        Child.Sex(values["sex"]).label if values.get("sex") in Child.Sex.values else "",
        Child.AgeBand(values["age_band"]).label if values.get("age_band") in Child.AgeBand.values else "",
        Child.Outcome(values["outcome"]).label if values.get("outcome") in Child.Outcome.values else "",
    ]
    for key, label in (
        ("known_to_social_care", "known to social care"),
        ("child_protection_plan", "child protection plan"),
        ("looked_after", "looked after"),
    ):
        parts.append(f"{label}: {_show(values.get(key)).lower()}")
    return f"{values.get('pseudonym', '')}: " + ", ".join(part for part in parts if part)


def _row_text(kind, values):
    if kind == "children":
        return _child_text(values)
    if kind == "agencies":
        agency = Agency(values["agency"]).label if values.get("agency") in Agency.values else values.get("agency")
        imr = "IMR written" if values.get("imr_submitted") else "no IMR"
        notes = f": {values['notes']}" if values.get("notes") else ""
        return f"{agency} ({imr}){notes}"
    category = values.get("category")
    category = Finding.Category(category).label if category in Finding.Category.values else category
    agency = values.get("agency")
    agency = f" ({Agency(agency).label})" if agency in Agency.values else ""
    description = f": {values['description']}" if values.get("description") else ""
    return f"{category}{agency}{description}"


def conflict_differences(review, editor):
    """(what, saved now, yours) for every answer where the saved review and the user's differ."""
    rows = []
    form = editor.form
    for name, label in REVIEW_LABELS.items():
        theirs, yours = getattr(review, name), _typed(form, name)
        if name == "board":
            theirs = review.board
        if _show(theirs) != _show(yours):
            rows.append((label, _show(theirs), _show(yours)))
    their_boards = sorted(c.board.name for c in review.contributions.select_related("board"))
    your_ids = [
        f.cleaned_data["board"]
        for f in editor.contributions.forms
        if getattr(f, "cleaned_data", None) and f.cleaned_data.get("board")
    ]
    names = dict(Board.objects.filter(pk__in=your_ids).values_list("pk", "name"))
    your_boards = sorted(names.get(pk, "") for pk in your_ids)
    if their_boards != your_boards:
        rows.append(("Contributing boards", ", ".join(their_boards) or "None", ", ".join(your_boards) or "None"))
    sources = {
        "children": (review.children.order_by("pk"), editing.CHILD_FIELDS, editor.children, "Child"),
        "agencies": (review.agencies.order_by("pk"), editing.AGENCY_FIELDS, editor.agencies, "Agency"),
        "findings": (review.findings.order_by("pk"), editing.FINDING_FIELDS, editor.findings, "Finding"),
    }
    for kind, (saved_rows, names, formset, noun) in sources.items():
        theirs = {row.pk: _row_text(kind, {n: getattr(row, n) for n in names}) for row in saved_rows}
        yours, new = {}, []
        for row_form in formset.forms:
            values = getattr(row_form, "cleaned_data", None)
            if not values:
                continue
            text = _row_text(kind, values)
            if values.get("id") in theirs:
                yours[values["id"]] = text
            else:
                new.append(text)
        for pk, text in theirs.items():
            if yours.get(pk) != text:
                rows.append((noun, text, yours.get(pk, "Not in your version")))
        for text in new:
            rows.append((noun, "Not in the saved version", text))
    return rows


# Submitting -----------------------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def review_submit(request, pk):
    """Check your answers, then send the draft to Ofsted."""
    review = access_review(request.user, pk)
    if not _can_submit(request.user, review):
        if review.status != Review.Status.DRAFT:
            reason = "This review has already been submitted to Ofsted."
        else:
            reason = "Only staff of the lead board can submit a review to Ofsted."
        return _refused(request, review, heading="You cannot submit this review", reason=reason)
    errors, notice = [], ""
    if request.method == "POST":
        _audit(request)
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
    "summary": "id_summary-group",
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


# Evaluating -----------------------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def review_evaluate(request, pk):
    """An inspector records Ofsted's evaluation: number 1, or the next after an inadequate one."""
    review = access_review(request.user, pk)
    if not request.user.has_perm("reviews.evaluate_review_obj", review):
        return _refused(
            request,
            review,
            heading="You cannot evaluate this review",
            reason="Only Ofsted inspectors record evaluations, and only of reviews submitted to Ofsted.",
        )
    if refusal := editing.evaluation_refusal(review):
        return _refused(request, review, heading="This review cannot be evaluated again", reason=refusal)
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
        _audit(request)
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
            except editing.EvaluationNotAllowed as refused:
                form.add_error(None, f"{refused} Your evaluation has not been saved.")
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
