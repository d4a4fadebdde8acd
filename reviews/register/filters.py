"""The register's FilterSet (SPEC section 6): every parameter of ``/reviews/``, as django-filter's guide writes
one. A filter that is a lookup says so (``field_name`` and ``lookup_expr``); ``method=`` is kept for those that
are not: the full-text search, the yes/no questions (published among them), the reporting years, the "some child
or finding" tests and the ordering.

Filters, sort keys and page sizes come from allow-lists, never from request data spread into the ORM. An
invalid value leaves the form invalid: the register (django-filter's strict FilterView) then lists nothing,
the exports answer 400, and saved views refuse it. The list, both exports and the saved views all read
through this FilterSet, so they agree on what a query string means.
"""

import re

import django_filters
from django import forms
from django.contrib.postgres.search import SearchQuery
from django.db.models import Exists, F, Func, IntegerField, OuterRef, Q
from django.db.models.lookups import Exact
from django.http import QueryDict

from reviews.models import Child, Document, Finding, Judgement, Review, judgement_rank
from reviews.register import choices
from reviews.register.fields import BoardsField, MultipleValuesField, RegisterForm, ReportingYearsField
from reviews.register.references import prefix_ordering, split_search, starting_with, words_after_reference
from reviews.years import year_bounds


class AnyOfFilter(django_filters.Filter):
    """A repeatable parameter meaning "any of": one ``<field>__in`` lookup over the values given.

    django-filter's MultipleChoiceFilter ORs one condition per value and adds DISTINCT; on the review's own
    columns one IN is the same answer, and keeps the register's indexes usable."""

    field_class = MultipleValuesField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("lookup_expr", "in")
        super().__init__(*args, **kwargs)


class BoardsFilter(AnyOfFilter):
    field_class = BoardsField


class ReportingYearsFilter(django_filters.Filter):
    field_class = ReportingYearsField


def ordering(key):
    """The ORDER BY for a sort key: nulls (not yet completed or evaluated) last in both directions, and the
    unique reference last, so pages never overlap. Each follows an index in reviews/models.py."""
    descending = key.startswith("-")
    name = key.removeprefix("-")
    if name == "reference":
        return [F("reference").desc() if descending else F("reference").asc()]
    if name == "board":
        # Board names are never null: a plain DESC lets board_name_idx be read backwards.
        return [F("board__name").desc() if descending else F("board__name").asc(), F("reference").asc()]
    expression = {
        "completed": F("completed_date"),
        "evaluated": F("latest_evaluated_date"),
        "judgement": judgement_rank(),
    }[name]
    first = expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
    return [first, F("reference").asc()]


def search_term(word):
    """One word of a search as a prefix in a raw tsquery. The parser reads the "-2008" of "SCR-2008-E08000025"
    as a signed number, so a number also matches with a leading minus."""
    word = word.lower()
    return f"('{word}':* | '-{word}':*)" if word.isdigit() else f"'{word}':*"


def search_words(value):
    """The words of the register's search ``value`` (the first 16). Only letters and digits reach a tsquery."""
    return re.findall(r"\w+", value)[:16]


def search_query(value):
    """The register's search ``value`` as a tsquery: every word, each also as the start of a word; None when
    it has no word."""
    words = search_words(value)
    if not words:
        return None
    terms = " & ".join(search_term(word) for word in words)
    return SearchQuery(terms, search_type="raw", config="english")


def document_words_query(value):
    """The tsquery a search ``value`` asks of documents (the words after a reference's start), or None."""
    return search_query(words_after_reference(value))


