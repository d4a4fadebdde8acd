"""``ReviewEditor``: the review form and its row formsets on one page, saved together in one transaction."""

from reviews import editing
from reviews.forms.fields import MAX_ROWS
from reviews.forms.review import ReviewForm
from reviews.forms.rows import AgencyFormSet, ChildFormSet, ContributionFormSet, FindingFormSet
from reviews.models import Board
from reviews.reporting import writing

# The blank rows a new review's form starts with (an existing review shows its saved rows).
NEW_REVIEW_ROWS = {"children": 1, "findings": 1}


class ReviewEditor:
    """The review form and its inline formsets, bound to a POST or showing a review (or a blank new one).

    ``apply_row_action()`` handles the "Add another ..." buttons: the page comes back with one more row and
    everything else as typed. ``save()`` writes the review and every formset in one transaction.
    """

    checking_submission = False

    def __init__(self, *, user, review=None, data=None):
        self.user = user
        self.review = review
        self.data = data
        self.form = ReviewForm(data, user=user, review=review)
        # The formsets hang off the form's instance: for a new review, the one the form saves first.
        instance = self.form.instance
        board_choices = [("", "Select a board")] + [
            (board.pk, str(board))
            for board in Board.objects.only("pk", "name", "gss_code").order_by("name", "gss_code")
        ]
        extra = NEW_REVIEW_ROWS if review is None and data is None else {}
        self.contributions = ContributionFormSet(
            data, instance=instance, board_choices=board_choices, lead_board_id=instance.board_id
        )
        self.children = ChildFormSet(data, instance=instance, extra=extra.get("children", 0))
        self.agencies = AgencyFormSet(data, instance=instance)
        self.findings = FindingFormSet(data, instance=instance, extra=extra.get("findings", 0))

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
        """True when the POST only asks for the page again: "add-<kind>" adds a row to that formset; any other
        action but "save" (an old page's button, a forged value) shows the page as posted. Nothing is saved."""
        if not action or action == "save" or self.data is None:
            return False
        kind = action.removeprefix("add-")
        formset = next((formset for formset in self.formsets if formset.prefix == kind), None)
        if formset is not None and action.startswith("add-"):
            self.__init__(user=self.user, review=self.review, data=_with_extra_row(self.data, formset))
            self.hide_errors()
            self._focus_last_row(kind)
        else:
            self.hide_errors()
        return True

    def _focus_last_row(self, kind):
        """Put the focus on the first field of the row just added (or the last row, at the limit), with or
        without JavaScript: the browser focuses an ``autofocus`` field as the page loads."""
        formset = next(formset for formset in self.formsets if formset.prefix == kind)
        if formset.forms:
            first = formset.forms[-1].visible_fields()[0]
            first.field.widget.attrs["autofocus"] = True

    def hide_errors(self):
        """Show the bound page without error messages (after adding a row)."""
        self.form.errors.clear()
        for formset in self.formsets:
            formset.non_form_errors().clear()
            for form in formset.forms:
                form.errors.clear()

    def is_valid(self):
        valid = self.form.is_valid()
        # A contributing board may not be the lead board as the form now has it (or as saved, if not valid).
        self.contributions.lead_board_id = self.form.instance.board_id
        for formset in self.formsets:
            valid = formset.is_valid() and valid
        return valid

    def posted_version(self):
        return _int_or_none(self.form["version"].value())

    def save(self):
        """Create or update the review and its rows in one transaction (after ``is_valid()``); returns the review.

        Raises ``editing.EditConflict`` when someone saved the review since the user loaded it.
        """
        # The reporting lock before the review's row lock, as every writer takes them (reviews.reporting).
        with writing():
            review = self.form.save(commit=False)
            if self.review is None:
                editing.insert_draft(review)
            else:
                version = self.form.cleaned_data["version"]
                editing.lock_draft(user=self.user, review_id=self.review.pk, version=version)
                editing.save_draft(review, version=version)
            for formset in self.formsets:
                formset.save()
        return review

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
    """The POST data with one more (blank) row in ``formset``, showing its model's defaults ("Not known")."""
    data = data.copy()
    total = formset.total_form_count()
    if total >= MAX_ROWS:
        return data
    data[f"{formset.prefix}-TOTAL_FORMS"] = str(total + 1)
    blank = formset.empty_form
    for field in blank.visible_fields():
        if field.initial not in (None, "", False):
            data[f"{formset.prefix}-{total}-{field.name}"] = field.initial
    return data
