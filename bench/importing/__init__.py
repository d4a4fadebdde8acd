"""The import benchmark's parts (bench/bench_import.py runs them): the tables it empties and reads, shared here."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # the project: reviews.*, scr_register.*

# The counted actions and their month tallies are kept by triggers, with no foreign key to cascade through: they
# are emptied with the actions, or a later run's actions (ids restarted) would be counted twice.
REVIEW_TABLES = [
    "reviews_actionmonth",
    "reviews_countedaction",
    "reviews_action",
    "reviews_recommendation",
    "reviews_evaluation",
    "reviews_finding",
    "reviews_child",
    "reviews_agencyinvolvement",
    "reviews_contribution",
    "reviews_readevent",
    "reviews_review",
]
EVENT_TABLES = [
    "reviews_actionevent",
    "reviews_recommendationevent",
    "reviews_evaluationevent",
    "reviews_findingevent",
    "reviews_childevent",
    "reviews_agencyinvolvementevent",
    "reviews_contributionevent",
    "reviews_reviewevent",
    "pghistory_context",
]
