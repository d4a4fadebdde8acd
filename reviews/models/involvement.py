"""Who a review involved: the other boards that contributed, the children it is about and the agencies."""

import pgtrigger
from django.db import models
from django.db.models import Q

from reviews.models.audit import audited
from reviews.models.boards import Board
from reviews.models.constraints import AGENCY_NOTES_MAX_LENGTH, text_max_length
from reviews.models.review import Review
from reviews.models.triggers import review_flag_triggers
from reviews.validators import validate_xml_text


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

pgtrigger.register(*review_flag_triggers("cross_area", "reviews_contribution"))(Contribution)


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


pgtrigger.register(*review_flag_triggers("any_child_known", "reviews_child", "AND t.known_to_social_care"))(Child)


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
