"""Writes of a review from the browser: log, edit, submit and evaluate, each in one transaction.

The forms validate every value (``reviews.forms``: whose board, which rows belong to the review); these
functions hold what the forms cannot: the review's status and version, checked under a row lock, so two
people saving the same review cannot overwrite each other silently (``EditConflict``), and the next free
reference. ``ReviewEditor.save()`` (the review form and its row formsets) calls them in its transaction.
Every writing transaction takes the reporting lock first (``reporting.writing``), before any row lock.
"""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from reviews.models import Board, Evaluation, Review
from reviews.reporting import writing

REVIEW_FIELDS = (
    "board",
    "reference",
    "title",
    "incident_date",
    "decision_date",
    "completed_date",
    "independent_chair",
    "independent_author",
    "summary",
)
CHILD_FIELDS = (
    "pseudonym",
    "sex",
    "age_band",
    "ethnicity",
    "outcome",
    "known_to_social_care",
    "child_protection_plan",
    "looked_after",
)
AGENCY_FIELDS = ("agency", "imr_submitted", "notes")
FINDING_FIELDS = ("category", "agency", "description")
EVALUATION_FIELDS = (
    "received_date",
    "completed_date",
    "judgement",
    "summary",
    "terms_of_reference",
    "overview_and_imrs",
    "timescales",
    "equality_and_diversity",
    "family_involvement",
)


class EditConflict(Exception):
    """The review changed (or left draft) after this user loaded it: their save was refused."""

    def __init__(self, review):
        super().__init__(f"review {review.pk} is at version {review.version}")
        self.review = review


class EvaluationNotAllowed(Exception):
    """The review cannot take a new evaluation now (not submitted, or its latest is not inadequate)."""


def own_boards(user):
    """The boards whose reviews this user may lead: their own boards, if they may log reviews."""
    if not user.is_authenticated or not user.has_perm("reviews.add_review"):
        return Board.objects.none()
    return Board.objects.of_member(user)


# A GSS code inside a reference: a letter and eight digits, in either case, found at every position.
_GSS_CODE_IN_TEXT = re.compile(r"(?=([A-Za-z][0-9]{8}))")


def codes_in_reference(reference):
    """The GSS-code-shaped parts of a reference, in upper case (``SCR-2008-e08000025-1`` gives E08000025).

    A review's reference may hold no board's code but its lead board's (docs/SECURITY.md): then a
    reference holding a board's code names that board's own review, which its staff can see anyway.
    """
    return {match.group(1).upper() for match in _GSS_CODE_IN_TEXT.finditer(reference)}


def next_reference(board, year):
    """A free reference in the register's usual form, SCR-<year>-<GSS code>-<number>."""
    prefix = f"SCR-{year}-{board.gss_code}-"
    taken = set(Review.objects.filter(reference__startswith=prefix).values_list("reference", flat=True))
    number = len(taken) + 1
    while f"{prefix}{number:04d}" in taken:
        number += 1
    return f"{prefix}{number:04d}"


def insert_draft(review):
    """Add a new draft (the review form's instance); a blank reference is given the next free
    ``SCR-<year>-<GSS>-<n>``. Run inside the save's transaction."""
    review.status = Review.Status.DRAFT
    if review.reference:
        review.save()
        return review
    year = (review.decision_date or timezone.localdate()).year
    for _ in range(5):
        review.reference = next_reference(review.board, year)
        try:
            with transaction.atomic():
                review.save()
        except IntegrityError:
            continue  # someone took that number a moment ago: try the next
        return review
    raise ValidationError("Could not find a free reference. Enter one.")


def lock_draft(*, user, review_id, version):
    """The draft this user may change, locked until the transaction ends, if it is still at ``version``.

    Raises ``EditConflict`` when someone saved the review (or submitted it) since the user loaded
    ``version``, and ``PermissionDenied`` when the user may not change it at all. The lock makes a second
    save that passed the page's check at the same moment wait, then see the new version.
    """
    review = Review.objects.editable_by(user).select_for_update().filter(pk=review_id).first()
    if review is None:
        current = Review.objects.filter(pk=review_id).first()
        if current is None or not _is_own_review(user, current) or current.version == version:
            raise PermissionDenied("You cannot change this review.")
        raise EditConflict(current)
    if review.version != version:
        raise EditConflict(review)
    return review


