import django.db.models.deletion
from django.db import migrations, models

# The audit trail is append-only in the database itself. Plain PL/pgSQL triggers rather than pgtrigger's
# Protect: pgtrigger's triggers step aside for any session that sets ``pgtrigger.ignore``, and these must not.

# Every UPDATE and DELETE of a history row is refused: pghistory's event tables and the reads.
EVENT_TABLES = (
    "reviews_reviewevent",
    "reviews_contributionevent",
    "reviews_childevent",
    "reviews_agencyinvolvementevent",
    "reviews_findingevent",
    "reviews_evaluationevent",
    "reviews_readevent",
)
APPEND_ONLY = """
CREATE OR REPLACE FUNCTION reviews_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: % of a row of % refused', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
""" + "".join(
    f"CREATE TRIGGER reviews_audit_append_only BEFORE UPDATE OR DELETE ON {table} "
    "FOR EACH ROW EXECUTE FUNCTION reviews_audit_append_only();\n"
    for table in EVENT_TABLES
)
APPEND_ONLY_REVERSE = (
    "".join(f"DROP TRIGGER IF EXISTS reviews_audit_append_only ON {table};\n" for table in EVENT_TABLES)
    + "DROP FUNCTION IF EXISTS reviews_audit_append_only();\n"
)

# pghistory's context rows (who, from where) are upserted by pghistory itself while a request or command
# writes, so they cannot refuse every UPDATE as the event tables do. This trigger refuses deleting them, and
# any UPDATE that changes their id, their creation time or a value already recorded in their metadata
# (who acted, as they were named then): pghistory only ever adds to the metadata of a context.
CONTEXT_APPEND_ONLY = """
CREATE OR REPLACE FUNCTION reviews_context_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'the audit trail is append-only: audit context % cannot be deleted', OLD.id;
    END IF;
    IF NEW.id IS DISTINCT FROM OLD.id OR NEW.created_at IS DISTINCT FROM OLD.created_at OR EXISTS (
        SELECT 1 FROM jsonb_each(OLD.metadata) AS recorded
        WHERE recorded.value <> 'null'::jsonb AND NEW.metadata -> recorded.key IS DISTINCT FROM recorded.value
    ) THEN
        RAISE EXCEPTION 'the audit trail is append-only: audit context % cannot be rewritten', OLD.id;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER reviews_context_append_only BEFORE UPDATE OR DELETE ON pghistory_context
    FOR EACH ROW EXECUTE FUNCTION reviews_context_append_only();
"""
CONTEXT_APPEND_ONLY_REVERSE = """
DROP TRIGGER IF EXISTS reviews_context_append_only ON pghistory_context;
DROP FUNCTION IF EXISTS reviews_context_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0015_text_limits"),
        ("pghistory", "0007_auto_20250421_0444"),
    ]

    operations = [
        # A deleted review's reads keep its id, as its change history does (SET_NULL would rewrite them).
        migrations.AlterField(
            model_name="readevent",
            name="review",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="reviews.review",
            ),
        ),
        migrations.RunSQL(APPEND_ONLY, reverse_sql=APPEND_ONLY_REVERSE),
        migrations.RunSQL(CONTEXT_APPEND_ONLY, reverse_sql=CONTEXT_APPEND_ONLY_REVERSE),
    ]
