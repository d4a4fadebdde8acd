"""The review's own fields, and the check-your-answers page's POST."""

import copy

from django import forms
from django.utils.text import capfirst

from govuk.forms import GOVUKDateField, GOVUKTextField
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


class ReviewForm(forms.ModelForm):
    """The review's own fields, with labels, help and limits from ``Review``'s fields. ``board`` offers only the
    user's boards; dates follow the database's order. ``reviews.editing`` saves (checking the version)."""

    govuk_mark_optional = True

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Review
        fields = editing.REVIEW_FIELDS
        field_classes = {
            "incident_date": GOVUKDateField,
            "decision_date": GOVUKDateField,
            "completed_date": GOVUKDateField,
            "independent_chair": YesNoNotKnownField,
            "independent_author": YesNoNotKnownField,
            "summary": GOVUKTextField,
        }
        widgets = {
            "reference": forms.TextInput(attrs={"class": "govuk-input--width-20", "spellcheck": "false"}),
            "summary": forms.Textarea(attrs={"rows": 6}),
        }
        error_messages = {
            "board": {
                "required": "Select the lead board",
                "invalid_choice": "Select one of your boards as the lead board",
            },
            "reference": text_errors("The reference", max_length="The reference must be 40 characters or fewer"),
            "title": text_errors(
                "The title",
                required="Enter the title of the review",
                max_length="The title must be 200 characters or fewer",
            ),
            "summary": text_errors("Summary", REVIEW_SUMMARY_MAX_LENGTH),
        }

    def __init__(self, data=None, *, user, review=None, **kwargs):
        self.user = user
        self.review = review
        if review is not None:
            kwargs.setdefault("initial", {"version": review.version})
            # A copy: the form fills its instance in as it validates, and the page still shows the saved review.
            kwargs["instance"] = copy.copy(review)
        super().__init__(data, **kwargs)
        for name in ("incident_date", "decision_date", "completed_date"):
            field = self.fields[name]
            field.error_name = Review._meta.get_field(name).verbose_name
            field.not_in_future = True
            field.min_date = EARLIEST_DATE
        self.fields["decision_date"].required = True
        self.fields["reference"].required = False  # blank: the next free reference is given
        # Checked as the field is cleaned (the model checks it too, later), so the reference rules in clean()
        # never read a reference holding a character that cannot be saved.
        self.fields["reference"].validators.append(validate_xml_text)
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


class SubmitForm(forms.Form):
    """The check-your-answers page's POST: only the version the user checked."""

    version = forms.IntegerField(widget=forms.HiddenInput)