def save_draft(review, *, version):
    """Write the review form's fields of a draft locked by ``lock_draft`` at ``version``, and bump the version."""
    review.version = version + 1
    review.save(update_fields=[*REVIEW_FIELDS, "version", "updated_at"])
    return review


def _is_own_review(user, review):
    return own_boards(user).filter(pk=review.board_id).exists()


def missing_for_submission(review):
    """What a draft lacks before it can go to Ofsted: a list of (field, message) pairs, empty when complete."""
    missing = []
    if not review.title:
        missing.append(("title", "Enter the title of the review"))
    if review.decision_date is None:
        missing.append(("decision_date", "Enter the date of the decision to hold the review"))
    if review.completed_date is None:
        missing.append(("completed_date", "Enter the date the review was completed"))
    elif review.completed_date > timezone.localdate():
        missing.append(("completed_date", "The date the review was completed must be today or in the past"))
    if not review.summary.strip():
        missing.append(("summary", "Enter a summary of the review"))
    if not review.children.exists():
        missing.append(("children", "Add at least one child"))
    return missing


@writing()
def submit_review(*, user, review_id, version, submitted_date=None):
    """Send a complete draft to Ofsted: status ``submitted``, submitted today unless already dated.

    Raises ``EditConflict`` when the review changed since the user checked it at ``version``,
    ``ValidationError`` (a list of messages) when it is not complete, and ``PermissionDenied`` when the
    user may not submit it.
    """
    if not user.has_perm("reviews.submit_review"):
        raise PermissionDenied("Only board staff can submit a review.")
    review = lock_draft(user=user, review_id=review_id, version=version)
    missing = missing_for_submission(review)
    if missing:
        raise ValidationError([message for _, message in missing])
    day = review.submitted_date or submitted_date or timezone.localdate()
    Review.objects.filter(pk=review.pk, version=version).update(
        status=Review.Status.SUBMITTED,
        submitted_date=day,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    review.refresh_from_db()
    return review


def evaluation_refusal(review):
    """Why the review cannot take a new evaluation now, in words for an inspector; "" when it can."""
    if review.status == Review.Status.DRAFT:
        return "This review has not been submitted to Ofsted yet."
    latest = review.evaluations.order_by("-sequence").first()
    if latest is not None and latest.judgement != Evaluation.Judgement.INADEQUATE:
        return (
            f"Evaluation {latest.sequence} judged this review {latest.get_judgement_display().lower()}. "
            "Only a review judged inadequate can be evaluated again."
        )
    return ""


def next_sequence(review):
    """The sequence number a new evaluation of the review takes: 1, then 2, 3... after reconsideration."""
    return (review.evaluations.aggregate(last=Max("sequence"))["last"] or 0) + 1


@writing()
def record_evaluation(*, user, review_id, sequence, fields):
    """Record Ofsted's evaluation ``sequence`` of a submitted review; the review becomes ``evaluated``.

    ``sequence`` is the number the inspector's form was for: if another evaluation was recorded in the
    meantime the save is refused (``EvaluationNotAllowed``) rather than silently numbered after it.
    """
    if not user.has_perm("reviews.evaluate_review"):
        raise PermissionDenied("Only inspectors can evaluate a review.")
    unknown = set(fields) - set(EVALUATION_FIELDS)
    if unknown:
        raise ValueError(f"not evaluation fields: {sorted(unknown)}")
    review = Review.objects.for_user(user).select_for_update().filter(pk=review_id).first()
    if review is None:
        raise PermissionDenied("You cannot evaluate this review.")
    if refusal := evaluation_refusal(review):
        raise EvaluationNotAllowed(refusal)
    expected = next_sequence(review)
    if sequence != expected:
        raise EvaluationNotAllowed(
            f"Evaluation {expected - 1} of this review was recorded while you were working on yours."
        )
    evaluation = Evaluation(review=review, sequence=expected, evaluated_by=user, **fields)
    evaluation.full_clean()
    evaluation.save()
    Review.objects.filter(pk=review.pk).update(
        status=Review.Status.EVALUATED, version=F("version") + 1, updated_at=timezone.now()
    )
    return evaluation
