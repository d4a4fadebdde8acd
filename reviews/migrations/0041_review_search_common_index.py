from django.contrib.postgres.indexes import GinIndex
from django.db import migrations


class Migration(migrations.Migration):
    # The GIN index of the documents' most used words (0037), built CONCURRENTLY outside a transaction as 0011
    # explains; RunSQL as in 0033, since sqlmigrate (which the migration linter reads) refuses
    # AddIndexConcurrently.

    atomic = False

    dependencies = [
        ("reviews", "0040_review_search_common"),
    ]

    operations = [
        migrations.RunSQL(
            sql='CREATE INDEX CONCURRENTLY "reviewsearch_common_idx" ON "reviews_reviewsearch" USING gin ("common");',
            reverse_sql='DROP INDEX CONCURRENTLY IF EXISTS "reviewsearch_common_idx";',
            state_operations=[
                migrations.AddIndex(
                    model_name="reviewsearch",
                    index=GinIndex(fields=["common"], name="reviewsearch_common_idx"),
                )
            ],
        ),
    ]
