"""The register's filters (SPEC section 6): every parameter of ``/reviews/`` as one django-filter FilterSet.

Filters, sort keys and page sizes come from allow-lists here, never from request data spread into the ORM.
The FilterSet is strict: when any parameter is invalid, ``ReviewFilter.qs`` is empty (never the unfiltered
list), and the form carries plain-English errors for the GOV.UK error summary. The list page, both exports
and the saved views all read through it, so they agree on what a query string means.
"""

import copy
import datetime
import functools
import html
import math
import re
import time
from dataclasses import dataclass

import django_filters
from django import forms
from django.contrib.postgres.search import SearchQuery
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Exists, F, IntegerField, OuterRef, Q, Subquery
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import QueryDict
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from govuk.helpers import tag_colour
from reviews.models import (
    Board,
    Child,
    Finding,
    Judgement,
    LocalAuthority,
    Region,
    Review,
    SavedView,
    judgement_rank,
)
from reviews.years import is_reporting_year, reporting_year, year_bounds

# Sort keys (SPEC section 6), each also descending with a leading "-". Every ordering ends with the unique
# reference, so pages never overlap; each has an index (reviews/models.py) whose order it follows.
SORT_LABELS = {
    "reference": "Reference",
    "board": "Lead board",
    "completed": "Completed",
    "evaluated": "Evaluated",
    "judgement": "Latest judgement",
}
DEFAULT_SORT = "reference"
SORT_CHOICES = list(SORT_LABELS.items()) + [(f"-{key}", f"{label} (descending)") for key, label in SORT_LABELS.items()]
PAGE_SIZES = (25, 50, 100)
# The filters shown as checkboxes or radios in the panel (q and board have their own inputs).
PANEL_FILTERS = ("judgement", "year", "region", "category", "outcome", "known_to_social_care", "cross_area", "status")
RADIO_FILTERS = ("known_to_social_care", "cross_area")  # one answer each: yes, no or either
DEFAULT_PAGE_SIZE = 25
# Rows reachable page by page (200 pages of 25), and counted: deeper OFFSETs and longer counts cost time
# on every page, and nobody reads 200 pages. Filters, the other sort direction or the export reach the rest.
MAX_BROWSABLE_ROWS = 5_000
FIRST_REPORTING_YEAR = 2007  # Ofsted began evaluating serious case reviews in April 2007
YES_NO = [("yes", "Yes"), ("no", "No")]
# Query parameters that choose a page, not rows: exports and saved views leave the page out.
PAGING_PARAMS = ("page",)


def _ordering(key):
    """The ORDER BY for a sort key: nulls (not yet completed or evaluated) last in both directions."""
    descending = key.startswith("-")
    name = key.removeprefix("-")
    reference = F("reference").desc() if name == "reference" and descending else F("reference").asc()
    if name == "reference":
        return [reference]
    expression = {
        "board": F("board__name"),
        "completed": F("completed_date"),
        "evaluated": F("latest_evaluated_date"),
        "judgement": judgement_rank(),
    }[name]
    if name == "board":
        # Board names are never null: a plain DESC lets the board_name_idx be read backwards.
        return [expression.desc() if descending else expression.asc(), F("reference").asc()]
    first = expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
    return [first, F("reference").asc()]


# Reference data for the board and region filters, kept in this process: 170 boards would otherwise cost a
# query (and a pickled cache entry) on every page. Saving a board, authority or region here forgets it; other
# processes reload it within _OPTIONS_SECONDS (reference data changes a few times a decade).
_OPTIONS_SECONDS = 5 * 60
_options = {}


@dataclass(frozen=True)
class BoardOption:
    id: int
    gss_code: str
    name: str
    region_code: str


@dataclass(frozen=True)
class RegisterOptions:
    boards: tuple  # of BoardOption, by name
    regions: tuple  # of (code, name), by code

    @cached_property
    def by_code(self):
        return {board.gss_code: board for board in self.boards}

    @cached_property
    def by_name(self):
        """Board names (case-folded) that name exactly one board, for the type-ahead's plain text."""
        names = {}
        for board in self.boards:
            names.setdefault(board.name.casefold(), []).append(board)
        return {name: boards[0] for name, boards in names.items() if len(boards) == 1}

    @cached_property
    def datalist_options(self):
        """The type-ahead's <option>s for every board, rendered once."""
        return format_html_join(
            "\n",
            '<option value="{} ({})" data-code="{}" data-name="{}"></option>',
            ((b.name, b.gss_code, b.gss_code, b.name) for b in self.boards),
        )

    def board_ids(self, codes):
        return [self.by_code[code].id for code in codes if code in self.by_code]

    def board_ids_in_regions(self, region_codes):
        wanted = set(region_codes)
        return [board.id for board in self.boards if board.region_code in wanted]


