"""A serious case review, and its full-text search document."""

import pgtrigger
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Case, F, Q, Transform, Value, When
from django.db.models.functions import Collate, Upper
from django.urls import reverse

from reviews.models.audit import audited
from reviews.models.boards import Board
from reviews.models.constraints import (
    REVIEW_DATE_ORDER,
    REVIEW_SUMMARY_MAX_LENGTH,
    date_order_constraints,
    text_max_length,
)
from reviews.models.triggers import search_document_triggers
from reviews.querysets import ReviewQuerySet
from reviews.validators import validate_xml_text


# The register's sort expression on the judgement. Review.Meta.indexes holds an index on exactly it, and
# reviews/register/filters.py sorts through the same function, so the planner can match them.
def judgement_rank():
    """Ofsted's scale as a sort key: 1 outstanding to 4 inadequate, NULL before any evaluation."""
    ranks = ["outstanding", "good", "adequate", "inadequate"]
    return Case(*(When(latest_judgement=j, then=Value(i)) for i, j in enumerate(ranks, start=1)))


# The register's reading of a search as the start of a reference (reviews/register/references.py) filters and
# sorts on exactly this expression, which review_reference_prefix_idx indexes.
def reference_key():
    """The reference in upper case under the "C" collation: a LIKE prefix is a range of an index on it, in
    the order of the index, whatever the database's collation."""
    return Collate(Upper("reference"), "C")


