from django.contrib.postgres.indexes import GinIndex
from django.db import migrations


class Migration(migrations.Migration):
    # The GIN index of the documents' most used words (0040), built CONCURRENTLY outside a transaction as 0011
    # explains; RunSQL as in 0033, since sqlmigrate (which the migration linter reads) refuses
    # AddIndexConcurrently. Then the search table's statistics are read again: 0038 and 0040 rewrote every
    # row's words, and until ANALYZE the planner guesses how many reviews a word matches in the new columns
    # (a word found only in documents was then searched by walking the register in reference order).

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
        migrations.RunSQL(sql="ANALYZE reviews_reviewsearch;", reverse_sql=migrations.RunSQL.noop),
    ]
