"""Reading a document's text for the register's search, off the request path (Django's tasks framework).

The upload view saves the document with ``text_status`` "pending" and calls ``queue_text_reading`` once the
transaction commits; the worker (``manage.py db_worker``, or the request itself with DJANGO_TASKS_IMMEDIATE)
runs ``read_document_text``, which stores the text and the outcome. Only the kinds the search reads
(``Document.SEARCHED_KINDS``) are read.
"""

import logging

from django.db import DataError, transaction
from django.tasks import task

from reviews.models import Document
from reviews.reporting import writing

logger = logging.getLogger(__name__)


def queue_text_reading(document):
    """Mark ``document`` as waiting for its text and read it after the current transaction commits (at once
    outside one). A document of a kind the search does not read is left as it is."""
    if not document.searched:
        return
    Document.objects.filter(pk=document.pk).update(text_status=Document.TextStatus.PENDING)
    document.text_status = Document.TextStatus.PENDING
    transaction.on_commit(lambda: read_document_text.enqueue(document.pk))


@task()
def read_document_text(document_id):
    """Extract the text of one document and store it, with what came of it (read, no text, failed).

    The task may run long after it was queued: a document deleted, or changed to a kind the search does not
    read, by then is left alone; a file replaced meanwhile is read by the task its replacement queued, so the
    text is stored only while the row still points at the file that was read."""
    from reviews.documents.pdf import extract_text

    document = Document.objects.current().filter(pk=document_id, kind__in=Document.SEARCHED_KINDS).first()
    if document is None:
        logger.info("Document %s is gone, deleted or not searched: its text is not read", document_id)
        return
    try:
        with document.file.open("rb") as stored:
            text = extract_text(stored)
    except Exception:
        logger.exception("Reading the text of document %s failed", document_id)
        status, text = Document.TextStatus.FAILED, ""
    else:
        status = Document.TextStatus.READ if text.strip() else Document.TextStatus.NO_TEXT
    # PostgreSQL text cannot hold NUL, which a PDF's text may carry. The reporting lock first, as every writer
    # of a review's data takes it (reviews/reporting.py): the search reads this text.
    stored = Document.objects.filter(pk=document_id, file=document.file.name)
    try:
        with writing():
            stored.update(text=text.replace("\x00", ""), text_status=status)
    except DataError:  # more distinct words than a tsvector holds (1 MB): searched without its text
        logger.exception("The text of document %s is too large to search", document_id)
        with writing():
            stored.update(text="", text_status=Document.TextStatus.FAILED)