def words_found(value):
    """The reviews whose own words or searched documents' words hold every word of ``value`` (None when it has
    no word): each word (as ``search_query`` reads it) in any column of ReviewSearch, so the words may be
    split between the review and its documents. Each test is one GIN index's, so PostgreSQL can answer them
    from the indexes (BitmapOr) and, testing rows one by one, tries the small columns first (the review's
    own words, then the words its documents use most). The documents' words are tested through DocumentsWords,
    which prices reading them, so the planner walks rows only where that is truly cheaper."""
    words = search_words(value)
    if not words:
        return None
    found = Q()
    for word in words:
        term = SearchQuery(search_term(word), search_type="raw", config="english")
        # A stop word ("a", "of") makes an empty tsquery, which matches nothing: such a word asks for nothing,
        # as in search_query's. numnode() of a constant is folded when the query is planned, so this test
        # leaves the index tests alone (or drops them).
        no_words = Exact(Func(term, function="numnode", output_field=IntegerField()), 0)
        found &= Q(search__document=term) | Q(search__common=term) | Q(search__documents__priced=term) | Q(no_words)
    return found


def choice_error(what):
    return {"invalid_choice": f"Choose {what} from the list: “%(value)s” is not one"}


def yes_no_filter(label, method, subject):
    """A yes/no/either question answered by ``method`` (radios; "Either" leaves it out)."""
    return django_filters.ChoiceFilter(
        widget=forms.RadioSelect,
        label=label,
        choices=choices.YES_NO,
        empty_label="Either",
        method=method,
        error_messages={"invalid_choice": f"Select yes, no or either for {subject}"},
    )


