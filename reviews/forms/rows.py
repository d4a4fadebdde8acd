"""A review's rows (children, agencies, findings) and contributing boards, as formsets."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.formsets import BaseFormSet, formset_factory

from govuk.forms import GOVUKTextField
from reviews import editing
from reviews.forms.fields import MAX_ROWS, YesNoNotKnownField, text_errors
from reviews.models import (
    AGENCY_NOTES_MAX_LENGTH,
    FINDING_DESCRIPTION_MAX_LENGTH,
    Agency,
    AgencyInvolvement,
    Board,
    Child,
    Finding,
)


class RowForm(forms.ModelForm):
    """One row of a review (a child, an agency, a finding), with labels, help and limits from its model's fields:
    ``id`` names an existing row of this review. ``reviews.editing`` saves the rows."""

    noun = "row"

    id = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, allowed_ids=frozenset(), **kwargs):
        self.allowed_ids = allowed_ids
        super().__init__(*args, **kwargs)

    def clean_id(self):
        row_id = self.cleaned_data.get("id")
        if row_id is not None and row_id not in self.allowed_ids:
            raise ValidationError(
                f"This {self.noun} is not part of this review, or someone else removed it. "
                f"Remove this {self.noun} and add it again."
            )
        return row_id

    def row(self):
        return {"id": self.cleaned_data.get("id"), **{n: self.cleaned_data[n] for n in self.Meta.fields}}


INLINE_RADIOS = forms.RadioSelect(attrs={"class": "govuk-radios--inline govuk-radios--small"})


class ChildForm(RowForm):
    noun = "child"

    class Meta:
        model = Child
        fields = editing.CHILD_FIELDS
        field_classes = dict.fromkeys(
            ("known_to_social_care", "child_protection_plan", "looked_after"), YesNoNotKnownField
        )
        widgets = {
            "pseudonym": forms.TextInput(
                attrs={"class": "govuk-input--width-10", "autocomplete": "off", "spellcheck": "false"}
            ),
            "sex": INLINE_RADIOS,
            "outcome": INLINE_RADIOS,
        }
        error_messages = {
            "pseudonym": text_errors(
                "The pseudonym",
                required="Enter a pseudonym for the child, for example Child A",
                max_length="The pseudonym must be 40 characters or fewer",
            ),
            "sex": {"required": "Select the child's sex", "invalid_choice": "Select the child's sex"},
            "age_band": {"required": "Select the child's age", "invalid_choice": "Select the child's age"},
            "ethnicity": {"invalid_choice": "Select the child's ethnicity from the list"},
            "outcome": {
                "required": "Select whether the child died or was seriously harmed",
                "invalid_choice": "Select whether the child died or was seriously harmed",
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ethnicity"].choices = [("", "Not known"), *Child.Ethnicity.choices]
        self.fields["outcome"].choices = Child.Outcome.choices  # radios: no blank choice

    def clean_pseudonym(self):
        pseudonym = " ".join(self.cleaned_data["pseudonym"].split())
        if not pseudonym:
            raise ValidationError("Enter a pseudonym for the child, for example Child A")
        return pseudonym


class AgencyForm(RowForm):
    noun = "agency"
    govuk_mark_optional = True

    class Meta:
        model = AgencyInvolvement
        fields = editing.AGENCY_FIELDS
        field_classes = {"notes": GOVUKTextField}
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
        error_messages = {
            "agency": {"required": "Select the agency", "invalid_choice": "Select an agency from the list"},
            "notes": text_errors("Notes", AGENCY_NOTES_MAX_LENGTH),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", "Select an agency"), *Agency.choices]


class FindingForm(RowForm):
    noun = "finding"
    govuk_mark_optional = True

    class Meta:
        model = Finding
        fields = editing.FINDING_FIELDS
        field_classes = {"description": GOVUKTextField}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        error_messages = {
            "category": {"required": "Select the category of the finding", "invalid_choice": "Select a category"},
            "agency": {"invalid_choice": "Select an agency from the list"},
            "description": text_errors("Description", FINDING_DESCRIPTION_MAX_LENGTH),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "Select a category"), *Finding.Category.choices]
        self.fields["agency"].choices = [("", "No one agency"), *Agency.choices]


class ContributionForm(forms.Form):
    """A board that contributed to the review (the formset fills in the choices once per page)."""

    board = forms.TypedChoiceField(
        label="Board",
        coerce=int,
        choices=(),
        error_messages={"required": "Select the board", "invalid_choice": "Select a board from the list"},
    )

    def __init__(self, *args, board_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["board"].choices = board_choices


class RowFormSet(BaseFormSet):
    """Rows of one kind. Every row may be left empty (it is then ignored); ``rows()`` gives the service's dicts."""

    kind = "rows"
    add_label = "Add another row"

    @property
    def non_form_error_anchor(self):
        return self.prefix  # the rows' section on the review form

    def __init__(self, *args, allowed_ids=frozenset(), **kwargs):
        self.allowed_ids = frozenset(allowed_ids)
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"allowed_ids": self.allowed_ids, "empty_permitted": True}

    def filled_forms(self):
        return [form for form in self.forms if form.cleaned_data]

    # A field every filled row must hold a different value of (case aside), and what a repeat is told.
    unique_field = None
    repeat_message = ""

    def clean(self):
        if not any(self.errors):
            ids = [form.cleaned_data["id"] for form in self.filled_forms() if form.cleaned_data.get("id") is not None]
            if len(ids) != len(set(ids)):
                raise ValidationError(f"The same {self.form.noun} appears twice. Remove one of them.")
        if self.unique_field:
            self.mark_repeats()

    def mark_repeats(self):
        """Put ``repeat_message`` on each row whose ``unique_field`` an earlier row already holds. A row without
        a value is left alone: it already says what is missing."""
        seen = set()
        for form in self.filled_forms():
            value = form.cleaned_data.get(self.unique_field)
            if not value:
                continue
            if value.casefold() in seen:
                form.add_error(self.unique_field, self.repeat_message.format(label=self.value_label(value)))
            seen.add(value.casefold())

    def value_label(self, value):
        return value

    def rows(self):
        return [form.row() for form in self.filled_forms()]


