# Squashed from 0004-0008 by squashmigrations, then written as their final state: the register's sort
# indexes, and its search documents in a table of their own kept by statement-level triggers on Review.
# The trigram index and the stored search vector those migrations tried on the way are gone, and so is
# the pg_trgm extension they created (0019_drop_pg_trgm drops it where it was installed). The update_update
# history trigger they removed and re-added ended as 0001_initial made it, so it is not touched here.

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
import pgtrigger.compiler
import pgtrigger.migrations
from django.conf import settings
from django.db import migrations, models

JUDGEMENT_RANK = models.Case(
    models.When(latest_judgement="outstanding", then=models.Value(1)),
    models.When(latest_judgement="good", then=models.Value(2)),
    models.When(latest_judgement="adequate", then=models.Value(3)),
    models.When(latest_judgement="inadequate", then=models.Value(4)),
)


class Migration(migrations.Migration):
    replaces = [
        ("reviews", "0004_register_search"),
        ("reviews", "0005_register_search_stored"),
        ("reviews", "0006_register_search_expression"),
        ("reviews", "0007_register_search_document"),
        ("reviews", "0008_search_document_cascade"),
    ]

    dependencies = [
        ("reviews", "0003_roles"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="review",
            index=models.Index(
                models.OrderBy(models.F("completed_date"), descending=True, nulls_last=True),
                models.F("reference"),
                name="review_completed_desc_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="review",
            index=models.Index(
                models.OrderBy(models.F("latest_evaluated_date"), descending=True, nulls_last=True),
                models.F("reference"),
                name="review_evaluated_desc_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="review",
            index=models.Index(JUDGEMENT_RANK, models.F("reference"), name="review_judgement_rank_idx"),
        ),
        migrations.AddIndex(
            model_name="review",
            index=models.Index(
                models.OrderBy(JUDGEMENT_RANK, descending=True, nulls_last=True),
                models.F("reference"),
                name="review_judgement_rank_desc_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="board",
            index=models.Index(fields=["name", "gss_code"], name="board_name_idx"),
        ),
        migrations.AddIndex(
            model_name="review",
            index=models.Index(fields=["status", "id"], name="review_status_id_idx"),
        ),
        migrations.CreateModel(
            name="ReviewSearch",
            fields=[
                (
                    "review",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search",
                        serialize=False,
                        to="reviews.review",
                    ),
                ),
                ("document", django.contrib.postgres.search.SearchVectorField()),
            ],
            options={
                "indexes": [
                    django.contrib.postgres.indexes.GinIndex(fields=["document"], name="reviewsearch_document_idx")
                ],
            },
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="review",
            trigger=pgtrigger.compiler.Trigger(
                name="search_document_on_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="\n    INSERT INTO reviews_reviewsearch (review_id, document)\n    SELECT n.id, to_tsvector('english'::regconfig, COALESCE(n.reference, '') || ' ' || COALESCE(n.title, '') || ' ' || COALESCE(n.summary, '')) FROM new_rows n \n    ON CONFLICT (review_id) DO UPDATE SET document = EXCLUDED.document;\n    RETURN NULL;\n",
                    hash="2037193e0af89a236e6310756bbf0a123a5222c4",
                    level="STATEMENT",
                    operation="INSERT",
                    pgid="pgtrigger_search_document_on_insert_453e9",
                    referencing="REFERENCING NEW TABLE AS new_rows ",
                    table="reviews_review",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="review",
            trigger=pgtrigger.compiler.Trigger(
                name="search_document_on_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="\n    INSERT INTO reviews_reviewsearch (review_id, document)\n    SELECT n.id, to_tsvector('english'::regconfig, COALESCE(n.reference, '') || ' ' || COALESCE(n.title, '') || ' ' || COALESCE(n.summary, '')) FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.reference IS DISTINCT FROM o.reference OR n.title IS DISTINCT FROM o.title OR n.summary IS DISTINCT FROM o.summary\n    ON CONFLICT (review_id) DO UPDATE SET document = EXCLUDED.document;\n    RETURN NULL;\n",
                    hash="54e418824066bd49326ea29181b1eaa088926c78",
                    level="STATEMENT",
                    operation="UPDATE",
                    pgid="pgtrigger_search_document_on_update_3f50e",
                    referencing="REFERENCING OLD TABLE AS old_rows  NEW TABLE AS new_rows ",
                    table="reviews_review",
                    when="AFTER",
                ),
            ),
        ),
    ]
