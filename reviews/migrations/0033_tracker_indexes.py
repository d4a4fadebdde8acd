import django.contrib.postgres.indexes
from django.db import migrations, models

INCLUDED = '("review_submitted", "reader_boards", "lead_board_id", "status", "owner_agency")'
INCLUDE = ("review_submitted", "reader_boards", "lead_board", "status", "owner_agency")


def concurrently(name, sql, index):
    return migrations.RunSQL(
        sql=f'CREATE INDEX CONCURRENTLY "{name}" ON "reviews_action" {sql};',
        reverse_sql=f'DROP INDEX CONCURRENTLY IF EXISTS "{name}";',
        state_operations=[migrations.AddIndex(model_name="action", index=index)],
    )


def dropped_concurrently(name, sql):
    return migrations.RunSQL(
        sql=f'DROP INDEX CONCURRENTLY IF EXISTS "{name}";',
        reverse_sql=f'CREATE INDEX CONCURRENTLY "{name}" ON "reviews_action" {sql};',
        state_operations=[migrations.RemoveIndex(model_name="action", name=name)],
    )


class Migration(migrations.Migration):
    # The action tracker's indexes over the columns 0033 keeps (reviews/plans.py says what each serves), built
    # CONCURRENTLY outside a transaction as 0011 explains; they replace the two due-date indexes.

    atomic = False

    dependencies = [
        ("reviews", "0032_tracker_speed"),
    ]

    operations = [
        concurrently(
            "action_tracker_due_idx",
            f'("due_date", "id") INCLUDE {INCLUDED}',
            models.Index(fields=["due_date", "id"], include=INCLUDE, name="action_tracker_due_idx"),
        ),
        concurrently(
            "action_tracker_status_idx",
            f'("status", "due_date", "id") INCLUDE {INCLUDED}',
            models.Index(fields=["status", "due_date", "id"], include=INCLUDE, name="action_tracker_status_idx"),
        ),
        concurrently(
            "action_tracker_board_idx",
            f'("lead_board_id", "due_date", "id") INCLUDE {INCLUDED}',
            models.Index(fields=["lead_board", "due_date", "id"], include=INCLUDE, name="action_tracker_board_idx"),
        ),
        concurrently(
            "action_reader_boards_idx",
            'USING gin ("reader_boards")',
            django.contrib.postgres.indexes.GinIndex(fields=["reader_boards"], name="action_reader_boards_idx"),
        ),
        dropped_concurrently("action_due_idx", '("due_date", "id")'),
        dropped_concurrently("action_status_due_idx", '("status", "due_date")'),
    ]
