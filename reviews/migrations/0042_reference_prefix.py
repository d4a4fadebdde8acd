from django.db import migrations, models
from django.db.models import F
from django.db.models.functions import Collate, Upper


class Migration(migrations.Migration):
    # The register's search read as the start of a reference (reviews/register/references.py): an index on the
    # upper-cased reference under the "C" collation, built CONCURRENTLY outside a transaction as 0011 explains
    # (RunSQL as in 0033: sqlmigrate, which the migration linter runs, renders it inside one).

    atomic = False

    dependencies = [
        ("reviews", "0041_review_search_common_index"),
    ]

    operations = [
        migrations.RunSQL(
            sql='CREATE INDEX CONCURRENTLY "review_reference_prefix_idx" ON "reviews_review" '
            '((UPPER("reference")) COLLATE "C", "reference") INCLUDE ("status");',
            reverse_sql='DROP INDEX CONCURRENTLY IF EXISTS "review_reference_prefix_idx";',
            state_operations=[
                migrations.AddIndex(
                    model_name="review",
                    index=models.Index(
                        Collate(Upper("reference"), "C"),
                        F("reference"),
                        include=("status",),
                        name="review_reference_prefix_idx",
                    ),
                )
            ],
        ),
    ]
