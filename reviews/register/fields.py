"""The register's form: its multi-value fields, and the two parameters that choose a page."""

import re

from django import forms

from reviews.register.choices import DEFAULT_PAGE_SIZE, PAGE_SIZES
from reviews.years import is_reporting_year


class MultipleValuesField(forms.MultipleChoiceField):
    """A repeatable parameter ("any of"): blanks dropped, duplicates dropped, order kept."""

    def to_python(self, value):
        cleaned = []
        for item in super().to_python(value):
            item = item.strip()
            if item and item not in cleaned:
                cleaned.append(item)
        return cleaned


class ReportingYearsField(MultipleValuesField):
    """Reporting year labels such as 2008-09 (any well-formed year; the checkboxes offer 2007-08 onwards)."""

    def valid_value(self, value):
        return is_reporting_year(value)


class BoardsField(MultipleValuesField):
    """Lead boards by GSS code. The type-ahead's text is accepted too: a board's exact name, or "Name (CODE)".

    ``options`` (choices.RegisterOptions) is given per FilterSet: the boards are its choices."""

    CODE_IN_TEXT = re.compile(r"\(([A-Za-z]\d{8})\)\s*$")
    CODE = re.compile(r"[A-Za-z]\d{8}")

    def __init__(self, *args, options=None, **kwargs):
        self.options = options
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        return [self.code_for(item) for item in super().to_python(value)]

    def code_for(self, text):
        """The GSS code that ``text`` names, or ``text`` itself when it names no board."""
        if match := self.CODE_IN_TEXT.search(text):
            return match.group(1).upper()
        board = self.options.by_name.get(text.casefold()) if self.options else None
        if board is not None:
            return board.gss_code
        return text.upper() if self.CODE.fullmatch(text) else text

    def valid_value(self, value):
        return self.options is not None and value in self.options.by_code


PAGE_NUMBER_ERROR = "Enter a page number, like 2"


# The filters the panel shows (and the selected-filter tags name), in the panel's order.
FILTERS_IN_PANEL_ORDER = (
    "q",
    "judgement",
    "year",
    "board",
    "region",
    "category",
    "outcome",
    "known_to_social_care",
    "cross_area",
    "published",
)


class RegisterForm(forms.Form):
    """The filter form's base (django-filter adds a field per filter), plus ``page`` and ``per_page``."""

    page = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=10**9,
        error_messages={"invalid": PAGE_NUMBER_ERROR, "min_value": PAGE_NUMBER_ERROR, "max_value": PAGE_NUMBER_ERROR},
    )
    per_page = forms.TypedChoiceField(
        required=False,
        label="Reviews per page",
        choices=[(str(size), str(size)) for size in PAGE_SIZES],
        coerce=int,
        empty_value=DEFAULT_PAGE_SIZE,
        error_messages={"invalid_choice": "Show 25, 50 or 100 reviews per page"},
    )

    # Errors in the summary follow the panel's order; the page comes last.
    field_order = [
        *FILTERS_IN_PANEL_ORDER,
        "status",
        "o",
        "per_page",
        "page",
    ]

    def clean_q(self):
        return " ".join(self.cleaned_data.get("q", "").split())
