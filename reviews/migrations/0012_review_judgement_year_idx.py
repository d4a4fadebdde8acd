from django.db import migrations, models


class Migration(migrations.Migration):
    # The register counts the reviews of a judgement (and of a year) by an index-only scan of this index.
    # Built CONCURRENTLY, outside a transaction, as 0011 explains.

    atomic = False

    dependencies = [
        ("reviews", "0011_review_id_board_status_idx"),
    ]

    operations = [
        migrations.RunSQL(
            sql='CREATE INDEX CONCURRENTLY "review_judgement_year_idx" ON "reviews_review" '
            '("latest_judgement", "latest_evaluated_date") INCLUDE ("status");',
            reverse_sql='DROP INDEX CONCURRENTLY IF EXISTS "review_judgement_year_idx";',
            state_operations=[
                migrations.AddIndex(
                    model_name="review",
                    index=models.Index(
                        fields=["latest_judgement", "latest_evaluated_date"],
                        include=("status",),
                        name="review_judgement_year_idx",
                    ),
                ),
            ],
        ),
    ]
