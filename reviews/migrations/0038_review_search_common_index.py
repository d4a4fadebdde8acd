from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations


class Migration(migrations.Migration):
    # The GIN index of the documents' most used words (0037), built CONCURRENTLY outside a transaction as 0011
    # explains.

    atomic = False

    dependencies = [
        ("reviews", "0037_review_search_common"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="reviewsearch",
            index=GinIndex(fields=["common"], name="reviewsearch_common_idx"),
        ),
    ]