def register_options():
    """Boards and regions for the filters (two queries once every few minutes per process)."""
    loaded = _options.get("loaded")
    if loaded is None or loaded[0] < time.monotonic() - _OPTIONS_SECONDS:
        boards = tuple(
            BoardOption(*row)
            for row in Board.objects.order_by("name", "gss_code").values_list("id", "gss_code", "name", "region__code")
        )
        regions = tuple(Region.objects.order_by("code").values_list("code", "name"))
        loaded = (time.monotonic(), RegisterOptions(boards=boards, regions=regions))
        _options["loaded"] = loaded
    return loaded[1]


@receiver(post_save, sender=Board, dispatch_uid="register_options_board_saved")
@receiver(post_delete, sender=Board, dispatch_uid="register_options_board_deleted")
@receiver(post_save, sender=Region, dispatch_uid="register_options_region_saved")
@receiver(post_delete, sender=Region, dispatch_uid="register_options_region_deleted")
@receiver(post_save, sender=LocalAuthority, dispatch_uid="register_options_authority_saved")
def forget_register_options(**kwargs):
    """Drop this process's copy of the boards and regions."""
    _options.clear()


def reporting_year_choices(today=None):
    """Reporting years from 2007-08 to the current one, newest first."""
    latest = int(reporting_year(today or datetime.date.today())[:4])
    labels = [reporting_year(datetime.date(start, 4, 1)) for start in range(latest, FIRST_REPORTING_YEAR - 1, -1)]
    return [(label, label) for label in labels]


class _MultipleValuesField(forms.MultipleChoiceField):
    """Checkbox values: blanks dropped, duplicates dropped, order kept."""

    def to_python(self, value):
        values = super().to_python(value)
        cleaned = []
        for item in values:
            item = item.strip()
            if item and item not in cleaned:
                cleaned.append(item)
        return cleaned


class ReportingYearsField(_MultipleValuesField):
    """Reporting year labels such as 2008-09 (any well-formed year; the checkboxes offer 2007-08 onwards)."""

    def valid_value(self, value):
        return is_reporting_year(value)


class BoardsField(_MultipleValuesField):
    """Lead boards by GSS code. The type-ahead's text is accepted too: a board's exact name, or "Name (CODE)"."""

    _CODE_IN_TEXT = re.compile(r"\(([A-Za-z]\d{8})\)\s*$")

    def __init__(self, *args, options=None, **kwargs):
        self.options = options
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        return [self._code_for(item) for item in super().to_python(value)]

    def _code_for(self, text):
        if match := self._CODE_IN_TEXT.search(text):
            return match.group(1).upper()
        board = self.options.by_name.get(text.casefold()) if self.options else None
        if board is not None:
            return board.gss_code
        return text.upper() if re.fullmatch(r"[A-Za-z]\d{8}", text) else text

    def valid_value(self, value):
        return self.options is not None and value in self.options.by_code


class RegisterForm(forms.Form):
    """The filter form, plus the two parameters that choose a page: ``page`` and ``per_page``."""

    page = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=10**9,
        error_messages={
            "invalid": "Enter a page number, like 2",
            "min_value": "Enter a page number, like 2",
            "max_value": "Enter a page number, like 2",
        },
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
        "q",
        "judgement",
        "year",
        "board",
        "region",
        "category",
        "outcome",
        "known_to_social_care",
        "cross_area",
        "status",
        "o",
        "per_page",
        "page",
    ]

    def clean_q(self):
        return " ".join(self.cleaned_data.get("q", "").split())


