# The date-order rules are now built from reviews.models.REVIEW_DATE_ORDER and EVALUATION_DATE_ORDER: the same
# checks, now with GOV.UK messages (Django's state only).
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0019_drop_pg_trgm"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The same check in the database (both dates are NOT NULL, so the IS NULL terms change nothing):
        # Django's state only, with no SQL.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveConstraint(
                    model_name="evaluation",
                    name="evaluation_completed_after_received",
                ),
                migrations.AddConstraint(
                    model_name="evaluation",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("received_date__isnull", True),
                            ("completed_date__isnull", True),
                            ("received_date__lte", models.F("completed_date")),
                            _connector="OR",
                        ),
                        name="evaluation_completed_after_received",
                        violation_error_message="The date the evaluation was completed must be the same as or after the date Ofsted received the review",
                    ),
                ),
            ],
        ),
        migrations.AlterConstraint(
            model_name="review",
            name="review_incident_before_decision",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("incident_date__isnull", True),
                    ("decision_date__isnull", True),
                    ("incident_date__lte", models.F("decision_date")),
                    _connector="OR",
                ),
                name="review_incident_before_decision",
                violation_error_message="The date of the decision to hold the review must be the same as or after the date of the incident",
            ),
        ),
        migrations.AlterConstraint(
            model_name="review",
            name="review_decision_before_completion",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("decision_date__isnull", True),
                    ("completed_date__isnull", True),
                    ("decision_date__lte", models.F("completed_date")),
                    _connector="OR",
                ),
                name="review_decision_before_completion",
                violation_error_message="The date the review was completed must be the same as or after the date of the decision",
            ),
        ),
        migrations.AlterConstraint(
            model_name="review",
            name="review_completion_before_submission",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("completed_date__isnull", True),
                    ("submitted_date__isnull", True),
                    ("completed_date__lte", models.F("submitted_date")),
                    _connector="OR",
                ),
                name="review_completion_before_submission",
                violation_error_message="The date it was submitted to Ofsted must be the same as or after the date the review was completed",
            ),
        ),
        migrations.AlterConstraint(
            model_name="review",
            name="review_incident_before_completion",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("incident_date__isnull", True),
                    ("completed_date__isnull", True),
                    ("incident_date__lte", models.F("completed_date")),
                    _connector="OR",
                ),
                name="review_incident_before_completion",
                violation_error_message="The date the review was completed must be the same as or after the date of the incident",
            ),
        ),
        migrations.AlterConstraint(
            model_name="review",
            name="review_decision_before_submission",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("decision_date__isnull", True),
                    ("submitted_date__isnull", True),
                    ("decision_date__lte", models.F("submitted_date")),
                    _connector="OR",
                ),
                name="review_decision_before_submission",
                violation_error_message="The date it was submitted to Ofsted must be the same as or after the date of the decision",
            ),
        ),
        migrations.AlterConstraint(
            model_name="review",
            name="review_incident_before_submission",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("incident_date__isnull", True),
                    ("submitted_date__isnull", True),
                    ("incident_date__lte", models.F("submitted_date")),
                    _connector="OR",
                ),
                name="review_incident_before_submission",
                violation_error_message="The date it was submitted to Ofsted must be the same as or after the date of the incident",
            ),
        ),
    ]
