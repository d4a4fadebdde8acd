import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0016_audit_append_only"),
    ]

    operations = [
        migrations.AddField(
            model_name="readevent",
            name="user_name",
            field=models.TextField(blank=True, db_default="", editable=False),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="readevent",
            trigger=pgtrigger.compiler.Trigger(
                name="readevent_user_name",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="NEW.user_name := (SELECT COALESCE(NULLIF(TRIM(first_name || ' ' || last_name), ''), username) FROM auth_user WHERE id = NEW.user_id); RETURN NEW;",
                    hash="80410ef099c03215d0b5150ae8b6c80d10a2ce1b",
                    operation="INSERT",
                    pgid="pgtrigger_readevent_user_name_d6e5e",
                    table="reviews_readevent",
                    when="BEFORE",
                ),
            ),
        ),
    ]
