"""The action tracker's filters (SPEC section 9, ``/actions/``), as django-filter's guide writes them.

Each filter is a lookup on ``Action`` with its ``lookup_expr`` spelled out, or a ``method=``: ``overdue``
depends on today, and ``board`` and ``region`` turn codes into the ids of the lead boards each action keeps
(``Action.lead_board``, indexed with the due date), with no join to boards or regions. Board and region choices
are the register's reference data kept in this process (``reviews.register.choices.register_options``: no query
per page), so an unknown board or region is a form error like any other bad value, and an invalid form gives
no rows (the views check ``is_valid()`` first).
"""

import django_filters
from django import forms
from django.db.models import IntegerField, Subquery
from django.utils import timezone

from reviews.models import Agency
from reviews.plans import Action
from reviews.register.choices import register_options

# Each sort key of ``o``: the order it means, ending in the id so pages never overlap or skip a row.
ORDERINGS = {
    "due": ("due_date", "pk"),
    "-due": ("-due_date", "-pk"),
    "review": ("recommendation__review__reference", "recommendation__number", "number", "pk"),
    "-review": ("-recommendation__review__reference", "-recommendation__number", "-number", "-pk"),
}
DEFAULT_ORDERING = "due"
ORDERING_LABELS = {"due": "due date, soonest first", "-due": "due date, latest first", "review": "review"}


def _board_choices():
    return [(board.gss_code, board.name) for board in register_options().boards]


def _region_choices():
    return list(register_options().regions)


def _choice_errors(what):
    return {"invalid_choice": f"There is no {what} %(value)s: choose one from the list"}


class ActionOrdering(django_filters.OrderingFilter):
    """``o``: one of ORDERINGS (due date either way, or review), with the id as the last key."""

    def filter(self, qs, value):
        keys = [key for key in value or [] if key]
        return qs.order_by(*ORDERINGS[keys[-1] if keys else DEFAULT_ORDERING])


class ActionFilter(django_filters.FilterSet):
    """The tracker's filters. Give it ``Action.objects.for_user(user)``: it narrows, it never widens."""

    board = django_filters.MultipleChoiceFilter(
        method="filter_board",
        choices=_board_choices,
        distinct=False,
        label="Lead board",
        error_messages=_choice_errors("board with the code"),
    )
    region = django_filters.MultipleChoiceFilter(
        method="filter_region",
        choices=_region_choices,
        distinct=False,
        widget=forms.CheckboxSelectMultiple,
        label="Region",
        error_messages=_choice_errors("region with the code"),
    )
    status = django_filters.MultipleChoiceFilter(
        field_name="status",
        lookup_expr="exact",
        choices=Action.Status.choices,
        distinct=False,
        widget=forms.CheckboxSelectMultiple,
        label="Status",
        error_messages=_choice_errors("action status"),
    )
    owner_agency = django_filters.MultipleChoiceFilter(
        field_name="owner_agency",
        lookup_expr="exact",
        choices=Agency.choices,
        distinct=False,
        widget=forms.CheckboxSelectMultiple,
        label="Owner",
        error_messages=_choice_errors("agency"),
    )
    overdue = django_filters.ChoiceFilter(
        choices=[("yes", "Overdue only")],
        method="filter_overdue",
        empty_label=None,
        label="Overdue",
        error_messages={"invalid_choice": "Overdue can only be “yes”"},
    )
    due_after = django_filters.DateFilter(
        field_name="due_date",
        lookup_expr="gte",
        label="Due on or after",
        help_text="For example, 2011-03-31",
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": "Due on or after must be a real date, like 2011-03-31"},
    )
    due_before = django_filters.DateFilter(
        field_name="due_date",
        lookup_expr="lte",
        label="Due on or before",
        help_text="For example, 2011-03-31",
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": "Due on or before must be a real date, like 2011-03-31"},
    )
    o = ActionOrdering(
        choices=[(key, key) for key in ORDERINGS],
        label="Sort by",
        error_messages={"invalid_choice": "Sort by due date (due, -due) or review (review, -review)"},
    )

    class Meta:
        model = Action
        fields = []

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        # Without ``o`` the list is still in due-date order (the ordering filter runs only with a value).
        self.queryset = self.queryset.order_by(*ORDERINGS[DEFAULT_ORDERING])

    def filter_board(self, queryset, name, value):
        """Actions whose review any of these boards leads (GSS codes), by the lead board the action keeps."""
        by_code = register_options().by_code
        return queryset.filter(lead_board__in=[by_code[code].id for code in value]) if value else queryset

    def filter_region(self, queryset, name, value):
        """Actions whose review a board of any of these regions leads: the regions' boards, known in this process."""
        boards = [board.id for board in register_options().boards if board.region_code in value]
        return queryset.filter(lead_board__in=boards) if value else queryset

    def filter_overdue(self, queryset, name, value):
        """Open actions due before today (``ActionQuerySet.overdue``)."""
        return queryset.overdue(timezone.localdate()) if value == "yes" else queryset

    @property
    def ordering(self):
        """The list's sort key once the form is valid (for the sortable headers)."""
        keys = self.form.cleaned_data.get("o") or [] if self.form.is_valid() else []
        return keys[-1] if keys else DEFAULT_ORDERING

    def problems(self):
        """Every error as (field id, message), for the error summary: each links to its field in the panel."""
        return [(_anchor(self.form[name]), message) for name, errors in self.form.errors.items() for message in errors]


def _anchor(bound_field):
    return getattr(bound_field, "govuk_anchor", "") or bound_field.auto_id


class CountOf(Subquery):
    """``(SELECT COUNT(*) FROM (<the list's ids> LIMIT n))``: the list's length, counted up to ``limit``, beside a
    page of its rows, so the page costs one query. Uncorrelated, PostgreSQL counts it once (an InitPlan). The
    limit is what keeps it cheap: counting all 470,000 actions an inspector reads took most of a second."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS counted)"

    def __init__(self, queryset, limit):
        super().__init__(queryset.order_by().values("pk")[:limit], output_field=IntegerField())
