"""The register's domain: reference data (regions, authorities, boards) and serious case reviews."""

from itertools import combinations
from typing import NamedTuple

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils.text import capfirst

from reviews.querysets import ReviewQuerySet
from reviews.validators import validate_xml_text

# The longest free text each field holds, in characters (docs/DATA.md says why each is enough). The database
# holds them too (text_max_length below), so raw SQL and bulk writes cannot go past them either.
REVIEW_SUMMARY_MAX_LENGTH = 5_000
EVALUATION_SUMMARY_MAX_LENGTH = 5_000
AGENCY_NOTES_MAX_LENGTH = 2_000
FINDING_DESCRIPTION_MAX_LENGTH = 2_000


def text_max_length(field, limit, name):
    """A named CHECK constraint: ``field`` holds at most ``limit`` characters (char_length, as Python's len)."""
    return models.CheckConstraint(
        condition=LessThanOrEqual(Length(field), limit),
        name=name,
        violation_error_message=f"{field.capitalize()} must be {limit:,} characters or fewer",
    )


class DateStep(NamedTuple):
    """One date of a record whose dates run in order, and how a sentence names it."""

    field: str
    noun: str  # in the constraints' names: review_incident_before_decision
    subject: str  # "the date of the decision to hold the review" must be the same as or after ...
    reference: str  # ... must be the same as or after "the date of the decision"


# The order a review's dates run in, and an evaluation's, stated once: the database's CheckConstraints
# (date_order_constraints), the forms and the import (dates_out_of_order) are all built from these.
REVIEW_DATE_ORDER = (
    DateStep("incident_date", "incident", "the date of the incident", "the date of the incident"),
    DateStep("decision_date", "decision", "the date of the decision to hold the review", "the date of the decision"),
    DateStep("completed_date", "completion", "the date the review was completed", "the date the review was completed"),
    DateStep(
        "submitted_date", "submission", "the date it was submitted to Ofsted", "the date it was submitted to Ofsted"
    ),
)
EVALUATION_DATE_ORDER = (
    DateStep("received_date", "received", "the date Ofsted received the review", "the date Ofsted received the review"),
    DateStep(
        "completed_date",
        "completed",
        "the date the evaluation was completed",
        "the date the evaluation was completed",
    ),
)


def date_order_message(earlier, later):
    """The GOV.UK message for ``later`` given before ``earlier`` (two DateSteps)."""
    return f"{capfirst(later.subject)} must be the same as or after {earlier.reference}"


def date_order_constraints(order, name):
    """A CheckConstraint for every pair of dates in ``order``: the earlier, when both are given, is on or before
    the later. ``name`` is a pattern naming each from the DateSteps' nouns, ``{earlier}`` and ``{later}``."""
    return [
        models.CheckConstraint(
            condition=Q(**{f"{earlier.field}__isnull": True})
            | Q(**{f"{later.field}__isnull": True})
            | Q(**{f"{earlier.field}__lte": F(later.field)}),
            name=name.format(earlier=earlier.noun, later=later.noun),
            violation_error_message=date_order_message(earlier, later),
        )
        for earlier, later in combinations(order, 2)
    ]


def dates_out_of_order(values, order):
    """The (earlier, later) DateSteps of ``order`` whose dates in ``values`` go backwards.

    Each date given is compared with the one given before it (missing dates are skipped), which together
    hold every pair the constraints hold; ``values`` maps field names to dates or None.
    """
    broken, previous = [], None
    for step in order:
        day = values.get(step.field)
        if day is None:
            continue
        if previous is not None and day < values[previous.field]:
            broken.append((previous, step))
        previous = step
    return broken


# Every model that holds review data keeps a trigger-written history of inserts, updates and deletes,
# so bulk writes and raw SQL are seen too. Inserts and deletes are recorded by statement-level triggers
# (one call per statement, one event row per row), so the import's bulk writes cost little with every
# trigger on; updates by row-level ones, which compare each row's old and new values. The history is
# append-only in the database itself: a trigger on each event table refuses every UPDATE and DELETE of
# its rows, whatever the SQL (migration 0016; a new event table needs it too, as tests/test_history.py checks).
def audited(exclude=None):
    """Fresh trackers for one model (a tracker binds to the model it first tracks); ``exclude`` names fields
    that are not snapshot (derived ones, such as a generated search vector)."""
    return pghistory.track(
        pghistory.InsertEvent(level=pghistory.Statement),
        pghistory.UpdateEvent(),
        pghistory.DeleteEvent(level=pghistory.Statement),
        exclude=exclude,
    )


