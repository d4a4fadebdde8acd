"""The Document model: one file a board uploaded for a review, with what the register knows about it.

The file lives in the ``documents`` storage (settings.STORAGES: a local folder, or private S3-compatible objects)
under a name the register makes (``upload_to``), never the uploader's file name, so no name can reach another
folder or overwrite another file. Stored files are never deleted or overwritten: replacing a document points the
row at a new file, and the history (pghistory) keeps each version's file name, size and checksum, so every
version stays readable. Deleting a document marks the row (``deleted_at``); the download view then answers 404.
"""

import uuid

import pgtrigger
from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.db import models
from django.db.models import Q
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty

from reviews.models import Review, audited, text_max_length
from reviews.models.triggers import document_search_triggers

# The largest file accepted (SPEC section 10): 20 MiB.
DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
DOCUMENT_TITLE_MAX_LENGTH = 200


class DocumentsStorage(LazyObject):
    """settings.STORAGES["documents"], looked up when first used and again after the setting changes (a test's
    temporary folder or S3 server), as Django's own ``default_storage`` is: a FileField keeps the storage its
    ``storage`` callable returned when the model was loaded, so that must be this proxy, not the storage."""

    def _setup(self):
        self._wrapped = storages["documents"]


documents = DocumentsStorage()


@receiver(setting_changed)
def _forget_documents_storage(*, setting, **kwargs):
    if setting == "STORAGES":
        documents._wrapped = empty


def documents_storage():
    """The storage documents live in (the ``documents`` proxy above)."""
    return documents


def document_file_name(document, filename):
    """``<review id>/<random>.pdf``: the stored name says nothing of the uploader's name, which is kept apart
    (``Document.filename``) for the download's Content-Disposition."""
    return f"{document.review_id}/{uuid.uuid4().hex}.pdf"


class DocumentQuerySet(models.QuerySet):
    def for_user(self, user):
        """The documents of the reviews this user may read (``Review.objects.for_user``), deleted ones included:
        callers that list or serve files add ``.current()``."""
        return self.filter(review__in=Review.objects.for_user(user).values("pk"))

    def current(self):
        """Documents not deleted."""
        return self.filter(deleted_at__isnull=True)

    def searched(self):
        """Documents of the kinds whose text the register's search reads."""
        return self.filter(kind__in=Document.SEARCHED_KINDS)

    def published(self):
        """Documents with a publication date (the register's ``published=yes`` asks for a review with one)."""
        return self.filter(published_date__isnull=False)


# The words of a document's text as its search vector: the same configuration, and no positions, as the reviews'
# own search documents (reviews/models/triggers.py), so a word or prefix matches in both alike.
TEXT_WORDS = "NEW.search_vector := strip(to_tsvector('english'::regconfig, COALESCE(NEW.text, ''))); RETURN NEW;"


class DocumentKind(models.TextChoices):
    OVERVIEW_REPORT = "overview_report", "Overview report"
    EXECUTIVE_SUMMARY = "executive_summary", "Executive summary"
    ACTION_PLAN = "action_plan", "Action plan"
    LEARNING_BRIEFING = "learning_briefing", "Learning briefing"
    OTHER = "other", "Other"


class TextStatus(models.TextChoices):
    """How far the register got reading a document's text for the search."""

    NOT_READ = "not_read", "Not searched"  # kinds whose text the register does not search
    PENDING = "pending", "Text being read"
    READ = "read", "Text read"
    NO_TEXT = "no_text", "No text found"  # a scanned document, for example
    FAILED = "failed", "Text could not be read"


# The text, its search vector and how far reading it got are derived from the file, so not snapshot: the history
# shows uploads, replacements (each version's file, size and checksum), publication dates and deletions.
@audited(exclude=["text", "text_status", "search_vector"])
class Document(models.Model):
    """One document of a review, as uploaded by the lead board's staff."""

    Kind = DocumentKind
    TextStatus = TextStatus

    # The kinds whose text the register's search reads (SPEC section 10).
    SEARCHED_KINDS = (DocumentKind.OVERVIEW_REPORT, DocumentKind.EXECUTIVE_SUMMARY)

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=17, choices=DocumentKind)
    title = models.CharField(max_length=DOCUMENT_TITLE_MAX_LENGTH)
    file = models.FileField(storage=documents_storage, upload_to=document_file_name, max_length=255)
    filename = models.CharField(
        "file name", max_length=255, help_text="The name of the file as uploaded, offered again on download"
    )
    size = models.PositiveBigIntegerField(help_text="In bytes")
    sha256 = models.CharField("SHA-256", max_length=64, help_text="Of the file's bytes, in hexadecimal")
    published_date = models.DateField(
        "publication date", null=True, blank=True, help_text="When the board published it, if it has"
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()
    text = models.TextField(blank=True, help_text="The text read from the PDF (overview reports and summaries)")
    text_status = models.CharField(max_length=8, choices=TextStatus, default=TextStatus.NOT_READ)
    # The text's words as the register's search reads them (stemmed, no positions, as ReviewSearch's), written by
    # the database from ``text`` (TEXT_WORDS): triggers fold them into the review's search document, and "matched
    # in" reads them, so no search parses a document's text.
    search_vector = SearchVectorField(null=True, editable=False)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Optimistic locking, as Review.version: a replace or delete through the UI checks and bumps it.
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["review", "kind", "uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=DocumentKind.values), name="document_kind_valid"),
            models.CheckConstraint(condition=Q(text_status__in=TextStatus.values), name="document_text_status_valid"),
            models.CheckConstraint(
                condition=Q(title__regex=r"\S"),
                name="document_title_not_empty",
                violation_error_message="Enter a title",
            ),
            models.CheckConstraint(
                condition=Q(size__gte=1) & Q(size__lte=DOCUMENT_MAX_BYTES),
                name="document_size_in_range",
                violation_error_message="The file must be at most 20 MB",
            ),
            models.CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="document_sha256_hex"),
            models.CheckConstraint(
                condition=Q(deleted_at__isnull=True, deleted_by__isnull=True)
                | Q(deleted_at__isnull=False, deleted_by__isnull=False),
                name="document_deleted_by_whom",
            ),
            text_max_length("title", DOCUMENT_TITLE_MAX_LENGTH, "document_title_max_length"),
        ]
        indexes = [
            # A review's list of documents; the register's published filter (some current document with a date).
            models.Index(fields=["review", "published_date"], name="document_review_published_idx"),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="document_text_words",
                operation=pgtrigger.Insert | pgtrigger.UpdateOf("text"),
                when=pgtrigger.Before,
                func=TEXT_WORDS,
            )
        ]

    def __str__(self):
        return self.title

    @property
    def searched(self):
        """Whether the register's search reads this document's text."""
        return self.kind in self.SEARCHED_KINDS


pgtrigger.register(*document_search_triggers())(Document)
