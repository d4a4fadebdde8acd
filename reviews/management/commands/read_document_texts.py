"""``python manage.py read_document_texts [--failed | --all]``: queue the reading of documents' text again.

For an operator, after something went wrong or changed (docs/DEPLOYMENT.md):

- no option: the documents still "pending" whose task was lost (a database restored without its task rows,
  a queue emptied by hand), and those of a searched kind never queued at all;
- ``--failed``: those too, and the documents whose reading failed, after the cause is fixed;
- ``--all``: every current overview report and executive summary, after a change to how text is extracted.

Only current (not deleted) documents of the kinds the search reads are queued. A document queued twice is read
twice, which does no harm: each reading stores the text of the file the row points at.
"""

from django.core.management.base import BaseCommand

from reviews.documents.tasks import queue_text_reading
from reviews.models import Document

PROGRESS_EVERY = 100


class Command(BaseCommand):
    help = "Queue the reading of documents' text again: pending ones (default), failed ones too, or all."

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--failed", action="store_true", help="also the documents whose reading failed")
        which.add_argument("--all", action="store_true", help="every current overview report and summary")

    def handle(self, *args, failed=False, all=False, **options):  # noqa: A002 (the option's name)
        documents = Document.objects.current().searched()
        if not all:
            statuses = [Document.TextStatus.PENDING, Document.TextStatus.NOT_READ]
            if failed:
                statuses.append(Document.TextStatus.FAILED)
            documents = documents.filter(text_status__in=statuses)
        ids = list(documents.order_by("pk").values_list("pk", flat=True))
        total = len(ids)
        for done, document in enumerate(Document.objects.filter(pk__in=ids).only("pk", "kind").order_by("pk"), 1):
            queue_text_reading(document)
            if done % PROGRESS_EVERY == 0 and done < total:
                self.stdout.write(f"Queued {done:,} of {total:,} documents")
        self.stdout.write(f"Queued {total:,} document{'s' if total != 1 else ''} for their text to be read")
