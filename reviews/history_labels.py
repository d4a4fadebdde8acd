"""How a review's audit trail names things (reviews/history.py): the fields it leaves out, the words for each
field of each kind of row, and the words for stored choices."""

from reviews.models import Action, Agency, Child, Evaluation, Finding, Review

# Fields that are bookkeeping, not content: never described.
IGNORED = {
    "id",
    "review",
    "version",
    "created_at",
    "updated_at",
    "latest_judgement",
    "latest_evaluated_date",
}
LONG_TEXT = {"summary", "notes", "description", "text", "evidence"}
YES_NO = {
    "independent_chair",
    "independent_author",
    "known_to_social_care",
    "child_protection_plan",
    "looked_after",
    "imr_submitted",
}

LABELS = {
    "review": {
        "reference": "reference",
        "review_type": "type of review",
        "board": "lead board",
        "title": "title",
        "incident_date": "incident date",
        "decision_date": "date of the decision to hold the review",
        "completed_date": "completion date",
        "submitted_date": "date submitted to Ofsted",
        "independent_chair": "whether the chair was independent",
        "independent_author": "whether the author of the overview report was independent",
        "summary": "summary",
        "status": "status",
    },
    "child": {
        "pseudonym": "pseudonym",
        "sex": "sex",
        "age_band": "age",
        "ethnicity": "ethnicity",
        "outcome": "outcome",
        "known_to_social_care": "whether {name} was known to social care",
        "child_protection_plan": "whether {name} was on a child protection plan",
        "looked_after": "whether {name} was looked after",
    },
    "agency": {
        "agency": "agency",
        "imr_submitted": "whether {name} wrote an individual management review",
        "notes": "notes",
    },
    "finding": {"category": "category", "agency": "agency", "description": "description"},
    "evaluation": {
        "received_date": "date Ofsted received the review",
        "completed_date": "date the evaluation was completed",
        "judgement": "overall judgement",
        "summary": "summary",
        "terms_of_reference": "judgement on the terms of reference",
        "overview_and_imrs": "judgement on the overview report and IMRs",
        "timescales": "judgement on timescales",
        "equality_and_diversity": "judgement on equality and diversity",
        "family_involvement": "judgement on involvement of the family",
        "evaluated_by": "inspector",
        "sequence": "number",
    },
    "contribution": {"board": "board"},
    "recommendation": {"number": "number", "text": "text", "agency": "agency it is addressed to"},
    "action": {
        "recommendation": "recommendation",
        "number": "number",
        "description": "description",
        "owner_agency": "owner",
        "due_date": "due date",
        "status": "status",
        "completed_date": "date completed",
        "evidence": "evidence",
    },
}

CHOICES = {
    "review_type": dict(Review.ReviewType.choices),
    # The two sets of statuses share no value, so one table reads both.
    "status": dict(Review.Status.choices) | dict(Action.Status.choices),
    "sex": dict(Child.Sex.choices),
    "age_band": dict(Child.AgeBand.choices),
    "ethnicity": dict(Child.Ethnicity.choices),
    "outcome": dict(Child.Outcome.choices),
    "agency": dict(Agency.choices),
    "owner_agency": dict(Agency.choices),
    "category": dict(Finding.Category.choices),
    **{
        name: dict(Evaluation.Judgement.choices)
        for name in (
            "judgement",
            "terms_of_reference",
            "overview_and_imrs",
            "timescales",
            "equality_and_diversity",
            "family_involvement",
        )
    },
}
