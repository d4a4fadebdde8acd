from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations


class Migration(migrations.Migration):
    # The GIN index of the documents' words (0035), built CONCURRENTLY outside a transaction as 0011 explains.

    atomic = False

    dependencies = [
        ("reviews", "0035_review_search_documents"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="reviewsearch",
            index=GinIndex(fields=["documents"], name="reviewsearch_documents_idx"),
        ),
    ]