class Region(models.Model):
    """An English region (ONS code such as E12000005, West Midlands)."""

    code = models.CharField(max_length=9, unique=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.name


class LocalAuthority(models.Model):
    """An upper-tier local authority as ONS and DfE record it; retired by ``valid_to``, never deleted."""

    class Type(models.TextChoices):
        COUNTY = "county", "County council"
        UNITARY = "unitary", "Unitary authority"
        METROPOLITAN_DISTRICT = "metropolitan_district", "Metropolitan district"
        LONDON_BOROUGH = "london_borough", "London borough"

    gss_code = models.CharField("GSS code", max_length=9, unique=True)
    name = models.CharField(max_length=100)
    type = models.CharField(max_length=24, choices=Type)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="authorities")
    dfe_code = models.CharField("DfE LA number", max_length=3, blank=True)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "local authorities"
        ordering = ["name", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="authority_valid_dates_in_order",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.gss_code})"


class BoardQuerySet(models.QuerySet):
    def of_member(self, user):
        """The boards this user belongs to: board staff's own boards, whose reviews they read and lead."""
        return self.filter(members=user)


class Board(models.Model):
    """A Local Safeguarding Children Board: one per authority code, identified by that GSS code."""

    authority = models.OneToOneField(LocalAuthority, on_delete=models.PROTECT, related_name="board")
    gss_code = models.CharField("GSS code", max_length=9, unique=True)
    name = models.CharField(max_length=120)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="boards")
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="boards", blank=True)

    objects = BoardQuerySet.as_manager()

    class Meta:
        ordering = ["name", "gss_code"]
        # The register sorts reviews by lead board name by walking boards in this order (reviews/filters.py).
        indexes = [models.Index(fields=["name", "gss_code"], name="board_name_idx")]

    def __str__(self):
        return f"{self.name} ({self.gss_code})"


# The register's sort expression on the judgement. Review.Meta.indexes holds an index on exactly it, and
# reviews/filters.py sorts through the same function, so the planner can match them.
def judgement_rank():
    """Ofsted's scale as a sort key: 1 outstanding to 4 inadequate, NULL before any evaluation."""
    ranks = ["outstanding", "good", "adequate", "inadequate"]
    return Case(*(When(latest_judgement=j, then=Value(i)) for i, j in enumerate(ranks, start=1)))


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
    board = models.ForeignKey(Board, on_delete=models.PROTECT, related_name="reviews", verbose_name="lead board")
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
    # Denormalised for the register's filters by triggers on Child and Contribution (below), like the above;
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
            models.Index(fields=["latest_evaluated_date", "reference"], name="review_evaluated_ref_idx"),
            models.Index(fields=["completed_date", "reference"], name="review_completed_ref_idx"),
            # The register (reviews/filters.py): counting, and the descending and judgement sorts.
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
        ]

    def __str__(self):
        return f"{self.reference}: {self.title}"

    def get_absolute_url(self):
        return reverse("reviews:detail", args=[self.pk])


# A review's search document: English full-text of its reference, title and summary.
# Stripped of word positions, which only phrase search and ranking use: a third smaller to read.
_SEARCH_DOCUMENT = (
    "strip(to_tsvector('english'::regconfig, "
    "COALESCE(n.reference, '') || ' ' || COALESCE(n.title, '') || ' ' || COALESCE(n.summary, '')))"
)
_UPSERT_SEARCH_DOCUMENT = """
    INSERT INTO reviews_reviewsearch (review_id, document)
    SELECT n.id, {document} FROM new_rows n {changed}
    ON CONFLICT (review_id) DO UPDATE SET document = EXCLUDED.document;
    RETURN NULL;
"""


