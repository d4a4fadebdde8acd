"""``ReviewEditor``: the review form and its row formsets on one page, with the add and remove row buttons."""

from reviews import editing
from reviews.forms.fields import MAX_ROWS
from reviews.forms.review import ReviewForm
from reviews.forms.rows import ROW_DEFAULTS, AgencyRows, ChildRows, ContributionRows, FindingRows
from reviews.models import (
    AgencyInvolvement,
    Board,
    Child,
    Finding,
)


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
