"""The import benchmark's parts (bench/bench_import.py runs them): the tables it empties and reads, shared here."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # the project: reviews.*, scr_register.*

REVIEW_TABLES = [
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
# Kept by the database's triggers from the review tables (the dashboard's and the action plans' figures), with no
# foreign key to cascade through: emptied with them, or the next run's triggers would meet the last run's rows (the
# counted actions' keys, their ids restarted, would clash).
KEPT_TABLES = ["reviews_boardyear", "reviews_countedaction", "reviews_actionmonth"]
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
