"""The files of an import bundle and their columns (SPEC section 4), and its errors, FILE:LINE: COLUMN: message."""

from dataclasses import dataclass
from typing import Any

from reviews.models import Action, Agency, Child, Evaluation, Finding, Judgement, Recommendation, Review

REVIEWS = "reviews.csv"
CHILDREN = "children.csv"
FINDINGS = "findings.csv"
EVALUATIONS = "evaluations.csv"
RECOMMENDATIONS = "recommendations.csv"
ACTIONS = "actions.csv"
FILE_NAMES = (REVIEWS, CHILDREN, FINDINGS, EVALUATIONS, RECOMMENDATIONS, ACTIONS)
CONTRIBUTIONS = "other_boards"  # the contributions come from this column of reviews.csv
NO_COLUMN = "-"  # the COLUMN of an error about a whole file or row


@dataclass(frozen=True)
class Column:
    """One CSV column: how to read a cell, and whether the column and a value are required."""

    name: str
    kind: str = "text"  # text (kept exactly), code (trimmed), board, boards, choice, date, bool, int
    required_column: bool = False
    required_value: bool = False
    max_length: int | None = None
    choices: tuple[str, ...] = ()
    blank: Any = ""  # the value a blank cell stands for


def _choice(name, choices, *, required=False, blank=""):
    return Column(name, "choice", required, required, choices=tuple(choices.values), blank=blank)


def _max_length(model, name):
    return model._meta.get_field(name).max_length


COLUMNS = {
    REVIEWS: (
        Column("reference", "code", True, True, max_length=_max_length(Review, "reference")),
        Column("board", "board", True, True),
        Column("other_boards", "boards"),
        Column("title", "text", True, True, max_length=_max_length(Review, "title")),
        Column("incident_date", "date", blank=None),
        Column("decision_date", "date", blank=None),
        Column("completed_date", "date", blank=None),
        Column("submitted_date", "date", blank=None),
        Column("independent_chair", "bool", blank=None),
        Column("independent_author", "bool", blank=None),
        Column("summary", max_length=_max_length(Review, "summary")),
    ),
    CHILDREN: (
        Column("review", "code", True, True),
        Column("pseudonym", "text", True, True, max_length=_max_length(Child, "pseudonym")),
        _choice("sex", Child.Sex, blank=Child.Sex.NOT_KNOWN),
        _choice("age_band", Child.AgeBand, blank=Child.AgeBand.NOT_KNOWN),
        _choice("ethnicity", Child.Ethnicity),
        _choice("outcome", Child.Outcome, required=True),
        Column("known_to_social_care", "bool", blank=None),
        Column("child_protection_plan", "bool", blank=None),
        Column("looked_after", "bool", blank=None),
    ),
    FINDINGS: (
        Column("review", "code", True, True),
        _choice("category", Finding.Category, required=True),
        _choice("agency", Agency),
        Column("description", max_length=_max_length(Finding, "description")),
    ),
    EVALUATIONS: (
        Column("review", "code", True, True),
        Column("sequence", "int", True, True),
        Column("received_date", "date", True, True, blank=None),
        Column("completed_date", "date", True, True, blank=None),
        _choice("judgement", Judgement, required=True),
        Column("summary", max_length=_max_length(Evaluation, "summary")),
        # Optional aspect judgements, so an evaluation recorded in the app survives a round trip.
        _choice("terms_of_reference", Judgement),
        _choice("overview_and_imrs", Judgement),
        _choice("timescales", Judgement),
        _choice("equality_and_diversity", Judgement),
        _choice("family_involvement", Judgement),
    ),
    # SPEC section 9: a review's recommendations and the board's action plan.
    RECOMMENDATIONS: (
        Column("review", "code", True, True),
        Column("number", "int", True, True),
        Column("text", "text", True, True, max_length=_max_length(Recommendation, "text")),
        _choice("agency", Agency),  # blank: the board as a whole
    ),
    ACTIONS: (
        Column("review", "code", True, True),
        Column("recommendation", "int", True, True),
        Column("number", "int", True, True),
        Column("description", "text", True, True, max_length=_max_length(Action, "description")),
        _choice("owner_agency", Agency, required=True),
        Column("due_date", "date", True, True, blank=None),
        _choice("status", Action.Status, blank=Action.Status.NOT_STARTED),
        Column("completed_date", "date", blank=None),
        Column("evidence", max_length=_max_length(Action, "evidence")),
    ),
}


class Errors:
    """Errors kept with a sort key, so they print in file, line and column order."""

    def __init__(self):
        self.items = []

    def add(self, file_name, line, column, message):
        file_index = FILE_NAMES.index(file_name) if file_name in FILE_NAMES else len(FILE_NAMES)
        self.items.append(((file_index, file_name, line, self.column_index(file_name, column)), column, message))

    @staticmethod
    def column_index(file_name, column):
        for index, spec in enumerate(COLUMNS.get(file_name, ())):
            if spec.name == column:
                return index
        return -1 if column == NO_COLUMN else 99

    def __bool__(self):
        return bool(self.items)

    def lines(self):
        """Every error as ``FILE:LINE: COLUMN: message``, in the order of the files, lines and columns."""
        ordered = sorted(self.items, key=lambda item: item[0])
        return [f"{key[1]}:{key[2]}: {column}: {message}" for key, column, message in ordered]
