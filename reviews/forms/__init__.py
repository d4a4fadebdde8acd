"""Forms for a review's own pages: logging and editing a review with its rows, and recording an evaluation.

A review is edited on one page: ``ReviewForm`` plus four inline formsets of the review (contributing
boards, children, agencies, findings), bundled by ``ReviewEditor``. "Add another ..." buttons re-render the
page with one more row and everything typed kept, and each row's "Remove" checkbox removes it on save, so
the page works without JavaScript; nothing is saved until "Save as draft". Every value is checked here on
the server; ``reviews.editing`` holds the version check and the next free reference.
"""

from reviews.forms.editor import ReviewEditor
from reviews.forms.evaluation import EvaluationForm
from reviews.forms.review import ReviewForm, SubmitForm
from reviews.forms.rows import AgencyForm, ChildForm, FindingForm

__all__ = [
    "AgencyForm",
    "ChildForm",
    "EvaluationForm",
    "FindingForm",
    "ReviewEditor",
    "ReviewForm",
    "SubmitForm",
]
