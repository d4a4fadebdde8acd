import django.db.models.deletion
import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models

# pghistory's context rows (who, from where) are upserted by pghistory itself while a request or command
# writes, so they cannot refuse every UPDATE as the event tables do. This trigger refuses deleting them, and
# any UPDATE that changes their id, their creation time or a value already recorded in their metadata
# (who acted, as they were named then): pghistory only ever adds to the metadata of a context.
CONTEXT_APPEND_ONLY = """
CREATE OR REPLACE FUNCTION reviews_context_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'audit context % cannot be deleted: the audit trail is append-only', OLD.id;
    END IF;
    IF NEW.id IS DISTINCT FROM OLD.id OR NEW.created_at IS DISTINCT FROM OLD.created_at OR EXISTS (
        SELECT 1 FROM jsonb_each(OLD.metadata) AS recorded
        WHERE recorded.value <> 'null'::jsonb AND NEW.metadata -> recorded.key IS DISTINCT FROM recorded.value
    ) THEN
        RAISE EXCEPTION 'audit context % cannot be rewritten: the audit trail is append-only', OLD.id;
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
        ("reviews", "0013_review_child_known_idx"),
        ("pghistory", "0007_auto_20250421_0444"),
    ]

    operations = [
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
        pgtrigger.migrations.AddTrigger(
            model_name="agencyinvolvementevent",
            trigger=pgtrigger.compiler.Trigger(
                name="append_only",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;",
                    hash="0fa07086b7a3ccf4ad199e812a8e4da47cd9671a",
                    operation="UPDATE OR DELETE",
                    pgid="pgtrigger_append_only_424be",
                    table="reviews_agencyinvolvementevent",
                    when="BEFORE",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="childevent",
            trigger=pgtrigger.compiler.Trigger(
                name="append_only",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;",
                    hash="14a2493693a7c3612325d17d9904cf7b6a09d597",
                    operation="UPDATE OR DELETE",
                    pgid="pgtrigger_append_only_2469d",
                    table="reviews_childevent",
                    when="BEFORE",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="contributionevent",
            trigger=pgtrigger.compiler.Trigger(
                name="append_only",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;",
                    hash="781b2099f004347e997f781f32f6a105ff6981e8",
                    operation="UPDATE OR DELETE",
                    pgid="pgtrigger_append_only_276a6",
                    table="reviews_contributionevent",
                    when="BEFORE",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="evaluationevent",
            trigger=pgtrigger.compiler.Trigger(
                name="append_only",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;",
                    hash="a4713b0b53d1ccfd88c611c450982c5ee9302f9c",
                    operation="UPDATE OR DELETE",
                    pgid="pgtrigger_append_only_513ae",
                    table="reviews_evaluationevent",
                    when="BEFORE",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="findingevent",
            trigger=pgtrigger.compiler.Trigger(
                name="append_only",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;",
                    hash="1b190827e13a3d516dba5de932651daf59a81430",
                    operation="UPDATE OR DELETE",
                    pgid="pgtrigger_append_only_0f80e",
                    table="reviews_findingevent",
                    when="BEFORE",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="readevent",
            trigger=pgtrigger.compiler.Trigger(
                name="append_only",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;",
                    hash="b139718a06feaa913aa0d01bb942e5715ab6d7ec",
                    operation="UPDATE OR DELETE",
                    pgid="pgtrigger_append_only_5e8e7",
                    table="reviews_readevent",
                    when="BEFORE",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="reviewevent",
            trigger=pgtrigger.compiler.Trigger(
                name="append_only",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;",
                    hash="5a1e209eb50ced211e995b11f77552ac291a0cae",
                    operation="UPDATE OR DELETE",
                    pgid="pgtrigger_append_only_92188",
                    table="reviews_reviewevent",
                    when="BEFORE",
                ),
            ),
        ),
        migrations.RunSQL(CONTEXT_APPEND_ONLY, reverse_sql=CONTEXT_APPEND_ONLY_REVERSE),
    ]
