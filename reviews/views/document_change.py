"""Replacing a document's file and deleting a document (SPEC section 10), for the lead board's staff.

Neither removes a stored file: a replacement points the row at a new file (the history keeps every version's
file name, size and checksum), a deletion marks the row, and the download then answers 404. Each form carries
the document's ``version`` when the page was loaded; the save checks it under the row's lock, taken after the
reporting lock (``reporting.writing()``), and a save based on an older version is refused with a conflict
message (409), nothing changed. Access as in ``reviews.views.documents``.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_http_methods

from reviews.access import access_review
from reviews.documents.pdf import download_name
from reviews.documents.tasks import queue_text_reading
from reviews.forms.documents import DocumentDeleteForm, DocumentReplaceForm
from reviews.models import Document
from reviews.reporting import writing
from reviews.views.common import audit
from reviews.views.documents import current_document, may_change_documents, refused

CONFLICT = (
    "Someone else changed this document while you were looking at it: it now has the file {filename}, uploaded "
    "on {day}. Check the document below before you try again."
)


class Conflict(Exception):
    """The document changed since the user loaded the page; ``current`` is it as saved now."""

    def __init__(self, current):
        super().__init__("document changed")
        self.current = current


def _locked(document, version):
    """The document's row, locked, if it is still at ``version`` and not deleted; else ``Conflict``."""
    current = Document.objects.select_for_update().get(pk=document.pk)
    if current.deleted_at is not None or str(current.version) != str(version):
        raise Conflict(current)
    return current


def _conflict(request, form, current, template, context):
    """409: what changed, above the form again (based on the saved version: trying again is a choice)."""
    if current.deleted_at is not None:
        message = "Someone else deleted this document while you were looking at it."
    else:
        day = date_format(timezone.localtime(current.uploaded_at), "j F Y, g:ia")
        message = CONFLICT.format(filename=current.filename, day=day)
    context = {**context, "form": form, "document": current, "conflict": message}
    return render(request, template, context, status=409)


def _to_change(request, pk, doc_id):
    """The review (404 unless readable), its current document (404 otherwise) and, if this user may not change
    its documents, the refusal to answer with."""
    review = access_review(request.user, pk)
    document = current_document(review, doc_id)
    refusal = None if may_change_documents(request.user, review) else refused(request, review)
    return review, document, refusal


@require_http_methods(["GET", "HEAD", "POST"])
def document_replace(request, pk, doc_id):
    """A new file for the document, same kind and title; the publication date kept or changed."""
    review, document, refusal = _to_change(request, pk, doc_id)
    if refusal:
        return refusal
    context = {"review": review, "document": document}
    if request.method != "POST":
        context["form"] = DocumentReplaceForm(instance=document)
        return render(request, "reviews/document_replace.html", context)
    form = DocumentReplaceForm(request.POST, request.FILES, instance=document)
    if not form.is_valid():
        return render(request, "reviews/document_replace.html", {**context, "form": form})
    uploaded = form.cleaned_data["file"]
    try:
        with writing():
            audit(request)
            current = _locked(document, form.cleaned_data["version"])
            current.file = uploaded
            current.filename = download_name(uploaded.name)
            current.size = form.checked.size
            current.sha256 = form.checked.sha256
            current.published_date = form.cleaned_data["published_date"]
            current.uploaded_by = request.user
            current.uploaded_at = timezone.now()
            current.text = ""
            current.text_status = Document.TextStatus.NOT_READ
            current.version += 1
            current.save()
            queue_text_reading(current)
    except Conflict as conflict:
        again = DocumentReplaceForm(instance=conflict.current)
        return _conflict(request, again, conflict.current, "reviews/document_replace.html", context)
    messages.success(request, f"{current.title}: file replaced")
    return redirect("reviews:documents", review.pk)


@require_http_methods(["GET", "HEAD", "POST"])
def document_delete(request, pk, doc_id):
    """A confirmation page, and the deletion itself (POST): the row is marked, the stored file kept."""
    review, document, refusal = _to_change(request, pk, doc_id)
    if refusal:
        return refusal
    context = {"review": review, "document": document}
    if request.method != "POST":
        context["form"] = DocumentDeleteForm(initial={"version": document.version})
        return render(request, "reviews/document_delete.html", context)
    form = DocumentDeleteForm(request.POST)
    form.is_valid()
    try:
        with writing():
            audit(request)
            current = _locked(document, form.cleaned_data.get("version"))
            current.deleted_at = timezone.now()
            current.deleted_by = request.user
            current.version += 1
            current.save(update_fields=["deleted_at", "deleted_by", "version"])
    except Conflict as conflict:
        again = DocumentDeleteForm(initial={"version": conflict.current.version})
        return _conflict(request, again, conflict.current, "reviews/document_delete.html", context)
    messages.success(request, f"{document.title} deleted")
    return redirect("reviews:documents", review.pk)
