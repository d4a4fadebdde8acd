"""The rules the database holds for every writer (forms, the import, the admin, raw SQL): how long free text
may be, and the order a record's dates run in. The forms and the import build their checks from the same
definitions, so the register states each rule once."""

from itertools import combinations
from typing import NamedTuple

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.text import capfirst

# The longest free text each field holds, in characters (docs/DATA.md says why each is enough). The database
# holds them too (text_max_length below), so raw SQL and bulk writes cannot go past them either.
REVIEW_SUMMARY_MAX_LENGTH = 5_000
EVALUATION_SUMMARY_MAX_LENGTH = 5_000
AGENCY_NOTES_MAX_LENGTH = 2_000
FINDING_DESCRIPTION_MAX_LENGTH = 2_000


def text_max_length(field, limit, name):
    """A named CHECK constraint: ``field`` holds at most ``limit`` characters (char_length, as Python's len)."""
    return models.CheckConstraint(
        condition=LessThanOrEqual(Length(field), limit),
        name=name,
        violation_error_message=f"{field.capitalize()} must be {limit:,} characters or fewer",
    )


def numbered_within(parent, text_field, *, noun, parent_noun, empty_message):
    """The CHECK and UNIQUE constraints of a record numbered within its parent (a review's recommendations, a
    recommendation's actions): its number unique within the parent and at least 1, its text not blank."""
    return [
        models.UniqueConstraint(
            fields=[parent, "number"],
            name=f"{noun}_number_unique",
            violation_error_message=f"The {parent_noun} already has {'an' if noun[0] in 'aeiou' else 'a'} {noun} "
            "with this number",
        ),
        models.CheckConstraint(
            condition=Q(number__gte=1),
            name=f"{noun}_number_positive",
            violation_error_message=f"{noun.capitalize()} number must be 1 or more",
        ),
        models.CheckConstraint(
            condition=Q(**{f"{text_field}__regex": r"\S"}),
            name=f"{noun}_{text_field}_not_empty",
            violation_error_message=empty_message,
        ),
    ]


class DateStep(NamedTuple):
    """One date of a record whose dates run in order, and how a sentence names it."""

    field: str
    noun: str  # in the constraints' names: review_incident_before_decision
    subject: str  # "the date of the decision to hold the review" must be the same as or after ...
    reference: str  # ... must be the same as or after "the date of the decision"


# The order a review's dates run in, and an evaluation's, stated once: the database's CheckConstraints
# (date_order_constraints), the forms and the import (dates_out_of_order) are all built from these.
REVIEW_DATE_ORDER = (
    DateStep("incident_date", "incident", "the date of the incident", "the date of the incident"),
    DateStep("decision_date", "decision", "the date of the decision to hold the review", "the date of the decision"),
    DateStep("completed_date", "completion", "the date the review was completed", "the date the review was completed"),
    DateStep(
        "submitted_date", "submission", "the date it was submitted to Ofsted", "the date it was submitted to Ofsted"
    ),
)
EVALUATION_DATE_ORDER = (
    DateStep("received_date", "received", "the date Ofsted received the review", "the date Ofsted received the review"),
    DateStep(
        "completed_date",
        "completed",
        "the date the evaluation was completed",
        "the date the evaluation was completed",
    ),
)


def date_order_message(earlier, later):
    """The GOV.UK message for ``later`` given before ``earlier`` (two DateSteps)."""
    return f"{capfirst(later.subject)} must be the same as or after {earlier.reference}"


def date_order_constraints(order, name):
    """A CheckConstraint for every pair of dates in ``order``: the earlier, when both are given, is on or before
    the later. ``name`` is a pattern naming each from the DateSteps' nouns, ``{earlier}`` and ``{later}``."""
    return [
        models.CheckConstraint(
            condition=Q(**{f"{earlier.field}__isnull": True})
            | Q(**{f"{later.field}__isnull": True})
            | Q(**{f"{earlier.field}__lte": F(later.field)}),
            name=name.format(earlier=earlier.noun, later=later.noun),
            violation_error_message=date_order_message(earlier, later),
        )
        for earlier, later in combinations(order, 2)
    ]


def dates_out_of_order(values, order):
    """The (earlier, later) DateSteps of ``order`` whose dates in ``values`` go backwards.

    Each date given is compared with the one given before it (missing dates are skipped), which together
    hold every pair the constraints hold; ``values`` maps field names to dates or None.
    """
    broken, previous = [], None
    for step in order:
        day = values.get(step.field)
        if day is None:
            continue
        if previous is not None and day < values[previous.field]:
            broken.append((previous, step))
        previous = step
    return broken
