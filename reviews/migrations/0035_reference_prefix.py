from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models
from django.db.models import F
from django.db.models.functions import Collate, Upper


class Migration(migrations.Migration):
    # The register's search read as the start of a reference (reviews/register/references.py): an index on the
    # upper-cased reference under the "C" collation, built CONCURRENTLY so the register stays writable meanwhile
    # (hence outside a transaction, as 0011 explains).

    atomic = False

    dependencies = [
        ("reviews", "0034_document_search"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="review",
            index=models.Index(
                Collate(Upper("reference"), "C"),
                F("reference"),
                include=("status",),
                name="review_reference_prefix_idx",
            ),
        ),
    ]
