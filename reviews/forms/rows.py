"""A review's rows (contributing boards, children, agencies, findings) as inline formsets of the review.

Each row is a ``ModelForm`` (labels, help and limits from its model's fields) in a ``BaseInlineFormSet`` with
``can_delete``: a row's "Remove" checkbox removes it when the review is saved, without JavaScript. The rules
between rows (each value once, no more than ``MAX_ROWS``) are the formset's ``clean()``.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet, inlineformset_factory

from govuk.forms import GOVUKTextField
from reviews import editing
from reviews.forms.fields import MAX_ROWS, YesNoNotKnownField, text_errors
from reviews.models import (
    AGENCY_NOTES_MAX_LENGTH,
    FINDING_DESCRIPTION_MAX_LENGTH,
    Agency,
    AgencyInvolvement,
    Child,
    Contribution,
    Finding,
    Review,
)

INLINE_RADIOS = forms.RadioSelect(attrs={"class": "govuk-radios--inline govuk-radios--small"})


class RowForm(forms.ModelForm):
    """One row of a review. ``noun`` names it in messages ("child")."""

    noun = "row"

    def validate_constraints(self):
        """The row's own constraints. Which values rows must not share (an agency, a board) is the formset's
        rule: rows may swap values in one save, which checking each row against the saved ones would refuse."""
        try:
            self.instance.validate_constraints(exclude={"review", *self.errors})
        except ValidationError as error:
            self.add_error(None, error)


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


class ContributionForm(RowForm):
    """A board that contributed to the review. The formset gives the board choices, read once per page."""

    noun = "board"

    class Meta:
        model = Contribution
        fields = ["board"]
        labels = {"board": "Board"}
        error_messages = {"board": {"required": "Select the board", "invalid_choice": "Select a board from the list"}}

    def __init__(self, *args, board_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["board"].choices = board_choices


class ReviewRows(BaseInlineFormSet):
    """Rows of one kind, in the order they were entered. A new row left as it was shown is ignored; a row
    whose "Remove" box is ticked is deleted on save (or, if new, ignored)."""

    kind = "rows"
    add_label = "Add another row"
    default_error_messages = {
        "missing_management_form": "The page was not sent completely. Go back to the review and try again.",
        "too_many_forms": f"You can list up to {MAX_ROWS} rows of each kind.",
    }
    # A field every row must hold a different value of (case aside), and what a repeat is told.
    unique_field = None
    repeat_message = ""

    def __init__(self, data=None, *, instance, extra=0, **kwargs):
        self.extra = extra  # blank rows shown on an unbound page (the new review form starts with some)
        queryset = self.model.objects.order_by("pk")
        super().__init__(data, instance=instance, queryset=queryset, prefix=self.kind, **kwargs)

    @property
    def non_form_error_anchor(self):
        return self.prefix  # the rows' section on the review form

    @property
    def noun(self):
        return self.form.noun

    def add_fields(self, form, index):
        super().add_fields(form, index)
        gone = f"This {self.noun} is not part of this review, or someone else removed it. Remove this {self.noun}"
        message = f"{gone} and add it again."
        form.fields["id"].error_messages.update(required=message, invalid_choice=message)
        # Only this review's rows: Django's own choice for the id is every row of the model.
        form.fields["id"].queryset = self.get_queryset()
        # The review a row belongs to is the page's, never the posted value.
        form.fields["review"].disabled = True
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = f"Remove this {self.noun}"

    def kept_forms(self):
        """The rows that will be saved, as far as they are valid: filled in and not marked for removal."""
        return [form for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]

    def clean(self):
        for form in self.forms:
            if form.cleaned_data.get("DELETE"):
                # Going anyway: what is wrong with it would only stand between the user and saving.
                form.errors.clear()
        ids = [form.cleaned_data["id"].pk for form in self.forms if form.cleaned_data.get("id")]
        if len(ids) != len(set(ids)):
            raise ValidationError(f"The same {self.noun} appears twice. Remove one of them.")
        if self.unique_field:
            self.mark_repeats()
        super().clean()

    def mark_repeats(self):
        """Put ``repeat_message`` on each row whose ``unique_field`` an earlier row already holds, or a saved row
        this page did not show (added by someone else since). A row without a value is left alone: it already
        says what is missing."""
        shown = {form.instance.pk for form in self.initial_forms}
        attname = self.model._meta.get_field(self.unique_field).attname
        # The saved rows were read to match the posted ids to them: no second query.
        seen = {_key(getattr(row, attname)) for row in self.get_queryset() if row.pk not in shown}
        for form in self.kept_forms():
            value = form.cleaned_data.get(self.unique_field)
            if not value:
                continue
            if _key(value) in seen:
                form.add_error(self.unique_field, self.repeat_message.format(label=self.value_label(value)))
            seen.add(_key(value))

    def value_label(self, value):
        return value

    # Rows whose value of this field changed are deleted and added again: two rows could not swap values
    # held unique per review by UPDATE, one row at a time.
    recreate_on = ()

    def save(self, commit=True):
        """Removed rows first (a value a removed row held may be given to another), then changed and new rows."""
        instances = super().save(commit=False)
        if not commit:
            return instances
        for obj in self.deleted_objects:
            obj.delete()
        moved = [obj for obj, changed in self.changed_objects if set(changed) & set(self.recreate_on)]
        for obj in moved:
            obj.delete()  # leaves the instance without a primary key: saving it below adds it again
        for instance in instances:
            instance.save()
        return instances


class ChildRows(ReviewRows):
    kind = "children"
    add_label = "Add another child"
    unique_field = "pseudonym"
    repeat_message = "Each child needs a different pseudonym, for example Child A and Child B"


class AgencyRows(ReviewRows):
    kind = "agencies"
    add_label = "Add another agency"
    unique_field = "agency"
    repeat_message = "{label} is already listed. List each agency once."
    recreate_on = ("agency",)

    def value_label(self, value):
        return Agency(value).label


class FindingRows(ReviewRows):
    kind = "findings"
    add_label = "Add another finding"


class ContributionRows(ReviewRows):
    """Other boards that contributed: never the lead board (``lead_board_id``, set once the review form is
    clean), each board once."""

    kind = "contributions"
    add_label = "Add another board"
    unique_field = "board"
    repeat_message = "This board is already listed"
    recreate_on = ("board",)

    def __init__(self, *args, board_choices=(), lead_board_id=None, **kwargs):
        self.board_choices = board_choices
        self.lead_board_id = lead_board_id
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"board_choices": self.board_choices}

    def mark_repeats(self):
        for form in self.kept_forms():
            board = form.cleaned_data.get("board")
            if board is not None and board.pk == self.lead_board_id:
                form.add_error("board", "The lead board is not a contributing board. Select another board.")
        super().mark_repeats()


def _key(value):
    """What makes two values of a row the same: text case aside, a model instance by its primary key."""
    if isinstance(value, str):
        return value.casefold()
    return getattr(value, "pk", value)


def _rows(form, formset):
    return inlineformset_factory(
        Review,
        form.Meta.model,
        form=form,
        formset=formset,
        extra=0,
        can_delete=True,
        max_num=MAX_ROWS,
        validate_max=True,
        absolute_max=MAX_ROWS,
    )


ChildFormSet = _rows(ChildForm, ChildRows)
AgencyFormSet = _rows(AgencyForm, AgencyRows)
FindingFormSet = _rows(FindingForm, FindingRows)
ContributionFormSet = _rows(ContributionForm, ContributionRows)