class ReviewSearch(models.Model):
    """The register's full-text search document of one review, written by triggers on Review (derived data,
    so not audited). Stored, so a search never recomputes a document, and apart from Review, so the
    register's counts, which read Review's rows, read narrow rows."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, primary_key=True, related_name="search")
    document = SearchVectorField()

    class Meta:
        indexes = [GinIndex(fields=["document"], name="reviewsearch_document_idx")]

    def __str__(self):
        return f"Search document of {self.review_id}"


pgtrigger.register(
    pgtrigger.Trigger(
        name="search_document_on_insert",
        operation=pgtrigger.Insert,
        when=pgtrigger.After,
        level=pgtrigger.Statement,
        referencing=pgtrigger.Referencing(new="new_rows"),
        func=_UPSERT_SEARCH_DOCUMENT.format(document=_SEARCH_DOCUMENT, changed=""),
    ),
    pgtrigger.Trigger(
        name="search_document_on_update",
        operation=pgtrigger.Update,
        when=pgtrigger.After,
        level=pgtrigger.Statement,
        referencing=pgtrigger.Referencing(old="old_rows", new="new_rows"),
        func=_UPSERT_SEARCH_DOCUMENT.format(
            document=_SEARCH_DOCUMENT,
            changed="JOIN old_rows o ON o.id = n.id WHERE n.reference IS DISTINCT FROM o.reference "
            "OR n.title IS DISTINCT FROM o.title OR n.summary IS DISTINCT FROM o.summary",
        ),
    ),
)(Review)


class Contribution(models.Model):
    """A board other than the lead board that contributed to a review spanning more than one area."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="contributions")
    board = models.ForeignKey(Board, on_delete=models.PROTECT, related_name="contributions")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "board"], name="contribution_unique"),
        ]
        indexes = [models.Index(fields=["board", "review"], name="contribution_board_idx")]

    def __str__(self):
        return f"{self.board} contributed to {self.review_id}"


audited()(Contribution)

# Keep Review.<flag> equal to whether some row of <table> for the review matches <condition>, whatever wrote
# the rows (forms, the import's COPY, the admin or raw SQL): the statement's rows name the reviews to check.
_SYNC_REVIEW_FLAG = """
    UPDATE reviews_review r SET {flag} = EXISTS (
        SELECT 1 FROM {table} t WHERE t.review_id = r.id {condition}
    )
    WHERE r.id IN (SELECT review_id FROM {rows})
      AND r.{flag} IS DISTINCT FROM EXISTS (SELECT 1 FROM {table} t WHERE t.review_id = r.id {condition});
    RETURN NULL;
"""


def review_flag_triggers(flag, table, condition=""):
    """Statement triggers that keep ``Review.<flag>`` in step with the rows of ``table``."""

    def sync(rows):
        return _SYNC_REVIEW_FLAG.format(flag=flag, table=table, condition=condition, rows=rows)

    return [
        pgtrigger.Trigger(
            name=f"sync_{flag}_on_insert",
            operation=pgtrigger.Insert,
            when=pgtrigger.After,
            level=pgtrigger.Statement,
            referencing=pgtrigger.Referencing(new="new_rows"),
            func=sync("new_rows"),
        ),
        pgtrigger.Trigger(
            name=f"sync_{flag}_on_update",
            operation=pgtrigger.Update,
            when=pgtrigger.After,
            level=pgtrigger.Statement,
            referencing=pgtrigger.Referencing(old="old_rows", new="new_rows"),
            func=sync("(SELECT review_id FROM new_rows UNION SELECT review_id FROM old_rows) AS changed"),
        ),
        pgtrigger.Trigger(
            name=f"sync_{flag}_on_delete",
            operation=pgtrigger.Delete,
            when=pgtrigger.After,
            level=pgtrigger.Statement,
            referencing=pgtrigger.Referencing(old="old_rows"),
            func=sync("old_rows"),
        ),
    ]


_CROSS_AREA_TRIGGERS = review_flag_triggers("cross_area", "reviews_contribution")
pgtrigger.register(*_CROSS_AREA_TRIGGERS)(Contribution)