class ChildFormSet(RowFormSet):
    kind = "children"
    add_label = "Add another child"
    unique_field = "pseudonym"
    repeat_message = "Each child needs a different pseudonym, for example Child A and Child B"


class AgencyFormSet(RowFormSet):
    kind = "agencies"
    add_label = "Add another agency"
    unique_field = "agency"
    repeat_message = "{label} is already listed. List each agency once."

    def value_label(self, value):
        return Agency(value).label


class FindingFormSet(RowFormSet):
    kind = "findings"
    add_label = "Add another finding"


class ContributionFormSet(BaseFormSet):
    kind = "contributions"
    add_label = "Add another board"

    def __init__(self, *args, board_choices=(), lead_board=None, **kwargs):
        self.board_choices = board_choices
        self.lead_board = lead_board
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"board_choices": self.board_choices, "empty_permitted": True}

    def filled_forms(self):
        return [form for form in self.forms if form.cleaned_data]

    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.filled_forms():
            pk = form.cleaned_data["board"]
            if self.lead_board is not None and pk == self.lead_board.pk:
                form.add_error("board", "The lead board is not a contributing board. Select another board.")
            elif pk in seen:
                form.add_error("board", "This board is already listed")
            seen.add(pk)

    def boards(self):
        pks = [form.cleaned_data["board"] for form in self.filled_forms()]
        return list(Board.objects.filter(pk__in=pks))


def _factory(form, formset):
    return formset_factory(form, formset=formset, extra=0, max_num=MAX_ROWS, validate_max=True, absolute_max=MAX_ROWS)


ChildRows = _factory(ChildForm, ChildFormSet)
AgencyRows = _factory(AgencyForm, AgencyFormSet)
FindingRows = _factory(FindingForm, FindingFormSet)
ContributionRows = _factory(ContributionForm, ContributionFormSet)

for _rows in (ChildRows, AgencyRows, FindingRows, ContributionRows):
    _rows.error_messages = {
        **BaseFormSet.default_error_messages,
        "missing_management_form": "The page was not sent completely. Go back to the review and try again.",
        "too_many_forms": f"You can list up to {MAX_ROWS} rows of each kind.",
    }

ROW_DEFAULTS = {
    "children": {"sex": Child.Sex.NOT_KNOWN, "age_band": Child.AgeBand.NOT_KNOWN},
    "agencies": {},
    "findings": {},
    "contributions": {},
}
