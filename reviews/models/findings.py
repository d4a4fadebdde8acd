"""The weaknesses a review found."""

from django.db import models

from reviews.models.audit import audited
from reviews.models.constraints import FINDING_DESCRIPTION_MAX_LENGTH, text_max_length
from reviews.models.involvement import Agency
from reviews.models.review import Review
from reviews.validators import validate_xml_text


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