@audited()
class Child(models.Model):
    """A child the review is about: a pseudonym and characteristics, never a name."""

    class Sex(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        NOT_KNOWN = "not_known", "Not known"

    class AgeBand(models.TextChoices):
        UNBORN = "unborn", "Unborn"
        UNDER_1 = "under_1", "Under 1 year"
        AGE_1_TO_5 = "1_to_5", "1 to 5 years"
        AGE_6_TO_10 = "6_to_10", "6 to 10 years"
        AGE_11_TO_15 = "11_to_15", "11 to 15 years"
        AGE_16_PLUS = "16_plus", "16 years and over"
        NOT_KNOWN = "not_known", "Not known"

    class Ethnicity(models.TextChoices):
        # DfE ethnicity codes (school census / children in need census main codes).
        WBRI = "WBRI", "White - British"
        WIRI = "WIRI", "White - Irish"
        WIRT = "WIRT", "Traveller of Irish heritage"
        WROM = "WROM", "Gypsy / Roma"
        WOTH = "WOTH", "Any other White background"
        MWBC = "MWBC", "White and Black Caribbean"
        MWBA = "MWBA", "White and Black African"
        MWAS = "MWAS", "White and Asian"
        MOTH = "MOTH", "Any other mixed background"
        AIND = "AIND", "Indian"
        APKN = "APKN", "Pakistani"
        ABAN = "ABAN", "Bangladeshi"
        AOTH = "AOTH", "Any other Asian background"
        BCRB = "BCRB", "Black Caribbean"
        BAFR = "BAFR", "Black - African"
        BOTH = "BOTH", "Any other Black background"
        CHNE = "CHNE", "Chinese"
        OOTH = "OOTH", "Any other ethnic group"
        REFU = "REFU", "Refused"
        NOBT = "NOBT", "Information not yet obtained"

    class Outcome(models.TextChoices):
        DIED = "died", "Died"
        SERIOUS_HARM = "serious_harm", "Seriously harmed"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="children")
    pseudonym = models.CharField(
        max_length=40, help_text="For example, Child A. Never enter a child's name.", validators=[validate_xml_text]
    )
    sex = models.CharField(max_length=10, choices=Sex, default=Sex.NOT_KNOWN)
    age_band = models.CharField("age", max_length=10, choices=AgeBand, default=AgeBand.NOT_KNOWN)
    ethnicity = models.CharField(max_length=4, choices=Ethnicity, blank=True)  # DfE codes
    outcome = models.CharField(max_length=12, choices=Outcome)
    known_to_social_care = models.BooleanField("known to children's social care?", null=True, blank=True)
    child_protection_plan = models.BooleanField("on a child protection plan?", null=True, blank=True)
    looked_after = models.BooleanField("looked after by the local authority?", null=True, blank=True)

    class Meta:
        verbose_name_plural = "children"
        ordering = ["review", "pseudonym", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(pseudonym=""), name="child_pseudonym_not_empty"),
        ]
        indexes = [
            models.Index(fields=["review", "outcome"], name="child_review_outcome_idx"),
            models.Index(fields=["outcome", "review"], name="child_outcome_review_idx"),
            models.Index(fields=["known_to_social_care", "review"], name="child_known_review_idx"),
        ]

    def __str__(self):
        return self.pseudonym


_CHILD_KNOWN_TRIGGERS = review_flag_triggers("any_child_known", "reviews_child", "AND t.known_to_social_care")
pgtrigger.register(*_CHILD_KNOWN_TRIGGERS)(Child)

# The triggers that keep Review.cross_area and Review.any_child_known, as pgtrigger names them (seed_demo,
# which writes the flags itself, switches them off while it loads).
REVIEW_FLAG_TRIGGERS = tuple(
    f"reviews.{model.__name__}:{trigger.name}"
    for model, triggers in ((Contribution, _CROSS_AREA_TRIGGERS), (Child, _CHILD_KNOWN_TRIGGERS))
    for trigger in triggers
)


class Agency(models.TextChoices):
    """Agencies involved with a child, as the findings and agency involvement name them."""

    CHILDRENS_SOCIAL_CARE = "childrens_social_care", "Children's social care"
    HEALTH = "health", "Health"
    POLICE = "police", "Police"
    EDUCATION = "education", "Education"
    PROBATION = "probation", "Probation"
    HOUSING = "housing", "Housing"
    ADULT_SERVICES = "adult_services", "Adult services"
    VOLUNTARY_SECTOR = "voluntary_sector", "Voluntary and community sector"
    OTHER = "other", "Other"