class _DeclaredFilter:
    """A filter that copies cheaply. django-filter deep-copies every declared filter for every FilterSet, so
    for every request: a tenth of the register's time. A declaration never changes; a copy needs only its own
    ``extra`` (``ReviewFilter.__init__`` replaces entries in it) and its ``method`` bound to itself (the
    FilterSet it belongs to is set on the copy)."""

    def __deepcopy__(self, memo):
        new = copy.copy(self)
        new.extra = dict(self.extra)
        new.__dict__.pop("_field", None)
        if self.method is not None:
            new.method = self.method  # a FilterMethod bound to the copy, not to the declaration
        memo[id(self)] = new
        return new


class _SharedChoices(dict):
    """A form class's fields, copied for each form (Django deep-copies them for every form it makes) without
    copying their choices: about 300 objects a register page otherwise. Nothing changes a field's choices
    once its form class is built (``ReviewFilter.get_form_class``), so the copies may share them; what Django's
    own copy gives each form, its widget and its error messages and validators, each copy still has."""

    def __deepcopy__(self, memo):
        return {name: _field_copy(field) for name, field in self.items()}


def _field_copy(field):
    new = copy.copy(field)
    new.widget = copy.copy(field.widget)
    new.widget.attrs = dict(field.widget.attrs)
    new.error_messages = dict(field.error_messages)
    new.validators = list(field.validators)
    return new


class CharFilter(_DeclaredFilter, django_filters.CharFilter):
    pass


class ChoiceFilter(_DeclaredFilter, django_filters.ChoiceFilter):
    pass


class MultipleChoiceFilter(_DeclaredFilter, django_filters.MultipleChoiceFilter):
    pass


class ReportingYearsFilter(MultipleChoiceFilter):
    field_class = ReportingYearsField


class BoardsFilter(MultipleChoiceFilter):
    field_class = BoardsField


def _search_term(word):
    """One word of a search as a prefix in a raw tsquery. The parser reads the "-2008" of "SCR-2008-E08000025"
    as a signed number, so a number also matches with a leading minus."""
    word = word.lower()
    return f"('{word}':* | '-{word}':*)" if word.isdigit() else f"'{word}':*"


def _choice_error(what):
    return {"invalid_choice": f"Choose {what} from the list: “%(value)s” is not one"}


@functools.lru_cache(maxsize=256)
def _option_markup(kind, auto_id, html_name, choices):
    """(value, markup before ``checked``, markup after) for each of ``choices``: small GOV.UK checkboxes or
    radios, as ``_fieldset_head`` opens them."""
    item, input_class, label_class = {
        "checkboxes": ("govuk-checkboxes__item", "govuk-checkboxes__input", "govuk-checkboxes__label"),
        "radios": ("govuk-radios__item", "govuk-radios__input", "govuk-radios__label"),
    }[kind]
    input_type = "checkbox" if kind == "checkboxes" else "radio"
    return tuple(
        (
            value,
            format_html(
                '<div class="{}">\n<input class="{}" id="{}_{}" name="{}" type="{}" value="{}"',
                item,
                input_class,
                auto_id,
                index,
                html_name,
                input_type,
                value,
            ),
            format_html(
                '>\n<label class="govuk-label {}" for="{}_{}">{}</label>\n</div>\n', label_class, auto_id, index, label
            ),
        )
        for index, (value, label) in enumerate(choices)
    )


_PANEL_GROUP = {
    "checkboxes": '<div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes">',
    "radios": '<div class="govuk-radios govuk-radios--small govuk-radios--inline" data-module="govuk-radios">',
}


def _fieldset_head(kind, auto_id, label, errors=()):
    """One filter's fieldset up to its options: the legend, the error messages if its value was refused (the
    group and the fieldset then marked as in error, described by them), and the opening of the small GOV.UK
    checkboxes or radios. ``_FIELDSET_TAIL`` closes it."""
    group, described, messages = "govuk-form-group", "", ""
    if errors:
        error_id = f"{auto_id}_error"
        group += " govuk-form-group--error"
        described = format_html(' aria-describedby="{}"', error_id)
        messages = format_html(
            '<p id="{}" class="govuk-error-message">{}</p>\n',
            error_id,
            format_html_join(
                mark_safe("<br>"),
                '<span class="govuk-visually-hidden">Error:</span> {}',
                ((error,) for error in errors),
            ),
        )
    return format_html(
        '<div class="{}">\n<fieldset class="govuk-fieldset"{}>\n'
        '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{}</legend>\n{}{}\n',
        group,
        described,
        label,
        messages,
        mark_safe(_PANEL_GROUP[kind]),  # noqa: S308  # nosemgrep: no-mark-safe-on-data (a constant above)
    )


