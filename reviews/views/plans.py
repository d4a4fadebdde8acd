"""A review's action plan (SPEC section 9): its recommendations and their actions, read and changed.

Access: the review comes from ``access_review`` (another board's review, or a draft for an inspector, is a 404);
everyone who reads the review reads its plan. Board staff of the lead board add and change recommendations
and actions whatever the review's status (the plan outlives the review), as ``Action.objects.editable_by``
says; anyone else who reads the review is answered 403 on the pages that change it.

Two people changing the same row: each form carries the row's ``version`` when the page was loaded, and the
save checks it under a row lock. The second save is refused with a conflict page (409) that shows the saved
row beside what was typed, and the form again, as typed: nothing is lost, nothing overwritten silently.
Every write is recorded by pghistory's triggers and shows on the review's history page.
"""

from django.contrib import messages
from django.db import transaction
from django.db.models import Max, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_http_methods, require_safe

from reviews.access import access_review
from reviews.forms.plans import ActionForm, RecommendationForm
from reviews.models import Board
from reviews.plans import Action, Recommendation, deadline


def may_change_plan(user, review):
    """Board staff of the review's lead board (and admins), whatever the review's status: the rule of
    ``Action.objects.editable_by``, asked of one review."""
    if not user.has_perm("reviews.change_action") or not user.has_perm("reviews.change_recommendation"):
        return False
    return user.is_superuser or Board.objects.of_member(user).filter(pk=review.board_id).exists()


def _refused(request, review):
    context = {
        "review": review,
        "heading": "You cannot change this action plan",
        "reason": "Only staff of the review's lead board can change its recommendations and actions.",
    }
    return render(request, "reviews/plan_refused.html", context, status=403)


@require_safe
def plan(request, pk):
    """The review's recommendations, each with its actions; overdue and due-soon actions marked (as of today)."""
    review = access_review(request.user, pk)
    recommendations = list(
        review.recommendations.order_by("number").prefetch_related(
            Prefetch("actions", queryset=Action.objects.order_by("number"))
        )
    )
    today = timezone.localdate()
    sections = [
        {
            "recommendation": recommendation,
            "actions": [(a, deadline(a.status, a.due_date, today)) for a in recommendation.actions.all()],
        }
        for recommendation in recommendations
    ]
    marks = [mark for section in sections for _, mark in section["actions"]]
    context = {
        "review": review,
        "sections": sections,
        "today": today,
        "action_count": len(marks),
        "overdue_count": marks.count("overdue"),
        "due_soon_count": marks.count("due_soon"),
        "can_change": may_change_plan(request.user, review),
    }
    return render(request, "reviews/plan.html", context)


# Changing the plan -----------------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def recommendation_new(request, pk):
    review = access_review(request.user, pk)
    if not may_change_plan(request.user, review):
        return _refused(request, review)
    following = (review.recommendations.aggregate(last=Max("number"))["last"] or 0) + 1
    instance = Recommendation(review=review)
    return _form_page(request, review, RecommendationForm, instance, parent=review, initial={"number": following})


@require_http_methods(["GET", "HEAD", "POST"])
def recommendation_edit(request, pk, number):
    review = access_review(request.user, pk)
    recommendation = get_object_or_404(review.recommendations, number=number)
    if not may_change_plan(request.user, review):
        return _refused(request, review)
    return _form_page(request, review, RecommendationForm, recommendation, parent=review)


@require_http_methods(["GET", "HEAD", "POST"])
def action_new(request, pk, number):
    review = access_review(request.user, pk)
    recommendation = get_object_or_404(review.recommendations, number=number)
    if not may_change_plan(request.user, review):
        return _refused(request, review)
    following = (recommendation.actions.aggregate(last=Max("number"))["last"] or 0) + 1
    instance = Action(recommendation=recommendation)
    return _form_page(request, review, ActionForm, instance, parent=recommendation, initial={"number": following})


