"""The dashboard's filters and the API's parameters: allow-lists, never request data spread into a query."""

import datetime

from django import forms

from dashboard import queries
from govuk.forms import GOVUKDateField
from reviews.years import is_reporting_year

# Sort keys of the judgement rates table: key -> (label, the row field it sorts by).
SORTS = {
    "board": "Board",
    "year": "Year",
    "reviews": "Reviews evaluated",
    "outstanding_pct": "Outstanding %",
    "good_pct": "Good %",
    "adequate_pct": "Adequate %",
    "inadequate_pct": "Inadequate %",
}
SORT_CHOICES = list(SORTS.items()) + [(f"-{key}", f"{label} (descending)") for key, label in SORTS.items()]
DEFAULT_SORT = "board"

SPAN_YEAR, SPAN_ALL = "year", "all"

BOARD_ROWS_PER_PAGE = 200
PAGE_ERROR = "Enter a page number of the board rows, like 2"


class DashboardForm(forms.Form):
    """The page's filters: reporting year, region, board (for the trend and the figures), sort and span."""

    year = forms.ChoiceField(
        label="Reporting year",
        help_text="1 April to 31 March: a year counts the evaluations Ofsted completed in it.",
        required=False,
        error_messages={"invalid_choice": "Choose a reporting year from the list, such as 2008-09"},
    )
    region = forms.ChoiceField(
        label="Region",
        required=False,
        error_messages={"invalid_choice": "Choose a region from the list"},
    )
    board = forms.ChoiceField(
        label="Board",
        required=False,
        error_messages={"invalid_choice": "Choose a board from the list"},
    )
    span = forms.ChoiceField(
        label="Board rows for",
        required=False,
        choices=[(SPAN_YEAR, "The reporting year"), (SPAN_ALL, "Every year")],
        error_messages={"invalid_choice": "Choose whether to show board rows for the reporting year or every year"},
    )
    as_of = GOVUKDateField(
        label="Action plans as of",
        help_text="The day the action plans are counted on, for example 31 3 2011. Leave it blank for today.",
        required=False,
        error_name="date the action plans are counted on",
    )
    # Set by the judgement rates table's sortable headers; the form carries it on as a hidden field.
    sort = forms.ChoiceField(
        label="Sort board rows by",
        required=False,
        widget=forms.HiddenInput,
        choices=SORT_CHOICES,
        error_messages={"invalid_choice": "Choose how to sort the board rows from the list"},
    )
    # Set by the judgement rates table's pagination links; not carried by the form, so new filters start at
    # page 1. A page past the last shows the last (the rows follow the data, so a kept link may outrun them).
    page = forms.IntegerField(
        label="Page of board rows",
        required=False,
        min_value=1,
        max_value=10**9,
        widget=forms.HiddenInput,
        error_messages={"invalid": PAGE_ERROR, "min_value": PAGE_ERROR, "max_value": PAGE_ERROR},
    )

    def __init__(self, data, *, viewer, years, **kwargs):
        # Without a year the page shows the last complete one: the picker shows (and sends on) that same year.
        self.default_year = queries.last_complete_year()
        if not data.get("year"):
            data = data.copy()
            data["year"] = self.default_year
        super().__init__(data, **kwargs)
        self.viewer = viewer
        self.fields["year"].choices = [(year, year) for year in years]
        self.fields["region"].choices = [("", "England (all regions)")] + [
            (region.code, region.name) for region in viewer.regions()
        ]
        visible = [board for board in viewer.boards.values() if board.pk in viewer.visible]
        repeated = _repeated_names(viewer.boards.values())
        self.fields["board"].choices = [("", "All boards" if viewer.everything else "All your boards")] + [
            (board.gss_code, board_label(board, repeated)) for board in visible
        ]

    def clean_span(self):
        return self.cleaned_data["span"] or SPAN_YEAR

    def clean_sort(self):
        return self.cleaned_data["sort"] or DEFAULT_SORT

    def clean_page(self):
        return self.cleaned_data["page"] or 1

    def clean(self):
        cleaned = super().clean()
        region, board = cleaned.get("region"), cleaned.get("board")
        if region and board:
            chosen = self.viewer.board_by_code(board)
            if chosen and chosen.region.code != region:
                self.add_error(
                    "board",
                    f"{chosen.name} is in {chosen.region.name}: choose a board in the region, or England (all regions)",
                )
        return cleaned


def _repeated_names(boards):
    seen, repeated = set(), set()
    for board in boards:
        (repeated if board.name in seen else seen).add(board.name)
    return repeated


# GSS codes began on 1 January 2009: an authority in force from that day may have existed long before.
GSS_CODES_BEGAN = datetime.date(2009, 1, 1)


def board_label(board, repeated=()):
    """A board's name in the picker; a name that several boards share (an authority reorganised under a new
    code) also gives its code and the dates it was in force: "Northumberland (E06000048, April 2009 to
    March 2013)"."""
    if board.name not in repeated:
        return board.name
    start = board.valid_from if board.valid_from and board.valid_from > GSS_CODES_BEGAN else None
    end = board.valid_to
    if start and end:
        dates = f", {start:%B %Y} to {end:%B %Y}"
    elif end:
        dates = f", until {end:%B %Y}"
    elif start:
        dates = f", from {start:%B %Y}"
    else:
        dates = ""
    return f"{board.name} ({board.gss_code}{dates})"


class ApiError(Exception):
    """A bad API parameter: answered with ``status`` (400) and ``{"error": message}``."""

    status = 400


class NotVisible(ApiError):
    """A board that does not exist or that the reader may not see: 404, the same answer for both."""

    status = 404


def api_year(value, *, required):
    """A reporting year label from the query string; ApiError when missing (and required) or malformed."""
    if value is None or value == "":
        if required:
            raise ApiError("year is required: a reporting year such as 2008-09")
        return None
    if not is_reporting_year(value):
        raise ApiError(f"year must be a reporting year such as 2008-09, not {value!r}")
    return value


def api_region(value, viewer):
    """The Region with this code, None when not given; ApiError for an unknown code (regions are public)."""
    if not value:
        return None
    for region in viewer.regions():
        if region.code == value:
            return region
    raise ApiError(f"region must be a region code such as E12000005, not {value!r}")


GROUPS = ("board", "region", "national")


def api_group(value):
    if value not in GROUPS:
        raise ApiError("group must be board, region or national")
    return value
