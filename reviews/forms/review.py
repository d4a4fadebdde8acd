"""The review's own fields, and the check-your-answers page's POST."""

from django import forms
from django.utils.text import capfirst

from reviews import editing
from reviews.forms.fields import EARLIEST_DATE, YesNoNotKnownField, long_date, text_errors
from reviews.models import (
    REVIEW_DATE_ORDER,
    REVIEW_SUMMARY_MAX_LENGTH,
    Board,
    Review,
    date_order_message,
    dates_out_of_order,
)
from reviews.validators import validate_xml_text
from scr_register.forms import GOVUKDateField, GOVUKTextField


class ReviewForm(forms.Form):
    """The review's own fields. ``board`` offers only the user's boards; dates follow the database's order."""

    govuk_mark_optional = True

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    board = forms.ModelChoiceField(
        queryset=Board.objects.none(),
        label="Lead board",
        error_messages={
            "required": "Select the lead board",
            "invalid_choice": "Select one of your boards as the lead board",
        },
    )
    reference = forms.CharField(
        label="Reference",
        max_length=40,
        required=False,
        help_text=(
            "Leave blank to be given one, like SCR-2008-E08000025-0001. "
            "A reference you choose must include the lead board's GSS code."
        ),
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "spellcheck": "false"}),
        validators=[validate_xml_text],
        error_messages=text_errors("The reference", max_length="The reference must be 40 characters or fewer"),
    )
    title = forms.CharField(
        label="Title",
        max_length=200,
        validators=[validate_xml_text],
        error_messages=text_errors(
            "The title",
            required="Enter the title of the review",
            max_length="The title must be 200 characters or fewer",
        ),
    )
    incident_date = GOVUKDateField(
        label="Date of the incident",
        error_name="date of the incident",
        required=False,
        not_in_future=True,
        min_date=EARLIEST_DATE,
        help_text="For example, 27 3 2008",
    )
    decision_date = GOVUKDateField(
        label="Date of the decision to hold the review",
        error_name="date of the decision to hold the review",
        not_in_future=True,
        min_date=EARLIEST_DATE,
        help_text="For example, 27 3 2008",
    )
    completed_date = GOVUKDateField(
        label="Date the review was completed",
        error_name="date the review was completed",
        required=False,
        not_in_future=True,
        min_date=EARLIEST_DATE,
        help_text="Leave blank until the overview report is agreed. You need it to submit the review.",
    )
    independent_chair = YesNoNotKnownField(label="Was the chair of the review panel independent?")
    independent_author = YesNoNotKnownField(label="Was the author of the overview report independent?")
    summary = GOVUKTextField(
        validators=[validate_xml_text],
        label="Summary",
        required=False,
        max_length=REVIEW_SUMMARY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What happened and what the review found, without naming anyone. You need it to submit the review.",
        error_messages=text_errors("Summary", REVIEW_SUMMARY_MAX_LENGTH),
    )

    def __init__(self, data=None, *, user, review=None, **kwargs):
        self.user = user
        self.review = review
        if review is not None and data is None:
            kwargs.setdefault("initial", initial_for_review(review))
        super().__init__(data, **kwargs)
        boards = editing.own_boards(user).order_by("name")
        self.fields["board"].queryset = boards
        if not self.is_bound and review is None and len(boards) == 1:
            self.initial.setdefault("board", boards[0].pk)
        self.fields["board"].empty_label = "Select a board" if len(boards) != 1 else None

    def clean_reference(self):
        return self.cleaned_data["reference"].strip()

    def clean(self):
        data = super().clean()
        self._check_reference(data)
        self._check_date_order(data)
        return data

    def _check_reference(self, data):
        """A reference the user chooses holds the lead board's GSS code and no other board's (docs/SECURITY.md).

        So it can only clash with a review of the lead board, which the user can see: "already in use" then
        tells them nothing about another board. A clash with a review they cannot see (a reference given
        before this rule) gets the same answer as any reference they may not choose.
        """
        reference, board = data.get("reference"), data.get("board")
        unchanged = self.review is not None and reference == self.review.reference
        if not reference:
            if self.review is not None:
                self.add_error("reference", "Enter a reference")
            return
        if board is None or (unchanged and board == self.review.board):
            return
        codes = editing.codes_in_reference(reference)
        others = Review.objects.filter(reference__iexact=reference)
        if self.review is not None:
            others = others.exclude(pk=self.review.pk)
        if (
            (not unchanged and board.gss_code not in codes)
            or Board.objects.filter(gss_code__in=codes - {board.gss_code}).exists()
            or others.exclude(pk__in=Review.objects.for_user(self.user).values("pk")).exists()
        ):
            self.add_error(
                "reference",
                f"The reference must include the lead board's GSS code, {board.gss_code}, and no other board's "
                f"code, for example SCR-2008-{board.gss_code}-0001",
            )
        elif others.exists():
            self.add_error("reference", "This reference is already in use. Choose another or leave it blank")

    def _check_date_order(self, data):
        values = {**data, "submitted_date": self.review.submitted_date if self.review is not None else None}
        for earlier, later in dates_out_of_order(values, REVIEW_DATE_ORDER):
            if later.field in self.fields:
                self.add_error(later.field, date_order_message(earlier, later))
            else:  # the date it was submitted, which this form does not change
                self.add_error(
                    earlier.field,
                    f"{capfirst(earlier.subject)} must be the same as or before {later.reference}, "
                    f"{long_date(values[later.field])}",
                )

    def review_fields(self):
        """The clean values for ``reviews.editing`` (after ``is_valid()``)."""
        return {name: self.cleaned_data[name] for name in editing.REVIEW_FIELDS}


def initial_for_review(review):
    return {"version": review.version, **{name: getattr(review, name) for name in editing.REVIEW_FIELDS}}


class SubmitForm(forms.Form):
    """The check-your-answers page's POST: only the version the user checked."""

    version = forms.IntegerField(widget=forms.HiddenInput)
