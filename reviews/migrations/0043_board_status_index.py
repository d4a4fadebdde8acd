import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    # The lead board's index holds the status too (review_board_status_idx), so the register's capped count
    # for a board or a region reads the index alone; it replaces the foreign key's own index on board_id.
    # Built, then the old one dropped, CONCURRENTLY outside a transaction as 0011 explains (RunSQL as in 0033).

    atomic = False

    dependencies = [
        ("reviews", "0042_reference_prefix"),
    ]

    operations = [
        migrations.RunSQL(
            sql='CREATE INDEX CONCURRENTLY "review_board_status_idx" ON "reviews_review" ("board_id") INCLUDE ("status");',
            reverse_sql='DROP INDEX CONCURRENTLY IF EXISTS "review_board_status_idx";',
            state_operations=[
                migrations.AddIndex(
                    model_name="review",
                    index=models.Index(fields=["board"], include=["status"], name="review_board_status_idx"),
                )
            ],
        ),
        migrations.RunSQL(
            sql='DROP INDEX CONCURRENTLY IF EXISTS "reviews_review_board_id_1854b255";',
            reverse_sql='CREATE INDEX CONCURRENTLY "reviews_review_board_id_1854b255" ON "reviews_review" ("board_id");',
            state_operations=[
                migrations.AlterField(
                    model_name="review",
                    name="board",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reviews",
                        to="reviews.board",
                        verbose_name="lead board",
                    ),
                )
            ],
        ),
    ]
