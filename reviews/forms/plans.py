"""Forms of a review's action plan: a recommendation and an action, as ModelForms of ``reviews.plans``.

Labels, hints and limits come from the models' fields. The models' CHECK and UNIQUE constraints are the rules
(SPEC section 9); ``PlanForm`` asks each constraint itself and shows what it says beside the field it is
about, rather than as a message about the whole form. ``version`` is the row's version when the page was
loaded: the view refuses a save based on an older one (someone else saved in between).
"""

from django import forms
from django.core.exceptions import ValidationError

from govuk.forms import GOVUKDateField, GOVUKTextField
from reviews.forms.fields import text_errors
from reviews.models import Agency
from reviews.plans import Action, Recommendation


class PlanForm(forms.ModelForm):
    """A ModelForm whose model constraints are reported on the field each is about (``CONSTRAINT_FIELDS``)."""

    govuk_mark_optional = True
    CONSTRAINT_FIELDS = {}

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, parent, **kwargs):
        super().__init__(*args, **kwargs)
        self.parent = parent
        self.initial.setdefault("version", self.instance.version)

    def parent_field(self):
        raise NotImplementedError

    def clean(self):
        cleaned = super().clean()
        # The instance with this form's values, as ModelForm's own validation will see it next (it belongs to
        # this form: the view renders or saves it, nothing else reads it).
        candidate = self.instance
        for name, value in cleaned.items():
            if name != "version":
                setattr(candidate, name, value)
        for constraint in self._meta.model._meta.constraints:
            field = self.CONSTRAINT_FIELDS.get(constraint.name)
            known = set(cleaned) | {self.parent_field()}
            if field is None or self.has_error(field) or not set(constraint_fields(constraint)) <= known:
                continue
            try:
                constraint.validate(self._meta.model, candidate)
            except ValidationError as error:
                self.add_error(field, error.messages)
        return cleaned


def constraint_fields(constraint):
    """The form fields a constraint reads (the parent excepted): a unique constraint's fields, or every field a
    check constraint's condition names."""
    if getattr(constraint, "fields", None):
        return list(constraint.fields)
    names = []
    stack = [constraint.condition]
    while stack:
        node = stack.pop()
        for child in node.children:
            if isinstance(child, tuple):
                names.append(child[0].split("__")[0])
            else:
                stack.append(child)
    return names


class RecommendationForm(PlanForm):
    """A recommendation of the review: its number, its text and whom it is addressed to."""

    CONSTRAINT_FIELDS = {
        "recommendation_number_unique": "number",
        "recommendation_number_positive": "number",
        "recommendation_text_not_empty": "text",
    }

    class Meta:
        model = Recommendation
        fields = ["number", "text", "agency"]
        field_classes = {"text": GOVUKTextField}
        widgets = {
            "number": forms.NumberInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric"}),
            "text": forms.Textarea(attrs={"rows": 4}),
        }
        error_messages = {
            "number": {
                "required": "Enter the recommendation number",
                "invalid": "Recommendation number must be a number",
            },
            "text": text_errors("Recommendation", Recommendation._meta.get_field("text").max_length),
            "agency": {"invalid_choice": "Select the agency the recommendation is addressed to"},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Blank is a choice of its own here, not "nothing chosen yet".
        self.fields["agency"].choices = [("", "The board as a whole"), *Agency.choices]

    def parent_field(self):
        return "review"


class ActionForm(PlanForm):
    """An action of the plan: what is done, by which agency, by when, and how it went.

    Completing an action needs the date it was completed (today or before); withdrawing it needs the reason,
    in the evidence; only a completed action has a date completed. The model's constraints say so.
    """

    CONSTRAINT_FIELDS = {
        "action_number_unique": "number",
        "action_number_positive": "number",
        "action_description_not_empty": "description",
        "action_completed_needs_date": "completed_date",
        "action_only_completed_has_date": "completed_date",
        "action_withdrawn_needs_evidence": "evidence",
    }

    class Meta:
        model = Action
        fields = ["number", "description", "owner_agency", "due_date", "status", "completed_date", "evidence"]
        field_classes = {
            "description": GOVUKTextField,
            "evidence": GOVUKTextField,
            "due_date": GOVUKDateField,
            "completed_date": GOVUKDateField,
        }
        widgets = {
            "number": forms.NumberInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric"}),
            "description": forms.Textarea(attrs={"rows": 3}),
            "evidence": forms.Textarea(attrs={"rows": 4}),
            "status": forms.RadioSelect,
        }
        error_messages = {
            "number": {"required": "Enter the action number", "invalid": "Action number must be a number"},
            "description": text_errors("Action", Action._meta.get_field("description").max_length),
            "evidence": text_errors("Evidence", Action._meta.get_field("evidence").max_length),
            "owner_agency": {
                "required": "Select the agency that owns the action",
                "invalid_choice": "Select the agency that owns the action",
            },
            "status": {"required": "Select the status of the action", "invalid_choice": "Select the status"},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["completed_date"].not_in_future = True
        self.fields["completed_date"].error_name = "date completed"
        self.fields["due_date"].error_name = "due date"
        # A blank choice first would be a fifth, meaningless status.
        self.fields["status"].choices = Action.Status.choices

    def parent_field(self):
        return "recommendation"