# Without errors a fieldset's head is the same on every request: built once per process. With errors it is not
# kept (the messages quote what was sent).
_fieldset_head_without_errors = functools.lru_cache(maxsize=64)(_fieldset_head)
_FIELDSET_TAIL = "</div>\n</fieldset>\n</div>\n"


class ReviewFilter(django_filters.FilterSet):
    """Every filter of the register; multi-value parameters mean "any of", different parameters "all of"."""

    q = CharFilter(
        label="Reference, title or summary",
        method="search",
        max_length=200,
        error_messages={"max_length": "Search text must be 200 characters or fewer"},
    )
    judgement = MultipleChoiceFilter(
        label="Latest judgement",
        choices=Judgement.choices,
        method="filter_judgement",
        widget=forms.CheckboxSelectMultiple,
        error_messages=_choice_error("a judgement"),
    )
    year = ReportingYearsFilter(
        label="Year of latest evaluation",
        method="filter_year",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Enter a reporting year like 2008-09: “%(value)s” is not one"},
    )
    board = BoardsFilter(
        label="Lead board",
        method="filter_board",
        error_messages={"invalid_choice": "Choose a lead board from the list: “%(value)s” is not a board"},
    )
    region = MultipleChoiceFilter(
        label="Region of the lead board",
        method="filter_region",
        widget=forms.CheckboxSelectMultiple,
        error_messages=_choice_error("a region"),
    )
    category = MultipleChoiceFilter(
        label="Weakness found",
        choices=Finding.Category.choices,
        method="filter_category",
        widget=forms.CheckboxSelectMultiple,
        error_messages=_choice_error("a weakness"),
    )
    outcome = MultipleChoiceFilter(
        label="Outcome for a child",
        choices=Child.Outcome.choices,
        method="filter_outcome",
        widget=forms.CheckboxSelectMultiple,
        error_messages=_choice_error("an outcome"),
    )
    known_to_social_care = ChoiceFilter(
        label="A child was known to social care",
        choices=YES_NO,
        empty_label="Either",
        method="filter_known_to_social_care",
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select yes, no or either for known to social care"},
    )
    cross_area = ChoiceFilter(
        label="Other boards contributed",
        choices=YES_NO,
        empty_label="Either",
        method="filter_cross_area",
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select yes, no or either for other boards contributing"},
    )
    status = MultipleChoiceFilter(
        label="Status",
        choices=Review.Status.choices,
        method="filter_status",
        widget=forms.CheckboxSelectMultiple,
        error_messages=_choice_error("a status"),
    )
    o = ChoiceFilter(
        label="Sort by",
        choices=SORT_CHOICES,
        method="keep",
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "Sort by one of the columns offered: “%(value)s” is not one"},
    )

    class Meta:
        model = Review
        fields = []
        form = RegisterForm

    def __init__(self, data=None, queryset=None, *, request=None, user=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        self.options = register_options()
        self.filters["region"].extra["choices"] = list(self.options.regions)
        self.filters["board"].extra["options"] = self.options
        self.filters["year"].extra["choices"] = reporting_year_choices()
        user = user or getattr(request, "user", None)
        if user is not None and not user.is_superuser and user.has_perm("reviews.view_all_reviews"):
            # Inspectors and managers never see drafts: no point offering them.
            self.filters["status"].extra["choices"] = [c for c in Review.Status.choices if c[0] != "draft"]

    _form_classes = {}

    def get_form_class(self):
        """django-filter builds a form class for every FilterSet (every request): build it once per set of
        choices, which change only with the reference data, the reporting year and drafts being offered."""
        key = tuple(
            (name, tuple(filter_.extra.get("choices", ())), id(filter_.extra.get("options")))
            for name, filter_ in self.filters.items()
        )
        form_class = self._form_classes.get(key)
        if form_class is None:
            if len(self._form_classes) > 16:  # old reference data or years: start again
                self._form_classes.clear()
            form_class = super().get_form_class()
            form_class.base_fields = _SharedChoices(form_class.base_fields)
            self._form_classes[key] = form_class
        return form_class

    @property
    def qs(self):
        """The filtered, ordered reviews; none at all when any parameter is invalid (strict)."""
        if not hasattr(self, "_qs"):
            if not self.is_bound:
                self._qs = self.queryset.order_by(*_ordering(DEFAULT_SORT))
            elif not self.form.is_valid():
                self._qs = self.queryset.none()
            else:
                self._qs = self.filter_queryset(self.queryset.all())
        return self._qs

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        for name, filter_ in self.filters.items():
            queryset = filter_.filter(queryset, data.get(name))
        return queryset.order_by(*_ordering(self.sort_key))

    @property
    def sort_key(self):
        """The sort key in force: the one asked for when it is valid, else the default."""
        if self.is_bound and self.form.is_valid():
            return self.form.cleaned_data.get("o") or DEFAULT_SORT
        return DEFAULT_SORT

    # Filter methods: one per parameter, each from cleaned (allow-listed) values only.

    def keep(self, queryset, name, value):
        return queryset  # `o` orders (filter_queryset) rather than filters

    def search(self, queryset, name, value):
        """Full-text search of reference, title and summary: every word, stemmed, also as the start of a word
        ("supervis" finds "supervision", "SCR-2008-E08" the references that start so). The documents are
        stored (ReviewSearch), so no plan recomputes one. Only letters and digits reach the tsquery."""
        words = re.findall(r"\w+", value)
        if not words:
            return queryset.none()  # punctuation alone matches nothing
        terms = " & ".join(_search_term(word) for word in words[:16])
        return queryset.filter(search__document=SearchQuery(terms, search_type="raw", config="english"))

    def filter_judgement(self, queryset, name, value):
        return queryset.filter(latest_judgement__in=value) if value else queryset

    def filter_year(self, queryset, name, value):
        if not value:
            return queryset
        match = Q()
        for label in value:
            start, end = year_bounds(label)
            match |= Q(latest_evaluated_date__range=(start, end))
        return queryset.filter(match)

    def filter_board(self, queryset, name, value):
        return queryset.filter(board_id__in=self.options.board_ids(value)) if value else queryset

    def filter_region(self, queryset, name, value):
        return queryset.filter(board_id__in=self.options.board_ids_in_regions(value)) if value else queryset

    def filter_category(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Exists(Finding.objects.filter(review=OuterRef("pk"), category__in=value)))

    def filter_outcome(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Exists(Child.objects.filter(review=OuterRef("pk"), outcome__in=value)))

    def filter_known_to_social_care(self, queryset, name, value):
        # "no" means no child was known (the complement of "yes"): unknown answers are not "known".
        # Review.any_child_known is kept by triggers on Child: no anti-join over every child.
        return queryset.filter(any_child_known=value == "yes")

    def filter_cross_area(self, queryset, name, value):
        # Review.cross_area is kept by triggers on Contribution.
        return queryset.filter(cross_area=value == "yes")

    def filter_status(self, queryset, name, value):
        return queryset.filter(status__in=value) if value else queryset

    # What the page shows about the filters.

    def selected_filters(self, query):
        """Each selected filter value as a removable tag: (heading, [(label, URL without that value)])."""
        if not (self.is_bound and self.form.is_valid()):
            return []
        data = self.form.cleaned_data
        groups = []
        for name in ("q", "judgement", "year", "board", "region", "category", "outcome"):
            values = data.get(name) or []
            if isinstance(values, str):
                values = [values]
            tags = [(self._label_for(name, value), self._url_without(query, name, value)) for value in values]
            if tags:
                groups.append((self.form.fields[name].label, tags))
        for name in ("known_to_social_care", "cross_area"):
            if value := data.get(name):
                groups.append((self.form.fields[name].label, [(dict(YES_NO)[value], self._url_without(query, name))]))
        if values := data.get("status"):
            tags = [(self._label_for("status", value), self._url_without(query, "status", value)) for value in values]
            groups.append((self.form.fields["status"].label, tags))
        return groups

    def _url_without(self, query, name, value=None):
        """The list's query string without one value of one parameter (or all of it), back at page 1."""
        remaining = _clean_query(query, drop=PAGING_PARAMS)
        kept = []
        if value is not None and name != "q":
            field = self.form.fields[name]
            # Compare as the form reads them: "Birmingham" and "e08000025" both mean E08000025.
            kept = [raw for raw in remaining.getlist(name) if value not in field.to_python([raw])]
        if kept:
            remaining.setlist(name, kept)
        else:
            remaining.pop(name, None)
        return "?" + remaining.urlencode()

    def _label_for(self, name, value):
        if name == "q":
            return f"“{value}”"
        if name == "board":
            board = self.options.by_code.get(value)
            return board.name if board else value
        return dict(self.form.fields[name].choices).get(value, value)

    def panel_options(self):
        """Each checkbox and radio filter as a GOV.UK fieldset of small checkboxes or radios, its options
        ticked as the raw query asks and its error, if any, above them.

        The markup of an option and of a fieldset without error is built once per process
        (``_option_markup``, ``_fieldset_head``, every value escaped there) and only joined here, with
        `` checked`` where chosen: the panel has about sixty options, and rendering each through the template
        engine was a third of the register's time (escaping them again with format_html_join, a sixteenth;
        an include per fieldset, another tenth)."""
        panel = {}
        for name in PANEL_FILTERS:
            field = self.form[name]
            raw = self.data.getlist(name) if self.is_bound else []
            radios = name in RADIO_FILTERS
            if radios:
                raw = raw[-1:] or [""]  # a single choice: the last one given wins, as the form reads it
            chosen = {value.strip() for value in raw}
            choices = tuple((str(value), str(label)) for value, label in field.field.choices)
            kind = "radios" if radios else "checkboxes"
            options = _option_markup(kind, field.auto_id, field.html_name, choices)
            if field.errors:
                group_head = _fieldset_head(kind, field.auto_id, field.label, field.errors)
            else:
                group_head = _fieldset_head_without_errors(kind, field.auto_id, str(field.label))
            markup = "".join(
                f"{head} checked{tail}" if value in chosen else f"{head}{tail}" for value, head, tail in options
            )
            panel[name] = mark_safe(group_head + markup + _FIELDSET_TAIL)  # noqa: S308  # nosemgrep: no-mark-safe-on-data (format_html's pieces, joined)
        return panel

    def board_selection(self):
        """The boards chosen (as BoardOptions) and any typed text that names no board, from the raw data."""
        field = self.form.fields["board"]
        selected, typed = [], ""
        for raw in self.data.getlist("board"):
            for code in field.to_python([raw]):
                board = self.options.by_code.get(code)
                if board is None:
                    typed = typed or raw.strip()
                elif board not in selected:
                    selected.append(board)
        return selected, typed

    def export_query(self, query):
        """The query string of this list without the page: what the export and saved view links carry."""
        return _clean_query(query, drop=PAGING_PARAMS).urlencode()


def _clean_query(query, drop=()):
    """A copy of ``query`` without blank values and without the parameters in ``drop``."""
    cleaned = QueryDict(mutable=True)
    for key in query:
        if key in drop:
            continue
        values = [value for value in query.getlist(key) if value.strip()]
        if values:
            cleaned.setlist(key, values)
    return cleaned


def clean_query(query):
    """The query string without blank parameters (an empty search box, an empty type-ahead)."""
    return _clean_query(query)


# Paging: one query for the page's rows and their number. The number is counted up to one more than the
# rows offered page by page (MAX_BROWSABLE_ROWS), so counting never walks 100,000 rows: past that the page
# says "more than 5,000", and the pages it offers stop there anyway.


class CappedCount(Subquery):
    """``(SELECT COUNT(*) FROM (<ids of the list, LIMIT n>))``: a count that stops at ``n``."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS capped_count)"

    def __init__(self, queryset, limit):
        super().__init__(queryset.order_by().values("pk")[:limit], output_field=IntegerField())


def capped_count(queryset):
    """How many rows the list has, counted up to one more than MAX_BROWSABLE_ROWS."""
    return queryset.order_by()[: MAX_BROWSABLE_ROWS + 1].count()


ROW_FIELDS = (
    "pk",
    "reference",
    "title",
    "board__name",
    "completed_date",
    "status",
    "latest_judgement",
    "latest_evaluated_date",
)
_STATUS_LABELS = dict(Review.Status.choices)
_JUDGEMENT_LABELS = dict(Judgement.choices)


@functools.lru_cache(maxsize=8192)
def _day(value):
    """A date as GOV.UK writes it in tables ("1 Apr 2009"), or "" (kept: strftime cost more than the lookup)."""
    return f"{value.day} {value:%b %Y}" if value else ""


@dataclass
class RegisterRow:
    """One row of the register's table: plain values, read with values_list (no model instances)."""

    pk: int
    reference: str
    title: str
    board_name: str
    completed_date: datetime.date | None
    status: str
    latest_judgement: str
    latest_evaluated_date: datetime.date | None
    detail_url: str = ""

    @property
    def completed(self):
        return _day(self.completed_date)

    @property
    def evaluated(self):
        return _day(self.latest_evaluated_date)

    @property
    def status_label(self):
        return _STATUS_LABELS.get(self.status, self.status)

    @property
    def judgement_label(self):
        return _JUDGEMENT_LABELS.get(self.latest_judgement, self.latest_judgement)

    def html(self):
        """The row's ``<tr>`` in the register's table, every value escaped.

        Built here rather than in the template: twenty-five rows of template variables cost more than the query
        that found them. One format string per shape of row (with or without a link, a judgement), and each value
        escaped once by ``_escaped``: ``format_html`` per cell was a fifth of the page's rendering.
        """
        linked = bool(self.detail_url)
        judged = bool(self.latest_judgement)
        values = [self.detail_url] if linked else []
        values += [self.reference, self.title, self.board_name, self.completed or "Not yet"]
        values += [tag_colour(self.status), self.status_label]
        if judged:
            values += [tag_colour(self.latest_judgement), self.judgement_label]
        values.append(self.evaluated)
        markup = _ROW_FORMATS[linked, judged].format(*map(_escaped, values))
        return mark_safe(markup)  # noqa: S308  # nosemgrep: no-mark-safe-on-data (every value escaped by _escaped)


def _escaped(value):
    """``value`` for a row's markup: format_html's rule (markup that is already safe kept, anything else escaped
    as django.utils.html.escape does) without the lazy-string wrapper that cost more than the escaping."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _row_format(linked, judged):
    reference = '<a class="govuk-link" href="{}">{}</a>' if linked else "{}"
    judgement = '<strong class="govuk-tag govuk-tag--{}">{}</strong>' if judged else "Not evaluated"
    return (
        '<tr class="govuk-table__row">\n'
        f'<td class="govuk-table__cell app-table__cell--nowrap">{reference}</td>\n'
        '<td class="govuk-table__cell app-table__cell--text">{}</td>\n'
        '<td class="govuk-table__cell">{}</td>\n'
        '<td class="govuk-table__cell app-table__cell--nowrap">{}</td>\n'
        '<td class="govuk-table__cell"><strong class="govuk-tag govuk-tag--{}">{}</strong></td>\n'
        f'<td class="govuk-table__cell">{judgement}</td>\n'
        '<td class="govuk-table__cell app-table__cell--nowrap">{}</td>\n'
        "</tr>\n"
    )


_ROW_FORMATS = {(linked, judged): _row_format(linked, judged) for linked in (True, False) for judged in (True, False)}


class CountedPaginator(Paginator):
    """A Django Paginator over a count we already have, offering at most ``MAX_BROWSABLE_ROWS`` rows."""

    def __init__(self, count, per_page):
        super().__init__([], per_page, allow_empty_first_page=True)
        self._count = count

    @cached_property
    def count(self):
        return self._count

    @cached_property
    def total_pages(self):
        return max(1, math.ceil(self._count / self.per_page))

    @cached_property
    def num_pages(self):
        return min(self.total_pages, max_browsable_page(self.per_page))


def max_browsable_page(per_page):
    return max(1, MAX_BROWSABLE_ROWS // per_page)


@dataclass
class RegisterPage:
    rows: list
    count: int
    page_obj: Page | None
    per_page: int

    @property
    def start_index(self):
        return (self.page_obj.number - 1) * self.per_page + 1 if self.rows else 0

    @property
    def end_index(self):
        return self.start_index + len(self.rows) - 1 if self.rows else 0

    @property
    def max_rows(self):
        return MAX_BROWSABLE_ROWS

    @property
    def rows_html(self):
        """The table body's rows, joined here: a template variable per row cost a third of the rows' time."""
        return mark_safe("".join(row.html() for row in self.rows))  # noqa: S308  # nosemgrep: no-mark-safe-on-data (RegisterRow.html escapes every value)

    @property
    def more(self):
        """Whether the list has more rows than were counted (the count stops after MAX_BROWSABLE_ROWS)."""
        return self.count > MAX_BROWSABLE_ROWS

    @property
    def capped(self):
        """Whether the list is longer than the pages offered."""
        return self.page_obj is not None and self.page_obj.paginator.total_pages > self.page_obj.paginator.num_pages


def page_of_results(filterset):
    """The page the query string asks for, or None after adding the error to the form (no rows, no 500).

    Any page costs one query. A page past the end, or deeper than the pages offered, is an error.
    """
    if not filterset.is_valid():
        return None
    data = filterset.form.cleaned_data
    number = data.get("page") or 1
    per_page = data.get("per_page") or DEFAULT_PAGE_SIZE
    queryset = filterset.qs
    if number > max_browsable_page(per_page):
        _page_error(filterset, number, capped_count(queryset), per_page)
        return None
    total = CappedCount(queryset, MAX_BROWSABLE_ROWS + 1)
    offset = (number - 1) * per_page
    fetched = list(queryset.annotate(_total=total).values_list(*ROW_FIELDS, "_total")[offset : offset + per_page])
    rows = [RegisterRow(*values[:-1]) for values in fetched]
    count = fetched[0][-1] if fetched else (0 if number == 1 else capped_count(queryset))
    paginator = CountedPaginator(count, per_page)
    if number > paginator.total_pages:
        _page_error(filterset, number, count, per_page)
        return None
    return RegisterPage(rows=rows, count=count, page_obj=Page(rows, number, paginator), per_page=per_page)


def _page_error(filterset, number, count, per_page):
    pages = max(1, math.ceil(count / per_page))
    if count <= MAX_BROWSABLE_ROWS and number > pages:
        unit = "page" if pages == 1 else "pages"
        message = f"There is no page {number}: these results fill {pages} {unit}"
    else:
        message = (
            f"Only the first {MAX_BROWSABLE_ROWS:,} reviews can be shown page by page. Narrow the list with "
            "the filters, sort it the other way, or download it"
        )
    filterset.form.add_error("page", message)


class SavedViewForm(forms.Form):
    """Name the register's current filters; the query string is checked by the same FilterSet."""

    name = forms.CharField(
        label="Name this view",
        max_length=100,
        error_messages={
            "required": "Enter a name for this view",
            "max_length": "The name must be 100 characters or fewer",
        },
    )
    query_string = forms.CharField(required=False, max_length=4000, widget=forms.HiddenInput)

    def __init__(self, *args, owner, **kwargs):
        self.owner = owner
        super().__init__(*args, **kwargs)

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if SavedView.objects.filter(owner=self.owner, name=name).exists():
            raise ValidationError("You already have a saved view with this name")
        return name

    def clean_query_string(self):
        query = _clean_query(QueryDict(self.cleaned_data.get("query_string", "")), drop=PAGING_PARAMS)
        filterset = ReviewFilter(query, queryset=Review.objects.none(), user=self.owner)
        if not filterset.is_valid():
            problems = [str(error) for errors in filterset.form.errors.values() for error in errors]
            raise ValidationError("These filters cannot be saved: " + "; ".join(problems))
        return query.urlencode()

    def save(self):
        return SavedView.objects.create(
            owner=self.owner, name=self.cleaned_data["name"], query_string=self.cleaned_data["query_string"]
        )

    def filter_summary(self):
        """The filters this view would save, as (heading, [labels]) for the page."""
        raw = self.data.get("query_string", "") if self.is_bound else self.initial.get("query_string", "")
        query = _clean_query(QueryDict(raw), drop=PAGING_PARAMS)
        filterset = ReviewFilter(query, queryset=Review.objects.none(), user=self.owner)
        summary = [(heading, [label for label, _ in tags]) for heading, tags in filterset.selected_filters(query)]
        if filterset.is_valid() and query.get("o"):
            summary.append(("Sorted by", [dict(SORT_CHOICES)[filterset.sort_key]]))
        return summary
