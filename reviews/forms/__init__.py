"""Forms for a review's own pages: logging and editing a review with its rows, and recording an evaluation.

A review is edited on one page: ``ReviewForm`` plus four row formsets (contributing boards, children,
agencies, findings), bundled by ``ReviewEditor``. Rows are added and removed with submit buttons that
re-render the page with everything typed kept, so the page works without JavaScript; nothing is saved
until "Save as draft". Every value is checked here on the server; ``reviews.editing`` checks again what a
forged request could get wrong.
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