@audited()
class AgencyInvolvement(models.Model):
    """An agency involved with the family, and whether it wrote an individual management review (IMR)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="agencies")
    agency = models.CharField(max_length=24, choices=Agency)
    imr_submitted = models.BooleanField("the agency wrote an individual management review (IMR)", default=False)
    notes = models.TextField(blank=True, max_length=AGENCY_NOTES_MAX_LENGTH, validators=[validate_xml_text])

    class Meta:
        verbose_name_plural = "agency involvement"
        ordering = ["review", "agency"]
        constraints = [
            models.UniqueConstraint(fields=["review", "agency"], name="agency_involvement_unique"),
            text_max_length("notes", AGENCY_NOTES_MAX_LENGTH, "agency_involvement_notes_max_length"),
        ]

    def __str__(self):
        return self.get_agency_display()


@audited()
class Finding(models.Model):
    """A weakness the review found, in one of the categories Ofsted reports on."""

    class Category(models.TextChoices):
        WEAK_MANAGEMENT = "weak_management", "Weak management"
        JOINT_WORKING_WITHIN = "joint_working_within", "Lack of joint working within agencies"
        JOINT_WORKING_ACROSS = "joint_working_across", "Lack of joint working across agencies"
        CHILD_FOCUS = "child_focus", "Failure to focus on the needs of the child"
        STAFF_EXPERTISE = "staff_expertise", "Insufficient staff expertise"
        RISK_ASSESSMENT = "risk_assessment", "Not making adequate risk assessments"
        ETHNIC_CULTURAL = "ethnic_cultural", "Poor identification of ethnic or social cultural issues"
        INFORMATION_SHARING = "information_sharing", "Poor information sharing"
        RECORD_KEEPING = "record_keeping", "Poor record keeping"
        OTHER = "other", "Other"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="findings")
    category = models.CharField(max_length=24, choices=Category)
    agency = models.CharField(max_length=24, choices=Agency, blank=True)
    description = models.TextField(
        blank=True, max_length=FINDING_DESCRIPTION_MAX_LENGTH, validators=[validate_xml_text]
    )

    class Meta:
        ordering = ["review", "category", "id"]
        constraints = [
            text_max_length("description", FINDING_DESCRIPTION_MAX_LENGTH, "finding_description_max_length"),
        ]
        indexes = [
            models.Index(fields=["review", "category"], name="finding_review_category_idx"),
            models.Index(fields=["category", "review"], name="finding_category_review_idx"),
        ]

    def __str__(self):
        return self.get_category_display()


class Judgement(models.TextChoices):
    """Ofsted's four-point scale (outstanding was never awarded, but the scale has it)."""

    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    ADEQUATE = "adequate", "Adequate"
    INADEQUATE = "inadequate", "Inadequate"


# Keeps Review.latest_judgement / latest_evaluated_date equal to the highest-sequence evaluation,
# whatever wrote the evaluation (forms, the import's bulk writes, the admin or raw SQL).
_SYNC_LATEST_EVALUATION = """
    UPDATE reviews_review r SET
        latest_judgement = COALESCE(latest.judgement, ''),
        latest_evaluated_date = latest.completed_date
    FROM (SELECT ids.review_id, e.judgement, e.completed_date
          FROM (SELECT DISTINCT review_id FROM {rows}) ids
          LEFT JOIN LATERAL (
              SELECT judgement, completed_date FROM reviews_evaluation
              WHERE review_id = ids.review_id ORDER BY sequence DESC LIMIT 1
          ) e ON true) latest
    WHERE r.id = latest.review_id
      AND (r.latest_judgement IS DISTINCT FROM COALESCE(latest.judgement, '')
           OR r.latest_evaluated_date IS DISTINCT FROM latest.completed_date);
    RETURN NULL;
"""


