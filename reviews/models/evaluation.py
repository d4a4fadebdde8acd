"""Ofsted's evaluations of reviews, on its four-point scale."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from reviews.models.audit import audited
from reviews.models.constraints import (
    EVALUATION_DATE_ORDER,
    EVALUATION_SUMMARY_MAX_LENGTH,
    date_order_constraints,
    text_max_length,
)
from reviews.models.review import Review
from reviews.models.triggers import latest_evaluation_triggers
from reviews.validators import validate_xml_text


class Judgement(models.TextChoices):
    """Ofsted's four-point scale (outstanding was never awarded, but the scale has it)."""

    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    ADEQUATE = "adequate", "Adequate"
    INADEQUATE = "inadequate", "Inadequate"


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
        # Review.latest_judgement and latest_evaluated_date follow the highest-sequence evaluation.
        triggers = latest_evaluation_triggers()

    def __str__(self):
        return f"Evaluation {self.sequence} of {self.review_id}: {self.get_judgement_display()}"