@audited(exclude=["any_child_known", "cross_area"])
class Review(models.Model):
    """A serious case review led by one board, perhaps with others contributing."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted to Ofsted"
        EVALUATED = "evaluated", "Evaluated by Ofsted"

    class ReviewType(models.TextChoices):
        SCR = "scr", "Serious case review"

    reference = models.CharField(
        max_length=40,
        unique=True,
        validators=[validate_xml_text],
        help_text="Leave blank to be given one, like SCR-2008-E08000025-0001. "
        "A reference you choose must include the lead board's GSS code.",
    )
    review_type = models.CharField(max_length=8, choices=ReviewType, default=ReviewType.SCR)
    # Indexed by review_board_status_idx (Meta.indexes), which holds the status too.
    board = models.ForeignKey(
        Board, on_delete=models.PROTECT, related_name="reviews", verbose_name="lead board", db_index=False
    )
    other_boards = models.ManyToManyField(
        Board,
        through="Contribution",
        related_name="contributed_reviews",
        blank=True,
        verbose_name="contributing boards",
    )
    title = models.CharField(max_length=200, validators=[validate_xml_text])
    incident_date = models.DateField("date of the incident", null=True, blank=True, help_text="For example, 27 3 2008")
    decision_date = models.DateField(
        "date of the decision to hold the review", null=True, blank=True, help_text="For example, 27 3 2008"
    )
    completed_date = models.DateField(
        "date the review was completed",
        null=True,
        blank=True,
        help_text="Leave blank until the overview report is agreed. You need it to submit the review.",
    )
    submitted_date = models.DateField("date submitted to Ofsted", null=True, blank=True)
    independent_chair = models.BooleanField("was the chair of the review panel independent?", null=True, blank=True)
    independent_author = models.BooleanField(
        "was the author of the overview report independent?", null=True, blank=True
    )
    summary = models.TextField(
        blank=True,
        max_length=REVIEW_SUMMARY_MAX_LENGTH,
        validators=[validate_xml_text],
        help_text="What happened and what the review found, without naming anyone. You need it to submit the review.",
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    # Denormalised from the latest evaluation by a database trigger (see Evaluation.Meta.triggers),
    # so the register can filter and sort on them with an index, whatever wrote the evaluation.
    latest_judgement = models.CharField(max_length=12, blank=True, editable=False)
    latest_evaluated_date = models.DateField(null=True, blank=True, editable=False)
    # Denormalised for the register's filters by triggers on Child and Contribution (involvement.py), like the above;
    # derived, so not in the audit trail (the rows they come from are).
    # A database default too, so bulk COPYs that leave them out (the import, seed_demo) start them false.
    any_child_known = models.BooleanField(
        "some child was known to social care", default=False, db_default=False, editable=False
    )
    cross_area = models.BooleanField("other boards contributed", default=False, db_default=False, editable=False)
    # Optimistic locking: every save through the UI checks and bumps this in its UPDATE.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["reference"]
        permissions = [
            ("view_all_reviews", "Can read every submitted review"),
            ("submit_review", "Can submit a review to Ofsted"),
            ("evaluate_review", "Can record an Ofsted evaluation"),
            ("export_reviews", "Can export the register"),
            ("view_dashboard", "Can read the dashboards"),
            ("import_reviews", "Can import reviews from CSV files"),
        ]
        constraints = [
            *date_order_constraints(REVIEW_DATE_ORDER, name="review_{earlier}_before_{later}"),
            models.CheckConstraint(condition=~Q(reference=""), name="review_reference_not_empty"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "submitted", "evaluated"]), name="review_status_valid"
            ),
            text_max_length("summary", REVIEW_SUMMARY_MAX_LENGTH, "review_summary_max_length"),
        ]
        indexes = [
            models.Index(fields=["board", "reference"], name="review_board_ref_idx"),
            models.Index(fields=["status", "reference"], name="review_status_ref_idx"),
            models.Index(fields=["latest_judgement", "reference"], name="review_judgement_ref_idx"),
            # Holding the status, it also counts a reporting year's reviews from the index alone (``year=``).
            models.Index(
                fields=["latest_evaluated_date", "reference"], include=["status"], name="review_evaluated_status_idx"
            ),
            models.Index(fields=["completed_date", "reference"], name="review_completed_ref_idx"),
            # The register (reviews/register/filters.py): counting, and the descending and judgement sorts.
            models.Index(fields=["status", "id"], name="review_status_id_idx"),
            models.Index(fields=["reference"], condition=Q(cross_area=True), name="review_cross_area_idx"),
            models.Index(F("completed_date").desc(nulls_last=True), F("reference"), name="review_completed_desc_idx"),
            models.Index(
                F("latest_evaluated_date").desc(nulls_last=True), F("reference"), name="review_evaluated_desc_idx"
            ),
            models.Index(judgement_rank(), F("reference"), name="review_judgement_rank_idx"),
            models.Index(judgement_rank().desc(nulls_last=True), F("reference"), name="review_judgement_rank_desc_idx"),
            # The dashboard's counts (dashboard/queries.py): each evaluation's review, its board and status, by
            # an index-only scan of this small index instead of the whole review table (once it is vacuumed).
            models.Index(fields=["id"], include=["board", "status"], name="review_id_board_status_idx"),
            # The register's capped count for a judgement, alone or with a year: an index-only range scan
            # (status included for the "not a draft" test) instead of combining two bitmaps or scanning.
            models.Index(
                fields=["latest_judgement", "latest_evaluated_date"],
                include=["status"],
                name="review_judgement_year_idx",
            ),
            # "A child was known to social care" (yes or no): the capped count and the rows in reference
            # order, from one index, instead of scanning the table for the first 5,001 of a common value.
            models.Index(fields=["any_child_known", "reference"], include=["status"], name="review_child_known_idx"),
            # The lead board's reviews; with the status, the register's capped count for a board or a region is an
            # index-only scan (the "not a draft" test read from the index, not each review's row).
            models.Index(fields=["board"], include=["status"], name="review_board_status_idx"),
            # A search read as the start of a reference: the page is the first rows of one range of this index,
            # and the capped count an index-only scan of that range.
            models.Index(reference_key(), F("reference"), include=["status"], name="review_reference_prefix_idx"),
        ]

    def __str__(self):
        return f"{self.reference}: {self.title}"

    def get_absolute_url(self):
        return reverse("reviews:detail", args=[self.pk])


class DocumentsWords(Transform):
    """``review_documents_words(documents)``: a review's documents' words as stored, priced at what reading them costs.

    PostgreSQL prices a test of a search against any tsvector the same, whether a review's own few hundred bytes
    of words or its documents' tens of kilobytes stored out of line (TOAST), which take about 15 µs each to read.
    So priced, the planner counted a word found in most documents by walking the register and reading every
    review's documents' words (70 ms at 100,000 reviews with 10,000 documents), where their GIN index answers in
    about 11 ms. The database function (migration 0045) returns its argument and declares a cost for that read,
    calibrated as the migration says; the index is on this expression and the register's search tests it
    (``search__documents__priced``), so the planner weighs the walk nearer its cost and reads the index when
    that is cheaper (docs/PERFORMANCE.md)."""

    lookup_name = "priced"
    function = "review_documents_words"
    output_field = SearchVectorField()


class ReviewSearch(models.Model):
    """The register's full-text search words of one review, written by triggers on Review and Document
    (derived data, so not audited). Stored, so a search never recomputes them, and apart from Review, so the
    register's counts, which read Review's rows, read narrow rows.

    ``document`` holds the review's own words (reference, title, summary), a few hundred bytes; ``documents``
    the words of its current searched documents (null when it has none), often tens of kilobytes, stored out
    of line; ``common`` the few of those its documents use most, small. Apart, so a plan that tests rows one by
    one reads the small words, and reaches the rest of the documents' only for a row they did not answer."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, primary_key=True, related_name="search")
    document = SearchVectorField()
    documents = SearchVectorField(null=True, editable=False)
    common = SearchVectorField(null=True, editable=False)

    class Meta:
        indexes = [
            GinIndex(fields=["document"], name="reviewsearch_document_idx"),
            GinIndex(DocumentsWords("documents"), name="reviewsearch_docwords_idx"),
            GinIndex(fields=["common"], name="reviewsearch_common_idx"),
        ]

    def __str__(self):
        return f"Search document of {self.review_id}"


# The documents' words are searched through DocumentsWords, which their index holds: the lookup is this column's.
ReviewSearch._meta.get_field("documents").register_lookup(DocumentsWords)


pgtrigger.register(*search_document_triggers())(Review)