@audited()
class Evaluation(models.Model):
    """Ofsted's evaluation of a review; an inadequate review may be evaluated again (sequence 2, 3...)."""

    Judgement = Judgement

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="evaluations")
    sequence = models.PositiveSmallIntegerField(default=1)
    received_date = models.DateField("date Ofsted received the review", help_text="For example, 27 3 2008")
    completed_date = models.DateField(
        "date the evaluation was completed", help_text="This decides the reporting year the evaluation counts in"
    )
    judgement = models.CharField("overall judgement", max_length=12, choices=Judgement)
    summary = models.TextField(
        "summary of the evaluation",
        blank=True,
        max_length=EVALUATION_SUMMARY_MAX_LENGTH,
        validators=[validate_xml_text],
    )
    terms_of_reference = models.CharField(max_length=12, choices=Judgement, blank=True)
    overview_and_imrs = models.CharField(
        "overview report and individual management reviews", max_length=12, choices=Judgement, blank=True
    )
    timescales = models.CharField(max_length=12, choices=Judgement, blank=True)
    equality_and_diversity = models.CharField(max_length=12, choices=Judgement, blank=True)
    family_involvement = models.CharField("involvement of the family", max_length=12, choices=Judgement, blank=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["review", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["review", "sequence"], name="evaluation_sequence_unique"),
            models.CheckConstraint(condition=Q(sequence__gte=1), name="evaluation_sequence_positive"),
            *date_order_constraints(EVALUATION_DATE_ORDER, name="evaluation_{later}_after_{earlier}"),
            models.CheckConstraint(
                condition=Q(judgement__in=["outstanding", "good", "adequate", "inadequate"]),
                name="evaluation_judgement_valid",
            ),
            text_max_length("summary", EVALUATION_SUMMARY_MAX_LENGTH, "evaluation_summary_max_length"),
        ]
        indexes = [
            models.Index(fields=["completed_date"], name="evaluation_completed_idx"),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="sync_latest_on_insert",
                operation=pgtrigger.Insert,
                when=pgtrigger.After,
                level=pgtrigger.Statement,
                referencing=pgtrigger.Referencing(new="new_rows"),
                func=_SYNC_LATEST_EVALUATION.format(rows="new_rows"),
            ),
            pgtrigger.Trigger(
                name="sync_latest_on_update",
                operation=pgtrigger.Update,
                when=pgtrigger.After,
                level=pgtrigger.Statement,
                referencing=pgtrigger.Referencing(old="old_rows", new="new_rows"),
                func=_SYNC_LATEST_EVALUATION.format(
                    rows="(SELECT review_id FROM new_rows UNION SELECT review_id FROM old_rows) AS changed"
                ),
            ),
            pgtrigger.Trigger(
                name="sync_latest_on_delete",
                operation=pgtrigger.Delete,
                when=pgtrigger.After,
                level=pgtrigger.Statement,
                referencing=pgtrigger.Referencing(old="old_rows"),
                func=_SYNC_LATEST_EVALUATION.format(rows="old_rows"),
            ),
        ]

    def __str__(self):
        return f"Evaluation {self.sequence} of {self.review_id}: {self.get_judgement_display()}"


class ReadEvent(models.Model):
    """A read of review data (any page or file showing a review's content): who looked at what, and when.

    Reads are history too: append-only in the database, as the change history's event tables are."""

    class Kind(models.TextChoices):
        VIEW = "view", "Viewed a review"
        HISTORY = "history", "Viewed a review's history"
        EXPORT = "export", "Exported the register"
        EDIT = "edit", "Opened a review to change it"
        SUBMIT = "submit", "Checked a review before submitting it"
        EVALUATE = "evaluate", "Opened a review to evaluate it"
        ADMIN = "admin", "Opened a review in the admin"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Like the change history, reads outlive the review: deleting it leaves them naming its id (SET_NULL would
    # rewrite them, which the append-only trigger refuses).
    review = models.ForeignKey(
        Review, on_delete=models.DO_NOTHING, db_constraint=False, null=True, blank=True, related_name="+"
    )
    # Who read, as they were named then: written by the trigger below from the user row at insert (blank on
    # reads recorded before names were kept).
    user_name = models.TextField(blank=True, db_default="", editable=False)
    kind = models.CharField(max_length=8, choices=Kind)
    detail = models.TextField(
        blank=True, help_text="For exports: the format, filters and number of rows; in the admin: the record shown."
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["review", "at"], name="readevent_review_idx")]
        triggers = [
            pgtrigger.Trigger(
                name="readevent_user_name",
                operation=pgtrigger.Insert,
                when=pgtrigger.Before,
                # The name the history shows: the full name, else the username (User.get_full_name).
                func="NEW.user_name := (SELECT COALESCE(NULLIF(TRIM(first_name || ' ' || last_name), ''), username) "
                "FROM auth_user WHERE id = NEW.user_id); RETURN NEW;",
            )
        ]

    def __str__(self):
        return f"{self.user} {self.get_kind_display().lower()} at {self.at:%Y-%m-%d %H:%M}"


class SavedView(models.Model):
    """An inspector's named filter set for the register."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views")
    name = models.CharField(max_length=100)
    query_string = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="saved_view_name_unique"),
        ]

    def __str__(self):
        return self.name


# Recommendations and action plans, the reminders sent about them, and the figures the database keeps for the
# dashboard: their own modules, imported here (after the models they build on) so Django finds the models.
from reviews.plans import Action, Recommendation  # noqa: E402, F401
from reviews.reminders import ReminderSent  # noqa: E402, F401
from reviews.reporting import BoardYear, DataVersion  # noqa: E402, F401
