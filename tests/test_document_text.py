"""Reading documents' text off the request path (reviews/documents/tasks.py): the task queued on the database
backend waits for the worker (`manage.py db_worker`), which reads it; failures end as "failed" and are logged;
a deleted document's task does nothing; `manage.py read_document_texts` queues them again."""

import logging

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from reviews.documents.tasks import queue_text_reading
from reviews.models import Document
from tests.factories import DocumentFactory, UserFactory
from tests.pdfs import pdf_bytes

pytestmark = pytest.mark.django_db

ON_THE_DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# The worker commits each task's work and closes connections as it goes (close_old_connections), as in
# production: its tests commit too, and put the reference data back after the flush.
with_the_worker = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("reference_data_kept"),
    override_settings(TASKS=ON_THE_DATABASE),
]


def worker_test(function):
    for mark in reversed(with_the_worker):
        function = mark(function)
    return function


def pdf(text, name="report.pdf"):
    return ContentFile(pdf_bytes(text), name=name)


def run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def queued(document, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        queue_text_reading(document)
    document.refresh_from_db()
    return document


@worker_test
def test_a_queued_document_waits_as_pending_until_the_worker_reads_its_text(django_capture_on_commit_callbacks):
    document = DocumentFactory(file=pdf("The chronology showed missed appointments."))

    document = queued(document, django_capture_on_commit_callbacks)

    assert document.text_status == Document.TextStatus.PENDING
    assert document.text == ""
    waiting = DBTaskResult.objects.get()
    assert waiting.status == "READY"
    assert waiting.args_kwargs == {"args": [document.pk], "kwargs": {}}

    run_worker()

    document.refresh_from_db()
    assert document.text_status == Document.TextStatus.READ
    assert "missed appointments" in document.text
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


@worker_test
def test_a_file_that_cannot_be_read_ends_as_failed_with_the_error_logged(django_capture_on_commit_callbacks, caplog):
    document = DocumentFactory(file=ContentFile(b"%PDF-1.7 then nothing a PDF has", name="broken.pdf"))
    document = queued(document, django_capture_on_commit_callbacks)

    with caplog.at_level(logging.ERROR, logger="reviews.documents.tasks"):
        run_worker()

    document.refresh_from_db()
    assert document.text_status == Document.TextStatus.FAILED
    assert document.text == ""
    [record] = [r for r in caplog.records if r.name == "reviews.documents.tasks"]
    assert f"document {document.pk} failed" in record.getMessage()
    assert record.exc_info is not None  # the error itself, with its traceback


@worker_test
def test_a_pdf_without_text_ends_as_no_text(django_capture_on_commit_callbacks):
    document = queued(DocumentFactory(file=pdf("   ")), django_capture_on_commit_callbacks)
    run_worker()
    document.refresh_from_db()
    assert document.text_status == Document.TextStatus.NO_TEXT


@worker_test
def test_a_document_deleted_before_its_task_runs_is_left_alone_and_never_searched(
    django_capture_on_commit_callbacks, client, inspector
):
    document = queued(DocumentFactory(file=pdf("Hypothermia was not recognised.")), django_capture_on_commit_callbacks)
    Document.objects.filter(pk=document.pk).update(deleted_at=timezone.now(), deleted_by=UserFactory())

    run_worker()

    document.refresh_from_db()
    assert (document.text, document.text_status) == ("", Document.TextStatus.PENDING)
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"  # the worker went on, nothing failed
    client.force_login(inspector)
    assert document.review.reference not in client.get("/reviews/", {"q": "hypothermia"}).content.decode()


@worker_test
def test_a_task_for_a_document_that_no_longer_exists_does_nothing():
    from reviews.documents.tasks import read_document_text

    read_document_text.enqueue(987654)
    run_worker()
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


@worker_test
def test_text_read_from_a_file_since_replaced_is_not_stored_over_the_new_files(django_capture_on_commit_callbacks):
    document = queued(DocumentFactory(file=pdf("The first version.")), django_capture_on_commit_callbacks)
    # Replaced before the worker ran: the row points at another file, whose own task reads it.
    replacement = DocumentFactory.build(file=pdf("The second version."))
    document.file.save("second.pdf", replacement.file, save=False)
    Document.objects.filter(pk=document.pk).update(file=document.file.name)

    run_worker()  # the one task reads the file the row points at now

    document.refresh_from_db()
    assert "second version" in document.text


def test_the_suite_runs_tasks_at_once(django_capture_on_commit_callbacks):
    document = DocumentFactory(kind=Document.Kind.OVERVIEW_REPORT, file=pdf("Read at once."))
    document = queued(document, django_capture_on_commit_callbacks)
    assert document.text_status == Document.TextStatus.READ
    assert not DBTaskResult.objects.exists()


def test_an_action_plan_is_never_read():
    document = DocumentFactory(kind=Document.Kind.ACTION_PLAN, file=pdf("Owner: police."))
    queue_text_reading(document)
    document.refresh_from_db()
    assert (document.text, document.text_status) == ("", Document.TextStatus.NOT_READ)


# manage.py read_document_texts ------------------------------------------------------------------------------


def statuses_after(capture, command_args, documents):
    from io import StringIO

    out = StringIO()
    with capture(execute=True):
        call_command("read_document_texts", *command_args, stdout=out)
    return [Document.objects.get(pk=d.pk).text_status for d in documents], out.getvalue()


@pytest.fixture
def documents_in_every_state():
    """Executive summaries pending (task lost), failed (since fixed: the file reads now), read (from an older
    extraction: its stored text differs), deleted while pending; and an action plan."""
    text = "Learning from the review."
    return [
        DocumentFactory(file=pdf(text), text_status=Document.TextStatus.PENDING),
        DocumentFactory(file=pdf(text), text_status=Document.TextStatus.FAILED),
        DocumentFactory(file=pdf(text), text="older extraction", text_status=Document.TextStatus.READ),
        DocumentFactory(
            file=pdf(text),
            text_status=Document.TextStatus.PENDING,
            deleted_at=timezone.now(),
            deleted_by=UserFactory(),
        ),
        DocumentFactory(kind=Document.Kind.ACTION_PLAN, file=pdf(text)),
    ]


def test_read_document_texts_queues_the_pending_ones_again(
    documents_in_every_state, django_capture_on_commit_callbacks
):
    statuses, out = statuses_after(django_capture_on_commit_callbacks, [], documents_in_every_state)
    read, pending, failed, not_read = (Document.TextStatus.READ, Document.TextStatus.PENDING,
                                       Document.TextStatus.FAILED, Document.TextStatus.NOT_READ)  # fmt: skip
    assert statuses == [read, failed, read, pending, not_read]
    assert "Queued 1 document for their text to be read" in out


def test_read_document_texts_failed_queues_the_failed_ones_too(
    documents_in_every_state, django_capture_on_commit_callbacks
):
    statuses, out = statuses_after(django_capture_on_commit_callbacks, ["--failed"], documents_in_every_state)
    assert statuses[:2] == [Document.TextStatus.READ, Document.TextStatus.READ]
    assert "Queued 2 documents" in out


def test_read_document_texts_all_reads_every_current_searched_document_again(
    documents_in_every_state, django_capture_on_commit_callbacks
):
    statuses, out = statuses_after(django_capture_on_commit_callbacks, ["--all"], documents_in_every_state)
    assert statuses[:3] == [Document.TextStatus.READ] * 3
    assert Document.objects.get(pk=documents_in_every_state[2].pk).text.strip() == "Learning from the review."
    assert statuses[3:] == [Document.TextStatus.PENDING, Document.TextStatus.NOT_READ]
    assert "Queued 3 documents" in out


@worker_test
def test_read_document_texts_shows_its_progress_and_leaves_the_reading_to_the_worker(
    monkeypatch, django_capture_on_commit_callbacks
):
    from reviews.management.commands import read_document_texts

    monkeypatch.setattr(read_document_texts, "PROGRESS_EVERY", 2)
    documents = DocumentFactory.create_batch(5, text_status=Document.TextStatus.PENDING)

    statuses, out = statuses_after(django_capture_on_commit_callbacks, [], documents)

    assert out.splitlines() == [
        "Queued 2 of 5 documents",
        "Queued 4 of 5 documents",
        "Queued 5 documents for their text to be read",
    ]
    assert statuses == [Document.TextStatus.PENDING] * 5
    assert DBTaskResult.objects.filter(status="READY").count() == 5
    run_worker()
    assert set(Document.objects.values_list("text_status", flat=True)) == {Document.TextStatus.READ}