@require_http_methods(["GET", "HEAD", "POST"])
def action_edit(request, pk, number, action_number):
    review = access_review(request.user, pk)
    action = get_object_or_404(
        Action.objects.select_related("recommendation"),
        recommendation__review=review,
        recommendation__number=number,
        number=action_number,
    )
    if not may_change_plan(request.user, review):
        return _refused(request, review)
    initial = {}
    if request.GET.get("status") in (Action.Status.COMPLETED, Action.Status.WITHDRAWN):
        # From "Mark as completed" / "Withdraw": the form opens with that status chosen; nothing is saved yet.
        initial["status"] = request.GET["status"]
    return _form_page(request, review, ActionForm, action, parent=action.recommendation, initial=initial)


def _form_page(request, review, form_class, instance, *, parent, initial=None):
    if request.method != "POST":
        form = form_class(instance=instance, parent=parent, initial=initial)
        return _render_form(request, review, form)
    form = form_class(request.POST, instance=instance, parent=parent)
    valid = form.is_valid()
    with transaction.atomic():
        if instance.pk is not None:
            current = type(instance).objects.select_for_update().get(pk=instance.pk)
            if str(current.version) != str(form.data.get("version", "")):
                return _conflict_page(request, review, form, current)
        if not valid:
            return _render_form(request, review, form)
        saved = form.save(commit=False)
        if instance.pk is not None:
            saved.version = current.version + 1
        saved.save()
    messages.success(request, f"{_name(saved)} saved")
    return redirect(reverse("reviews:plan", args=[review.pk]) + f"#{_anchor(saved)}")


def _render_form(request, review, form, status=200, template="reviews/plan_form.html", **extra):
    instance = form.instance
    context = {
        "review": review,
        "form": form,
        "is_action": isinstance(instance, Action),
        "adding": instance.pk is None,
        "heading": _heading(form),
        "cancel_url": reverse("reviews:plan", args=[review.pk]),
        **extra,
    }
    return render(request, template, context, status=status)


def _heading(form):
    instance = form.instance
    if isinstance(instance, Action):
        recommendation = form.parent
        if instance.pk is None:
            return f"Add an action to recommendation {recommendation.number}"
        return f"Change action {recommendation.number}.{instance.number}"
    if instance.pk is None:
        return "Add a recommendation"
    return f"Change recommendation {instance.number}"


def _name(row):
    if isinstance(row, Action):
        return f"Action {row.recommendation.number}.{row.number}"
    return f"Recommendation {row.number}"


def _anchor(row):
    if isinstance(row, Action):
        return f"action-{row.recommendation.number}-{row.number}"
    return f"recommendation-{row.number}"


def _conflict_page(request, review, form, current):
    """409: the row as saved by someone else beside what this user typed, and the form again, as typed, now
    based on the saved version (saving it again is a deliberate choice)."""
    differences = []
    for bound_field in form:
        if bound_field.name == "version":
            continue
        saved = _shown(current, bound_field.name, getattr(current, bound_field.name))
        cleaned = getattr(form, "cleaned_data", {})
        typed = cleaned.get(bound_field.name)
        yours = _shown(current, bound_field.name, typed) if typed is not None else _raw(bound_field)
        if saved != yours:
            differences.append((bound_field.label, saved, yours))
    data = form.data.copy()
    data["version"] = str(current.version)
    again = type(form)(data, instance=current, parent=form.parent)
    again.is_valid()
    heading = f"Someone else changed {_name(current).lower()} while you were working on it"
    return _render_form(
        request,
        review,
        again,
        status=409,
        template="reviews/plan_conflict.html",
        conflict_heading=heading,
        differences=differences,
    )


def _shown(row, name, value):
    if value is None or value == "":
        return "Not given"
    field = row._meta.get_field(name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if hasattr(value, "strftime"):
        return date_format(value, "j F Y")
    return str(value)


def _raw(bound_field):
    raw = bound_field.value()
    if isinstance(raw, list | tuple):
        return " / ".join(str(part or "") for part in raw)
    return str(raw) if raw not in (None, "") else "Not given"
