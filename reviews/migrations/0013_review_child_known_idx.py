from django.db import migrations, models


class Migration(migrations.Migration):
    # The register's "known to social care" filter counts and pages its reviews from this index. Built
    # CONCURRENTLY, outside a transaction, as 0011 explains.

    atomic = False

    dependencies = [
        ("reviews", "0012_review_judgement_year_idx"),
    ]

    operations = [
        migrations.RunSQL(
            sql='CREATE INDEX CONCURRENTLY "review_child_known_idx" ON "reviews_review" '
            '("any_child_known", "reference") INCLUDE ("status");',
            reverse_sql='DROP INDEX CONCURRENTLY IF EXISTS "review_child_known_idx";',
            state_operations=[
                migrations.AddIndex(
                    model_name="review",
                    index=models.Index(
                        fields=["any_child_known", "reference"], include=("status",), name="review_child_known_idx"
                    ),
                ),
            ],
        ),
    ]