class ReviewFilter(django_filters.FilterSet):
    """Every filter of the register; multi-value parameters mean "any of", different parameters "all of"."""

    q = django_filters.CharFilter(
        label="Reference, title, summary or documents",
        method="search",
        max_length=200,
        error_messages={"max_length": "Search text must be 200 characters or fewer"},
    )
    judgement = AnyOfFilter(
        widget=forms.CheckboxSelectMultiple,
        field_name="latest_judgement",
        label="Latest judgement",
        choices=Judgement.choices,
        error_messages=choice_error("a judgement"),
    )
    year = ReportingYearsFilter(
        widget=forms.CheckboxSelectMultiple,
        label="Year of latest evaluation",
        method="filter_year",
        error_messages={"invalid_choice": "Enter a reporting year like 2008-09: “%(value)s” is not one"},
    )
    board = BoardsFilter(
        field_name="board__gss_code",
        label="Lead board",
        error_messages={"invalid_choice": "Choose a lead board from the list: “%(value)s” is not a board"},
    )
    region = AnyOfFilter(
        widget=forms.CheckboxSelectMultiple,
        field_name="board__region__code",
        label="Region of the lead board",
        error_messages=choice_error("a region"),
    )
    category = AnyOfFilter(
        widget=forms.CheckboxSelectMultiple,
        label="Weakness found",
        method="filter_category",
        choices=Finding.Category.choices,
        error_messages=choice_error("a weakness"),
    )
    outcome = AnyOfFilter(
        widget=forms.CheckboxSelectMultiple,
        label="Outcome for a child",
        method="filter_outcome",
        choices=Child.Outcome.choices,
        error_messages=choice_error("an outcome"),
    )
    known_to_social_care = yes_no_filter(
        "A child was known to social care", "filter_known_to_social_care", "known to social care"
    )
    cross_area = yes_no_filter("Other boards contributed", "filter_cross_area", "other boards contributing")
    published = yes_no_filter("A document was published", "filter_published", "a published document")
    status = AnyOfFilter(
        field_name="status",
        label="Status",
        widget=forms.CheckboxSelectMultiple,
        error_messages=choice_error("a status"),
    )
    o = django_filters.ChoiceFilter(
        label="Sort by",
        choices=choices.SORT_CHOICES,
        method="order",
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "Sort by one of the columns offered: “%(value)s” is not one"},
    )

    class Meta:
        model = Review
        fields = []
        form = RegisterForm

    def __init__(self, data=None, queryset=None, *, request=None, user=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        # Choices for this FilterSet alone (django-filter gives each FilterSet its own copy of every filter):
        # the statuses depend on the user, the years on today, the boards and regions on the reference data.
        self.options = choices.register_options()
        self.user = user or getattr(request, "user", None)
        self.filters["board"].extra["options"] = self.options
        self.filters["region"].extra["choices"] = list(self.options.regions)
        self.filters["year"].extra["choices"] = choices.reporting_year_choices()
        self.filters["status"].extra["choices"] = choices.status_choices(self.user)

    def filter_queryset(self, queryset):
        """Each filter's value applied; ``page`` and ``per_page`` are in the form but choose a page, not rows."""
        data = self.form.cleaned_data
        for name, filter_ in self.filters.items():
            queryset = filter_.filter(queryset, data.get(name))
        if data.get("q") and split_search(data["q"])[0] and self.sort_key.removeprefix("-") == "reference":
            # A reference's start was read: sort in its index's order (reviews/register/references.py).
            queryset = queryset.order_by(*prefix_ordering(self.sort_key.startswith("-")))
        return queryset

    @property
    def sort_key(self):
        """The sort key in force: the one asked for when the form is valid, else the default."""
        if self.is_valid():
            return self.form.cleaned_data.get("o") or choices.DEFAULT_SORT
        return choices.DEFAULT_SORT

    # Filter methods, each from cleaned (allow-listed) values only.

    def order(self, queryset, name, value):
        return queryset.order_by(*ordering(value))

    def search(self, queryset, name, value):
        """Full-text search of reference, title, summary and the text of the review's current overview reports
        and executive summaries: every word, stemmed, also as the start of a word ("supervis" finds
        "supervision", "SCR-2008-E08" the references that start so), the words found anywhere in the review and
        those documents together. The words are stored (ReviewSearch, one row a review, kept by triggers), so
        no plan recomputes them. Matching each document apart instead (UNION of the reviews with a matching
        document) was measured ten times slower for a common word: PostgreSQL then checks every document's
        words one by one (docs/PERFORMANCE.md).

        A search that opens with a reference's start reads it as that (reviews/register/references.py), and
        any words after it as words."""
        prefix, value = split_search(value)
        if prefix:
            queryset = starting_with(queryset, prefix)
        found = words_found(value)
        if found is None:  # no word: the reference's start alone, or punctuation alone, which matches nothing
            return queryset if prefix else queryset.none()
        return queryset.filter(found)

    def filter_year(self, queryset, name, value):
        """The latest evaluation completed in any of the reporting years (1 April to 31 March)."""
        match = Q()
        for label in value:
            match |= Q(latest_evaluated_date__range=year_bounds(label))
        return queryset.filter(match)

    def filter_category(self, queryset, name, value):
        # "Some finding has it": EXISTS, as a join would repeat a review once per matching finding.
        return queryset.filter(Exists(Finding.objects.filter(review=OuterRef("pk"), category__in=value)))

    def filter_outcome(self, queryset, name, value):
        return queryset.filter(Exists(Child.objects.filter(review=OuterRef("pk"), outcome__in=value)))

    def filter_known_to_social_care(self, queryset, name, value):
        # "no" means no child was known (the complement of "yes"): unknown answers are not "known".
        # Review.any_child_known is kept by triggers on Child: no anti-join over every child.
        return queryset.filter(any_child_known=value == "yes")

    def filter_cross_area(self, queryset, name, value):
        # Review.cross_area is kept by triggers on Contribution.
        return queryset.filter(cross_area=value == "yes")

    def filter_published(self, queryset, name, value):
        """``yes``: some current (not deleted) document of the review has a publication date; ``no``: none has
        (SPEC section 10). EXISTS over the partial index of published current documents."""
        published = Exists(Document.objects.current().published().filter(review=OuterRef("pk")))
        return queryset.filter(published if value == "yes" else ~published)


def clean_query(query, drop=()):
    """A copy of ``query`` without blank values (an empty search box) and without the parameters in ``drop``."""
    cleaned = QueryDict(mutable=True)
    for key in query:
        if key in drop:
            continue
        values = [value for value in query.getlist(key) if value.strip()]
        if values:
            cleaned.setlist(key, values)
    return cleaned


def export_query(query):
    """The query string of a list without the page: what the export and saved-view links carry."""
    return clean_query(query, drop=choices.PAGING_PARAMS).urlencode()
