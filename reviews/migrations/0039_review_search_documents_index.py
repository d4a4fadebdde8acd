from django.contrib.postgres.indexes import GinIndex
from django.db import migrations


class Migration(migrations.Migration):
    # The GIN index of the documents' words (0038), built CONCURRENTLY outside a transaction as 0011
    # explains; RunSQL as in 0033, since sqlmigrate (which the migration linter reads) refuses
    # AddIndexConcurrently.

    atomic = False

    dependencies = [
        ("reviews", "0038_review_search_documents"),
    ]

    operations = [
        migrations.RunSQL(
            sql='CREATE INDEX CONCURRENTLY "reviewsearch_documents_idx" ON "reviews_reviewsearch" USING gin ("documents");',
            reverse_sql='DROP INDEX CONCURRENTLY IF EXISTS "reviewsearch_documents_idx";',
            state_operations=[
                migrations.AddIndex(
                    model_name="reviewsearch",
                    index=GinIndex(fields=["documents"], name="reviewsearch_documents_idx"),
                )
            ],
        ),
    ]
