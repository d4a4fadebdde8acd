"""Writes of a review from the browser: log, edit, submit and evaluate, each in one transaction.

The views validate with forms first; these functions check again what a forged request could get wrong
(whose board, which rows belong to the review, the review's status), so nothing reaches the database that
the user may not write. Every change of a review row checks and bumps ``Review.version`` in its UPDATE:
two people saving the same review cannot overwrite each other silently (``EditConflict``).
"""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from reviews.models import AgencyInvolvement, Board, Child, Contribution, Evaluation, Finding, Review
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


def _check_review_fields(*, user, fields, pk=None):
    unknown = set(fields) - set(REVIEW_FIELDS)
    if unknown:
        raise ValueError(f"not review fields: {sorted(unknown)}")
    if not own_boards(user).filter(pk=fields["board"].pk).exists():
        raise PermissionDenied("The lead board must be one of your own boards.")
    candidate = Review(pk=pk, status=Review.Status.DRAFT, **fields)
    candidate._state.adding = pk is None  # an existing review is not a duplicate of itself
    # Raises ValidationError on a bad value, a duplicate reference or a broken date order.
    candidate.full_clean(exclude=["reference"] if not fields.get("reference") else None)


def _save_contributions(review, boards):
    wanted = {board.pk for board in boards}
    wanted.discard(review.board_id)
    have = set(Contribution.objects.filter(review=review).values_list("board_id", flat=True))
    if have - wanted:
        Contribution.objects.filter(review=review, board_id__in=have - wanted).delete()
    Contribution.objects.bulk_create([Contribution(review=review, board_id=pk) for pk in sorted(wanted - have)])


def _save_rows(review, model, field_names, rows, *, recreate_on=()):
    """Make the review's rows of ``model`` exactly ``rows`` (dicts; an ``id`` updates that row).

    An id that is not one of this review's rows is refused. A row whose ``recreate_on`` field changed is
    deleted and added again (the agency of an agency involvement is unique per review, so two rows could
    not swap agencies by UPDATE).
    """
    existing = {row.pk: row for row in model.objects.filter(review=review).select_for_update()}
    keep = {}
    for row in rows:
        row_id = row.get("id")
        if row_id is None:
            continue
        if row_id not in existing or row_id in keep:
            raise ValidationError(f"{model._meta.verbose_name} {row_id} is not part of this review")
        keep[row_id] = row
    recreate = {pk for pk, row in keep.items() if any(getattr(existing[pk], name) != row[name] for name in recreate_on)}
    gone = (set(existing) - set(keep)) | recreate
    if gone:
        model.objects.filter(review=review, pk__in=gone).delete()
    for pk, row in keep.items():
        if pk in recreate:
            continue
        instance = existing[pk]
        changed = [name for name in field_names if getattr(instance, name) != row[name]]
        if changed:
            for name in changed:
                setattr(instance, name, row[name])
            instance.full_clean(exclude=["review"])
            instance.save(update_fields=changed)
    new = []
    for row in rows:
        if row.get("id") is None or row["id"] in recreate:
            instance = model(review=review, **{name: row[name] for name in field_names})
            instance.full_clean(exclude=["review"])
            new.append(instance)
    for instance in new:
        instance.save()


def _save_children_agencies_findings(review, *, contributing_boards, children, agencies, findings):
    _save_contributions(review, contributing_boards)
    _save_rows(review, Child, CHILD_FIELDS, children)
    _save_rows(review, AgencyInvolvement, AGENCY_FIELDS, agencies, recreate_on=("agency",))
    _save_rows(review, Finding, FINDING_FIELDS, findings)


@writing()
def create_review(*, user, fields, contributing_boards=(), children=(), agencies=(), findings=()):
    """Log a new draft review led by one of the user's boards, with its rows; returns the review.

    ``fields`` maps the names in ``REVIEW_FIELDS`` to clean values; a blank reference is given the next
    free ``SCR-<year>-<GSS>-<n>``. ``children``, ``agencies`` and ``findings`` are lists of dicts of
    ``CHILD_FIELDS``, ``AGENCY_FIELDS`` and ``FINDING_FIELDS`` (without ids).
    """
    if not user.has_perm("reviews.add_review"):
        raise PermissionDenied("Only board staff can log a review.")
    fields = dict(fields)
    _check_review_fields(user=user, fields=fields)
    if any(row.get("id") is not None for rows in (children, agencies, findings) for row in rows):
        raise ValidationError("A new review has no rows to change yet.")
    if not fields.get("reference"):
        year = (fields.get("decision_date") or timezone.localdate()).year
        for _ in range(5):
            fields["reference"] = next_reference(fields["board"], year)
            try:
                with transaction.atomic():
                    review = Review.objects.create(status=Review.Status.DRAFT, **fields)
                break
            except IntegrityError:
                continue  # someone took that number a moment ago: try the next
        else:
            raise ValidationError("Could not find a free reference. Enter one.")
    else:
        review = Review.objects.create(status=Review.Status.DRAFT, **fields)
    _save_children_agencies_findings(
        review,
        contributing_boards=contributing_boards,
        children=children,
        agencies=agencies,
        findings=findings,
    )
    return review


@writing()
def update_review(*, user, review_id, version, fields, contributing_boards, children, agencies, findings):
    """Save a draft the user may edit, if it is still at ``version``; returns the saved review.

    The rows given become the review's rows: a row with an ``id`` updates that row of this review, one
    without adds a row, and rows not given are removed. Raises ``EditConflict`` when someone saved the
    review (or submitted it) since the user loaded ``version``, and ``PermissionDenied`` when the user may
    not edit it at all.
    """
    editable = Review.objects.editable_by(user)
    fields = dict(fields)
    if not fields.get("reference"):
        raise ValidationError({"reference": "Enter a reference"})
    _check_review_fields(user=user, fields=fields, pk=review_id)
    updated = editable.filter(pk=review_id, version=version).update(
        **fields, version=F("version") + 1, updated_at=timezone.now()
    )
    if not updated:
        current = Review.objects.filter(pk=review_id).first()
        if current is None or not _is_own_review(user, current) or current.version == version:
            raise PermissionDenied("You cannot change this review.")
        raise EditConflict(current)
    review = Review.objects.get(pk=review_id)
    _save_children_agencies_findings(
        review,
        contributing_boards=contributing_boards,
        children=children,
        agencies=agencies,
        findings=findings,
    )
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
    review = Review.objects.editable_by(user).select_for_update().filter(pk=review_id).first()
    if review is None:
        current = Review.objects.filter(pk=review_id).first()
        if current is not None and _is_own_review(user, current) and current.version != version:
            raise EditConflict(current)
        raise PermissionDenied("You cannot submit this review.")
    if review.version != version:
        raise EditConflict(review)
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
