"""A review's documents (SPEC section 10): the list and upload form, and the download of one file.

Access: the review comes from ``access_review`` (a review the user may not read, another board's included, is a
404), and its documents from the review (``review.documents.current()``), so a document id of another review,
or a deleted document, is a 404 too. Everyone who reads the review reads the list and downloads the files;
board staff of the lead board (and admins) upload, replace and delete them whatever the review's status
(``may_change_documents``); anyone else who reads the review is answered 403 on those.

Files are never at a public URL: the download streams the stored file (local folder or private S3 object)
through this view, as an attachment, and records the read. Uploads and changes take the reporting lock first
(``reporting.writing()``) and are recorded by pghistory's triggers (the review's history page says them).
"""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from reviews.access import access_review
from reviews.documents.pdf import download_name
from reviews.documents.tasks import queue_text_reading
from reviews.forms.documents import DocumentUploadForm
from reviews.models import Document, ReadEvent
from reviews.reporting import writing
from reviews.views.common import audit

# While a document's text is being read, the list asks for itself again this often (htmx).
POLL_SECONDS = 3


def may_change_documents(user, review):
    """Board staff of the review's lead board (and admins), whatever the review's status (reviews/rules.py)."""
    return user.has_perm("reviews.change_documents_obj", review)


def refused(request, review):
    """403: the user reads the review but may not change its documents."""
    context = {
        "review": review,
        "heading": "You cannot change this review's documents",
        "reason": "Only staff of the review's lead board can upload, replace or delete its documents.",
    }
    return render(request, "reviews/review_refused.html", context, status=403)


def current_document(review, doc_id):
    """The review's document ``doc_id`` unless deleted, else 404 (another review's id too)."""
    return get_object_or_404(review.documents.current(), pk=doc_id)


@require_http_methods(["GET", "HEAD", "POST"])
def document_list(request, pk):
    """The review's documents and, for the lead board's staff, the upload form (posted here)."""
    review = access_review(request.user, pk)
    can_change = may_change_documents(request.user, review)
    form = None
    if request.method == "POST":
        if not can_change:
            return refused(request, review)
        form = DocumentUploadForm(request.POST, request.FILES, instance=Document(review=review))
        if form.is_valid():
            document = _save_upload(request, form)
            messages.success(request, f"{document.title} uploaded")
            return redirect("reviews:documents", review.pk)
    elif can_change:
        form = DocumentUploadForm(instance=Document(review=review))
    documents = list(review.documents.current().select_related("uploaded_by").order_by("kind", "uploaded_at", "pk"))
    context = {
        "review": review,
        "documents": documents,
        "pending": any(d.text_status == Document.TextStatus.PENDING for d in documents),
        "poll_seconds": POLL_SECONDS,
        "can_change": can_change,
        "form": form,
    }
    if request.method != "POST" and request.htmx and not request.htmx.history_restore_request:
        # The poll while some text is being read: the list alone.
        return render(request, "reviews/documents_list.html", context)
    return render(request, "reviews/documents.html", context)


def _save_upload(request, form):
    document = form.save(commit=False)
    uploaded = form.cleaned_data["file"]
    with writing():
        audit(request)
        document.file = uploaded
        document.filename = download_name(uploaded.name)
        document.size = form.checked.size
        document.sha256 = form.checked.sha256
        document.uploaded_by = request.user
        document.uploaded_at = timezone.now()
        document.save()
        queue_text_reading(document)
    return document


@require_safe
def document_download(request, pk, doc_id):
    """The stored PDF, streamed as an attachment, recorded as a read of the review."""
    review = access_review(request.user, pk)
    document = current_document(review, doc_id)
    try:
        stored = document.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file of this document is missing") from None
    ReadEvent.objects.create(
        user=request.user,
        review=review,
        kind=ReadEvent.Kind.DOCUMENT,
        detail=f"{document.get_kind_display()}: {document.title} ({document.filename}, document {document.pk})",
    )
    response = FileResponse(stored, as_attachment=True, filename=document.filename, content_type="application/pdf")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
