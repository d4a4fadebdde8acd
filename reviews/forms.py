"""Forms for a review's own pages: logging and editing a review with its rows, and recording an evaluation.

A review is edited on one page: ``ReviewForm`` plus four row formsets (contributing boards, children,
agencies, findings), bundled by ``ReviewEditor``. Rows are added and removed with submit buttons that
re-render the page with everything typed kept, so the page works without JavaScript; nothing is saved
until "Save as draft". Every value is checked here on the server; ``reviews.editing`` checks again what a
forged request could get wrong.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.forms.formsets import BaseFormSet, formset_factory
from django.utils.formats import date_format
from django.utils.text import capfirst

from reviews import editing
from reviews.models import (
    AGENCY_NOTES_MAX_LENGTH,
    EVALUATION_DATE_ORDER,
    EVALUATION_SUMMARY_MAX_LENGTH,
    FINDING_DESCRIPTION_MAX_LENGTH,
    REVIEW_DATE_ORDER,
    REVIEW_SUMMARY_MAX_LENGTH,
    Agency,
    AgencyInvolvement,
    Board,
    Child,
    Evaluation,
    Finding,
    Review,
    date_order_message,
    dates_out_of_order,
)
from reviews.validators import validate_xml_text
from scr_register.forms import GOVUKDateField, GOVUKTextField

MAX_ROWS = 50
# Serious case reviews ("Part 8 reviews" before 2006) began in 1991: earlier dates are typing mistakes.
EARLIEST_DATE = datetime.date(1990, 1, 1)


def long_date(day):
    return date_format(day, "j F Y")


def text_errors(name, limit=None, **messages):
    """GOV.UK messages for free text named ``name`` ("Summary"): too long, or holding a character that cannot
    be saved (``validate_xml_text``); ``messages`` adds or replaces any."""
    errors = {
        "illegal_character": f"{name} must not include the character %(character)s, which cannot be saved "
        "(it is character %(position)s)"
    }
    if limit:
        errors["max_length"] = f"{name} must be {limit:,} characters or fewer"
    return errors | messages


class YesNoNotKnownField(forms.TypedChoiceField):
    """A yes / no / not known question stored as True / False / None, asked with inline radios."""

    widget = forms.RadioSelect(attrs={"class": "govuk-radios--inline govuk-radios--small"})

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(
            choices=[("yes", "Yes"), ("no", "No"), ("not_known", "Not known")],
            coerce=lambda value: {"yes": True, "no": False}.get(value),
            empty_value=None,
            **kwargs,
        )

    def prepare_value(self, value):
        return {True: "yes", False: "no", None: "not_known"}.get(value, value)

    def has_changed(self, initial, data):
        return self.prepare_value(initial) != (data or "not_known")


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


# Rows -----------------------------------------------------------------------------------------------------


class RowForm(forms.Form):
    """One row of a review (a child, an agency, a finding): ``id`` names an existing row of this review."""

    noun = "row"
    fields_for_service = ()

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
        return {"id": self.cleaned_data.get("id"), **{n: self.cleaned_data[n] for n in self.fields_for_service}}


class ChildForm(RowForm):
    noun = "child"
    fields_for_service = editing.CHILD_FIELDS

    pseudonym = forms.CharField(
        label="Pseudonym",
        max_length=40,
        help_text="For example, Child A. Never enter a child's name.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "autocomplete": "off", "spellcheck": "false"}),
        validators=[validate_xml_text],
        error_messages=text_errors(
            "The pseudonym",
            required="Enter a pseudonym for the child, for example Child A",
            max_length="The pseudonym must be 40 characters or fewer",
        ),
    )
    sex = forms.ChoiceField(
        label="Sex",
        choices=Child.Sex.choices,
        initial=Child.Sex.NOT_KNOWN,
        widget=forms.RadioSelect(attrs={"class": "govuk-radios--inline govuk-radios--small"}),
        error_messages={"required": "Select the child's sex", "invalid_choice": "Select the child's sex"},
    )
    age_band = forms.ChoiceField(
        label="Age",
        choices=Child.AgeBand.choices,
        initial=Child.AgeBand.NOT_KNOWN,
        error_messages={"required": "Select the child's age", "invalid_choice": "Select the child's age"},
    )
    ethnicity = forms.ChoiceField(
        label="Ethnicity",
        choices=[("", "Not known"), *Child.Ethnicity.choices],
        required=False,
        error_messages={"invalid_choice": "Select the child's ethnicity from the list"},
    )
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=Child.Outcome.choices,
        widget=forms.RadioSelect(attrs={"class": "govuk-radios--inline govuk-radios--small"}),
        error_messages={
            "required": "Select whether the child died or was seriously harmed",
            "invalid_choice": "Select whether the child died or was seriously harmed",
        },
    )
    known_to_social_care = YesNoNotKnownField(label="Known to children's social care?")
    child_protection_plan = YesNoNotKnownField(label="On a child protection plan?")
    looked_after = YesNoNotKnownField(label="Looked after by the local authority?")

    def clean_pseudonym(self):
        pseudonym = " ".join(self.cleaned_data["pseudonym"].split())
        if not pseudonym:
            raise ValidationError("Enter a pseudonym for the child, for example Child A")
        return pseudonym


class AgencyForm(RowForm):
    noun = "agency"
    fields_for_service = editing.AGENCY_FIELDS

    agency = forms.ChoiceField(
        label="Agency",
        choices=[("", "Select an agency"), *Agency.choices],
        error_messages={"required": "Select the agency", "invalid_choice": "Select an agency from the list"},
    )
    imr_submitted = forms.BooleanField(label="The agency wrote an individual management review (IMR)", required=False)
    notes = GOVUKTextField(
        validators=[validate_xml_text],
        label="Notes (optional)",
        required=False,
        max_length=AGENCY_NOTES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=text_errors("Notes", AGENCY_NOTES_MAX_LENGTH),
    )


class FindingForm(RowForm):
    noun = "finding"
    fields_for_service = editing.FINDING_FIELDS

    category = forms.ChoiceField(
        label="Category",
        choices=[("", "Select a category"), *Finding.Category.choices],
        error_messages={"required": "Select the category of the finding", "invalid_choice": "Select a category"},
    )
    agency = forms.ChoiceField(
        label="Agency (optional)",
        choices=[("", "No one agency"), *Agency.choices],
        required=False,
        error_messages={"invalid_choice": "Select an agency from the list"},
    )
    description = GOVUKTextField(
        validators=[validate_xml_text],
        label="Description (optional)",
        required=False,
        max_length=FINDING_DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=text_errors("Description", FINDING_DESCRIPTION_MAX_LENGTH),
    )


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

    def clean(self):
        if any(self.errors):
            return
        ids = [form.cleaned_data["id"] for form in self.filled_forms() if form.cleaned_data.get("id") is not None]
        if len(ids) != len(set(ids)):
            raise ValidationError(f"The same {self.form.noun} appears twice. Remove one of them.")

    def rows(self):
        return [form.row() for form in self.filled_forms()]


class ChildFormSet(RowFormSet):
    kind = "children"
    add_label = "Add another child"

    def clean(self):
        super().clean()
        seen = set()
        for form in self.filled_forms():
            if "pseudonym" not in form.cleaned_data:
                continue  # the row already says what is wrong with its pseudonym
            key = form.cleaned_data["pseudonym"].casefold()
            if key in seen:
                form.add_error("pseudonym", "Each child needs a different pseudonym, for example Child A and Child B")
            seen.add(key)


class AgencyFormSet(RowFormSet):
    kind = "agencies"
    add_label = "Add another agency"

    def clean(self):
        super().clean()
        seen = set()
        for form in self.filled_forms():
            agency = form.cleaned_data.get("agency")
            if not agency:
                continue  # no agency chosen: the row already says "Select the agency"
            if agency in seen:
                form.add_error("agency", f"{Agency(agency).label} is already listed. List each agency once.")
            seen.add(agency)


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


def _row_initial(rows, names):
    return [{"id": row.pk, **{name: getattr(row, name) for name in names}} for row in rows]


class ReviewEditor:
    """The review form and its row formsets, bound to a POST or showing a review (or a blank new one).

    ``apply_row_action()`` handles the "Add another ..." and "Remove" buttons: the page comes back with
    one row more or less and everything else as typed. ``save()`` calls ``reviews.editing``.
    """

    checking_submission = False

    def __init__(self, *, user, review=None, data=None):
        self.user = user
        self.review = review
        self.data = data
        board_choices = [("", "Select a board")] + [
            (board.pk, str(board))
            for board in Board.objects.only("pk", "name", "gss_code").order_by("name", "gss_code")
        ]
        self.form = ReviewForm(data, user=user, review=review)
        lead = review.board if review is not None else None
        if data is not None and self.form["board"].value():
            lead = (
                self.form.fields["board"].queryset.filter(pk=_int_or_none(self.form["board"].value())).first() or lead
            )
        if data is not None:
            self.contributions = ContributionRows(
                data, prefix="contributions", board_choices=board_choices, lead_board=lead
            )
            allowed = self._existing_ids()
            self.children = ChildRows(data, prefix="children", allowed_ids=allowed["children"])
            self.agencies = AgencyRows(data, prefix="agencies", allowed_ids=allowed["agencies"])
            self.findings = FindingRows(data, prefix="findings", allowed_ids=allowed["findings"])
        elif review is not None:
            self.contributions = ContributionRows(
                prefix="contributions",
                board_choices=board_choices,
                lead_board=lead,
                initial=[{"board": c.board_id} for c in review.contributions.all()],
            )
            self.children = ChildRows(
                prefix="children", initial=_row_initial(review.children.order_by("pk"), editing.CHILD_FIELDS)
            )
            self.agencies = AgencyRows(
                prefix="agencies", initial=_row_initial(review.agencies.order_by("pk"), editing.AGENCY_FIELDS)
            )
            self.findings = FindingRows(
                prefix="findings", initial=_row_initial(review.findings.order_by("pk"), editing.FINDING_FIELDS)
            )
        else:
            self.contributions = ContributionRows(prefix="contributions", board_choices=board_choices)
            self.children = ChildRows(prefix="children", initial=[ROW_DEFAULTS["children"]])
            self.agencies = AgencyRows(prefix="agencies")
            self.findings = FindingRows(prefix="findings", initial=[{}])

    def _existing_ids(self):
        if self.review is None:
            return {"children": frozenset(), "agencies": frozenset(), "findings": frozenset()}
        return {
            "children": frozenset(Child.objects.filter(review=self.review).values_list("pk", flat=True)),
            "agencies": frozenset(AgencyInvolvement.objects.filter(review=self.review).values_list("pk", flat=True)),
            "findings": frozenset(Finding.objects.filter(review=self.review).values_list("pk", flat=True)),
        }

    @property
    def formsets(self):
        return [self.contributions, self.children, self.agencies, self.findings]

    @property
    def all_forms(self):
        """The form and the formsets, in page order (for the error summary)."""
        return [self.form, *self.formsets]

    @property
    def has_errors(self):
        return bool(self.form.errors) or any(formset.total_error_count() for formset in self.formsets)

    def show_missing(self, missing):
        """Show the saved review with what it lacks for submission (``editing.missing_for_submission``)."""
        self.checking_submission = True
        for name, message in missing:
            if name in self.form.fields:
                self.form.errors.setdefault(name, self.form.error_class(renderer=self.form.renderer)).append(message)
            elif name == "children":
                self.children.non_form_errors().append(message)

    def apply_row_action(self, action):
        """Handle "add-<kind>" or "remove-<kind>-<index>": True when the page should just be shown again."""
        if not action or self.data is None:
            return False
        parts = action.split("-")
        by_kind = {formset.kind: formset for formset in self.formsets}
        adding = parts[0] == "add" and len(parts) == 2 and parts[1] in by_kind
        if adding:
            data = _with_extra_row(self.data, by_kind[parts[1]])
        elif parts[0] == "remove" and len(parts) == 3 and parts[1] in by_kind and parts[2].isdecimal():
            data = _without_row(self.data, by_kind[parts[1]], int(parts[2]))
        else:
            return False
        self.__init__(user=self.user, review=self.review, data=data)
        self.hide_errors()
        if adding:
            self._focus_last_row(parts[1])
        return True

    def _focus_last_row(self, kind):
        """Put the focus on the first field of the row just added (or the last row, at the limit), with or
        without JavaScript: the browser focuses an ``autofocus`` field as the page loads."""
        formset = next(formset for formset in self.formsets if formset.kind == kind)
        if formset.forms:
            first = formset.forms[-1].visible_fields()[0]
            first.field.widget.attrs["autofocus"] = True

    def hide_errors(self):
        """Show the bound page without error messages (after adding or removing a row)."""
        self.form.errors.clear()
        for formset in self.formsets:
            formset.non_form_errors().clear()
            for form in formset.forms:
                form.errors.clear()

    def is_valid(self):
        valid = self.form.is_valid()
        for formset in self.formsets:
            valid = formset.is_valid() and valid
        return valid

    def posted_version(self):
        return _int_or_none(self.form["version"].value())

    def save(self):
        """Create or update the review (after ``is_valid()``); raises ``editing.EditConflict``."""
        rows = {
            "contributing_boards": self.contributions.boards(),
            "children": self.children.rows(),
            "agencies": self.agencies.rows(),
            "findings": self.findings.rows(),
        }
        if self.review is None:
            return editing.create_review(user=self.user, fields=self.form.review_fields(), **rows)
        return editing.update_review(
            user=self.user,
            review_id=self.review.pk,
            version=self.form.cleaned_data["version"],
            fields=self.form.review_fields(),
            **rows,
        )

    def apply_service_error(self, error):
        """Put a ValidationError from ``reviews.editing`` on the page, by field where it names one."""
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                target = field if field in self.form.fields else None
                for item in errors:
                    self.form.add_error(target, item.messages[0] if hasattr(item, "messages") else str(item))
        else:
            for message in error.messages:
                self.form.add_error(None, message)


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _with_extra_row(data, formset):
    data = data.copy()
    total = formset.total_form_count()
    if total >= MAX_ROWS:
        return data
    data[f"{formset.prefix}-TOTAL_FORMS"] = str(total + 1)
    for name, value in ROW_DEFAULTS[formset.kind].items():
        data[f"{formset.prefix}-{total}-{name}"] = value
    return data


def _without_row(data, formset, index):
    """The POST data with row ``index`` of ``formset`` gone and the later rows moved up one."""
    total = formset.total_form_count()
    if not 0 <= index < total:
        return data.copy()
    prefix = formset.prefix
    kept = data.copy()
    row_keys = {i: [key for key in data if key.startswith(f"{prefix}-{i}-")] for i in range(total)}
    for i in range(total):
        for key in row_keys[i]:
            del kept[key]
    for new_index, old_index in enumerate(i for i in range(total) if i != index):
        for key in row_keys[old_index]:
            name = key[len(f"{prefix}-{old_index}-") :]
            kept.setlist(f"{prefix}-{new_index}-{name}", data.getlist(key))
    kept[f"{prefix}-TOTAL_FORMS"] = str(total - 1)
    kept[f"{prefix}-INITIAL_FORMS"] = "0"
    return kept


# Evaluations ----------------------------------------------------------------------------------------------

ASPECT_CHOICES = [("", "Not judged"), *Evaluation.Judgement.choices]


class EvaluationForm(forms.Form):
    """Ofsted's evaluation of a submitted review. The sequence is the server's; the form only echoes it."""

    govuk_mark_optional = True

    sequence = forms.IntegerField(widget=forms.HiddenInput)
    received_date = GOVUKDateField(
        label="Date Ofsted received the review",
        error_name="date Ofsted received the review",
        not_in_future=True,
        min_date=EARLIEST_DATE,
        help_text="For example, 27 3 2008",
    )
    completed_date = GOVUKDateField(
        label="Date the evaluation was completed",
        error_name="date the evaluation was completed",
        not_in_future=True,
        min_date=EARLIEST_DATE,
        help_text="This decides the reporting year the evaluation counts in",
    )
    judgement = forms.ChoiceField(
        label="Overall judgement",
        choices=Evaluation.Judgement.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the overall judgement",
            "invalid_choice": "Select the overall judgement",
        },
    )
    summary = GOVUKTextField(
        validators=[validate_xml_text],
        label="Summary of the evaluation",
        required=False,
        max_length=EVALUATION_SUMMARY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages=text_errors("Summary of the evaluation", EVALUATION_SUMMARY_MAX_LENGTH),
    )
    terms_of_reference = forms.ChoiceField(label="Terms of reference", choices=ASPECT_CHOICES, required=False)
    overview_and_imrs = forms.ChoiceField(
        label="Overview report and individual management reviews", choices=ASPECT_CHOICES, required=False
    )
    timescales = forms.ChoiceField(label="Timescales", choices=ASPECT_CHOICES, required=False)
    equality_and_diversity = forms.ChoiceField(label="Equality and diversity", choices=ASPECT_CHOICES, required=False)
    family_involvement = forms.ChoiceField(label="Involvement of the family", choices=ASPECT_CHOICES, required=False)

    ASPECTS = ("terms_of_reference", "overview_and_imrs", "timescales", "equality_and_diversity", "family_involvement")

    def __init__(self, *args, review, sequence, earliest_received=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.review = review
        self.initial.setdefault("sequence", sequence)
        for name in self.ASPECTS:
            self.fields[name].error_messages["invalid_choice"] = (
                f"Select a judgement for {self.fields[name].label.lower()}"
            )
        if earliest_received is not None:
            self.fields["received_date"].min_date = earliest_received

    def clean(self):
        data = super().clean()
        for earlier, later in dates_out_of_order(data, EVALUATION_DATE_ORDER):
            self.add_error(later.field, date_order_message(earlier, later))
        return data

    def evaluation_fields(self):
        return {name: self.cleaned_data[name] for name in editing.EVALUATION_FIELDS}


class SubmitForm(forms.Form):
    """The check-your-answers page's POST: only the version the user checked."""

    version = forms.IntegerField(widget=forms.HiddenInput)
