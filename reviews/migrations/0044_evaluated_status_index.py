from django.db import migrations, models


class Migration(migrations.Migration):
    # The latest evaluation's date index holds the status too (review_evaluated_status_idx), so the register's
    # capped count for a reporting year reads one range of it alone, where it read review_judgement_year_idx
    # whole (its first column is the judgement); it replaces review_evaluated_ref_idx, whose columns and order
    # (the "evaluated" sort) it keeps. Built, then the old one dropped, CONCURRENTLY outside a transaction as
    # 0011 explains (RunSQL as in 0033).

    atomic = False

    dependencies = [
        ("reviews", "0043_board_status_index"),
    ]

    operations = [
        migrations.RunSQL(
            sql='CREATE INDEX CONCURRENTLY "review_evaluated_status_idx" ON "reviews_review" '
            '("latest_evaluated_date", "reference") INCLUDE ("status");',
            reverse_sql='DROP INDEX CONCURRENTLY IF EXISTS "review_evaluated_status_idx";',
            state_operations=[
                migrations.AddIndex(
                    model_name="review",
                    index=models.Index(
                        fields=["latest_evaluated_date", "reference"],
                        include=["status"],
                        name="review_evaluated_status_idx",
                    ),
                )
            ],
        ),
        migrations.RunSQL(
            sql='DROP INDEX CONCURRENTLY IF EXISTS "review_evaluated_ref_idx";',
            reverse_sql='CREATE INDEX CONCURRENTLY "review_evaluated_ref_idx" ON "reviews_review" '
            '("latest_evaluated_date", "reference");',
            state_operations=[migrations.RemoveIndex(model_name="review", name="review_evaluated_ref_idx")],
        ),
    ]
