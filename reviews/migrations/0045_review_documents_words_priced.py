from django.contrib.postgres.indexes import GinIndex
from django.db import migrations

import reviews.models.review

# The cost of a test of a review's documents' words, in cpu_operator_cost units (PostgreSQL's default for a
# function is 1). Reading them from TOAST takes about 15 µs, some 2,500 units, but only for a review that has
# documents and whose other words did not answer; the planner charges a function's cost for every row it would
# test. Measured (docs/PERFORMANCE.md): from 15 the count of a word in most documents (q=supervis, 100,000
# reviews, 10,061 documents) reads the index; up to 40 a common word's count at 1,000,000 reviews with few
# documents (q=neglect) still walks, as is faster there. 25 sits in that window.
FUNCTION = """
CREATE FUNCTION review_documents_words(words tsvector) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE COST 25
AS $$ BEGIN RETURN words; END $$;
"""


class Migration(migrations.Migration):
    # The documents' words are searched, and indexed, through review_documents_words(), which returns them and
    # declares what reading them costs, so the planner no longer walks the register reading them where their
    # index answers (reviews.models.review.DocumentsWords). A plpgsql function, so the planner keeps its cost
    # (a SQL function's body would be inlined). The new index is built, then the old one dropped, CONCURRENTLY
    # outside a transaction as 0011 explains (RunSQL as in 0033); ANALYZE then reads the indexed expression's
    # statistics, which the planner's estimates for it come from.

    atomic = False

    dependencies = [
        ("reviews", "0044_evaluated_status_index"),
    ]

    operations = [
        migrations.RunSQL(sql=FUNCTION, reverse_sql="DROP FUNCTION review_documents_words(tsvector);"),
        migrations.RunSQL(
            sql='CREATE INDEX CONCURRENTLY "reviewsearch_docwords_idx" ON "reviews_reviewsearch" '
            'USING gin (review_documents_words("documents"));',
            reverse_sql='DROP INDEX CONCURRENTLY IF EXISTS "reviewsearch_docwords_idx";',
            state_operations=[
                migrations.AddIndex(
                    model_name="reviewsearch",
                    index=GinIndex(reviews.models.review.DocumentsWords("documents"), name="reviewsearch_docwords_idx"),
                )
            ],
        ),
        migrations.RunSQL(
            sql='DROP INDEX CONCURRENTLY IF EXISTS "reviewsearch_documents_idx";',
            reverse_sql='CREATE INDEX CONCURRENTLY "reviewsearch_documents_idx" ON "reviews_reviewsearch" '
            'USING gin ("documents");',
            state_operations=[migrations.RemoveIndex(model_name="reviewsearch", name="reviewsearch_documents_idx")],
        ),
        migrations.RunSQL(sql="ANALYZE reviews_reviewsearch;", reverse_sql=migrations.RunSQL.noop),
    ]
