"""The register's domain: reference data (regions, authorities, boards) and serious case reviews.

One module per part of the domain; every public name is re-exported here, so ``from reviews.models import
Review`` is the way to import any of them. pghistory puts the event models it makes (``ReviewEvent``, ...)
here too.
"""

from reviews.models.audit import audited
from reviews.models.boards import Board, BoardQuerySet, LocalAuthority, Region
from reviews.models.constraints import (
    AGENCY_NOTES_MAX_LENGTH,
    EVALUATION_DATE_ORDER,
    EVALUATION_SUMMARY_MAX_LENGTH,
    FINDING_DESCRIPTION_MAX_LENGTH,
    REVIEW_DATE_ORDER,
    REVIEW_SUMMARY_MAX_LENGTH,
    DateStep,
    date_order_constraints,
    date_order_message,
    dates_out_of_order,
    text_max_length,
)
from reviews.models.evaluation import Evaluation, Judgement
from reviews.models.events import ReadEvent, SavedView
from reviews.models.findings import Finding
from reviews.models.involvement import (
    Agency,
    AgencyInvolvement,
    Child,
    Contribution,
)
from reviews.models.review import Review, ReviewSearch, judgement_rank, reference_key
from reviews.models.triggers import review_flag_triggers

# The figures the database keeps for the dashboard (their own module, which reads the models above; imported
# here so Django finds its models).
from reviews.plans import Action, Recommendation  # noqa: E402  (recommendations and actions build on the models above)
from reviews.plans_counting import ActionMonth, CountedAction
from reviews.reminders import ReminderSent  # noqa: E402  (the reminders sent about actions)

# isort: split
# The triggers that keep the tracker's scope on each action (they read the models above).
from reviews import plans_scope  # noqa: F401

# isort: split
# A review's documents (SPEC section 10), which build on Review; before the reporting module, whose triggers on
# documents keep the dashboard's publication figures fresh.
from reviews.documents.models import Document

# isort: split
from reviews.reporting import BoardYear, DataVersion

__all__ = [
    "Action",
    "ActionMonth",
    "CountedAction",
    "Recommendation",
    "ReminderSent",
    "AGENCY_NOTES_MAX_LENGTH",
    "EVALUATION_DATE_ORDER",
    "EVALUATION_SUMMARY_MAX_LENGTH",
    "FINDING_DESCRIPTION_MAX_LENGTH",
    "REVIEW_DATE_ORDER",
    "REVIEW_SUMMARY_MAX_LENGTH",
    "Agency",
    "AgencyInvolvement",
    "Board",
    "BoardQuerySet",
    "BoardYear",
    "Child",
    "Contribution",
    "DataVersion",
    "DateStep",
    "Document",
    "Evaluation",
    "Finding",
    "Judgement",
    "LocalAuthority",
    "ReadEvent",
    "Region",
    "Review",
    "ReviewSearch",
    "SavedView",
    "audited",
    "date_order_constraints",
    "date_order_message",
    "dates_out_of_order",
    "judgement_rank",
    "reference_key",
    "review_flag_triggers",
    "text_max_length",
]
