from django.conf import settings
from django.db import migrations, models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

import reviews.validators

# Free text gets limits (docs/DATA.md says why each) and refuses characters XML 1.0 cannot carry: the field
# changes are Django's state only (TextField's max_length and the validators make no SQL). The limits are
# CHECK constraints in the database too, added NOT VALID (a brief lock, no scan) and then validated in
# their own statements (a scan that lets reads and writes go on), as the migration linter asks.
LIMITS = [
    # (model, table, column, limit, constraint name)
    ("review", "reviews_review", "summary", 5000, "review_summary_max_length"),
    ("evaluation", "reviews_evaluation", "summary", 5000, "evaluation_summary_max_length"),
    ("agencyinvolvement", "reviews_agencyinvolvement", "notes", 2000, "agency_involvement_notes_max_length"),
    ("finding", "reviews_finding", "description", 2000, "finding_description_max_length"),
]


def refuse_text_over_the_limits(apps, schema_editor):
    """Stop, saying which rows, when stored text is already longer than a new limit: validating the
    constraint would fail on it, and cutting someone's text short is not this migration's decision."""
    too_long = []
    for model_name, table, column, limit, _ in LIMITS:
        rows = (
            apps.get_model("reviews", model_name)
            .objects.annotate(characters=Length(column))
            .filter(characters__gt=limit)
            .order_by("pk")
            .values_list("pk", "characters")[:20]
        )
        too_long += [f"{table}.{column} of id {pk}: {n} characters, limit {limit}" for pk, n in rows]
    if too_long:
        raise RuntimeError(
            "Some stored text is longer than the new limits; shorten it (in the admin) and migrate again:\n"
            + "\n".join(too_long)
        )


def _constraint(table, column, limit, name):
    return migrations.RunSQL(
        sql=f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" CHECK (char_length("{column}") <= {limit}) NOT VALID;',
        reverse_sql=f'ALTER TABLE "{table}" DROP CONSTRAINT IF EXISTS "{name}";',
    )


def _validate(table, name):
    return migrations.RunSQL(sql=f'ALTER TABLE "{table}" VALIDATE CONSTRAINT "{name}";', reverse_sql="")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("reviews", "0014_readevent_kinds"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="agencyinvolvement",
            name="notes",
            field=models.TextField(blank=True, max_length=2000, validators=[reviews.validators.validate_xml_text]),
        ),
        migrations.AlterField(
            model_name="agencyinvolvementevent",
            name="notes",
            field=models.TextField(blank=True, max_length=2000, validators=[reviews.validators.validate_xml_text]),
        ),
        migrations.AlterField(
            model_name="child",
            name="pseudonym",
            field=models.CharField(
                help_text="For example, Child A. Never enter a child's name.",
                max_length=40,
                validators=[reviews.validators.validate_xml_text],
            ),
        ),
        migrations.AlterField(
            model_name="childevent",
            name="pseudonym",
            field=models.CharField(
                help_text="For example, Child A. Never enter a child's name.",
                max_length=40,
                validators=[reviews.validators.validate_xml_text],
            ),
        ),
        migrations.AlterField(
            model_name="evaluation",
            name="summary",
            field=models.TextField(blank=True, max_length=5000, validators=[reviews.validators.validate_xml_text]),
        ),
        migrations.AlterField(
            model_name="evaluationevent",
            name="summary",
            field=models.TextField(blank=True, max_length=5000, validators=[reviews.validators.validate_xml_text]),
        ),
        migrations.AlterField(
            model_name="finding",
            name="description",
            field=models.TextField(blank=True, max_length=2000, validators=[reviews.validators.validate_xml_text]),
        ),
        migrations.AlterField(
            model_name="findingevent",
            name="description",
            field=models.TextField(blank=True, max_length=2000, validators=[reviews.validators.validate_xml_text]),
        ),
        migrations.AlterField(
            model_name="review",
            name="reference",
            field=models.CharField(max_length=40, unique=True, validators=[reviews.validators.validate_xml_text]),
        ),
        migrations.AlterField(
            model_name="review",
            name="summary",
            field=models.TextField(blank=True, max_length=5000, validators=[reviews.validators.validate_xml_text]),
        ),
        migrations.AlterField(
            model_name="review",
            name="title",
            field=models.CharField(max_length=200, validators=[reviews.validators.validate_xml_text]),
        ),
        migrations.AlterField(
            model_name="reviewevent",
            name="reference",
            field=models.CharField(max_length=40, validators=[reviews.validators.validate_xml_text]),
        ),
        migrations.AlterField(
            model_name="reviewevent",
            name="summary",
            field=models.TextField(blank=True, max_length=5000, validators=[reviews.validators.validate_xml_text]),
        ),
        migrations.AlterField(
            model_name="reviewevent",
            name="title",
            field=models.CharField(max_length=200, validators=[reviews.validators.validate_xml_text]),
        ),
        migrations.RunPython(refuse_text_over_the_limits, migrations.RunPython.noop),
        *(_constraint(table, column, limit, name) for _, table, column, limit, name in LIMITS),
        *(_validate(table, name) for _, table, _, _, name in LIMITS),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddConstraint(
                    model_name=model,
                    constraint=models.CheckConstraint(
                        condition=LessThanOrEqual(Length(column), limit),
                        name=name,
                        violation_error_message=f"{column.capitalize()} must be {limit:,} characters or fewer",
                    ),
                )
                for model, _, column, limit, name in LIMITS
            ]
        ),
    ]
