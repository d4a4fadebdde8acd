"""Benchmark a document upload (issue 16): ``POST /reviews/<id>/documents/`` with a PDF of just under 20 MiB
answers in under 2 s (the text is read afterwards, by the worker).

Usage (from the project folder, on a migrated database; it adds one review, one board user and the documents
it uploads, whose files go to a temporary folder deleted at the end):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scr_bench DJANGO_SECRET_KEY=x \\
        .venv/bin/python bench/bench_upload.py [--runs 5] [--markdown out.md]

The PDF is made with fpdf2 (a page holding a picture of random noise, which no compression shrinks). The
multipart body is encoded once, before timing, so only the server's side is measured: Django's test Client
sends it through the whole stack (middleware, session, multipart parsing into a temporary file, the content
checks with pypdf, the SHA-256, the write to the documents storage, the row, the task queued). Each run's wall
time and this process's CPU time are reported, with the same figures for a one-page PDF (the floor: everything
but the size) measured in the same run, and the machine's load (``uptime``).
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scr_register.settings")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ["DJANGO_TASKS_IMMEDIATE"] = "false"  # the text is read by the worker, off the request

BENCH_BOARD = "bench-upload-board"
BIRMINGHAM = "E08000025"
TARGET_BYTES = 20 * 1024 * 1024 - 256 * 1024  # just under the 20 MiB limit, room for the PDF's own structure
BOUNDARY = "BenchUploadBoundary"


def big_pdf():
    import math

    from fpdf import FPDF
    from PIL import Image

    side = math.isqrt(TARGET_BYTES // 3)
    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    pdf = FPDF()
    pdf.add_page()
    pdf.image(image, x=10, y=10, w=100)
    data = bytes(pdf.output())
    assert len(data) <= 20 * 1024 * 1024, len(data)
    return data


def small_pdf():
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    pdf.add_page()
    pdf.multi_cell(0, 6, "Executive summary of a serious case review.")
    return bytes(pdf.output())


def body(content):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test.client import encode_multipart

    fields = {
        "kind": "executive_summary",
        "title": "Executive summary (benchmark)",
        "file": SimpleUploadedFile("summary.pdf", content, "application/pdf"),
    }
    return encode_multipart(BOUNDARY, fields)


def measure(client, url, payload, runs):
    from django.test.client import MULTIPART_CONTENT

    content_type = MULTIPART_CONTENT.replace("BoUnDaRyStRiNg", BOUNDARY)
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        response = client.post(url, data=payload, content_type=content_type, secure=True)
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
        assert response.status_code == 302, (response.status_code, response.content[:2000])
    return walls, cpus


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--markdown", help="write the table to this file too")
    args = parser.parse_args()

    import django

    django.setup()
    import logging

    logging.disable(logging.CRITICAL)
    from django.conf import settings
    from django.contrib.auth.models import Group, User
    from django.test import Client
    from django.test.utils import override_settings

    from reviews.models import Board, Review

    folder = tempfile.TemporaryDirectory(prefix="bench-upload-")
    documents = {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": folder.name}}
    # Static files by their plain names (no collectstatic manifest here), documents in the temporary folder.
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    storages = {**settings.STORAGES, "documents": documents, "staticfiles": plain}
    override_settings(STORAGES=storages, STATIC_ROOT=None).enable()

    user, _ = User.objects.get_or_create(username=BENCH_BOARD)
    user.groups.add(Group.objects.get(name="board_staff"))
    birmingham = Board.objects.get(gss_code=BIRMINGHAM)
    birmingham.members.add(user)
    review = Review.objects.filter(reference="BENCH-UPLOAD-0001").first()
    if review is None:
        review = Review.objects.create(
            reference="BENCH-UPLOAD-0001",
            board=birmingham,
            title="Benchmark of document uploads",
            status=Review.Status.DRAFT,
        )
    client = Client()
    client.force_login(user)
    url = f"/reviews/{review.pk}/documents/"

    big, small = big_pdf(), small_pdf()
    big_body, small_body = body(big), body(small)
    measure(client, url, small_body, 2)  # warm up: imports, templates, connections
    load_before = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    big_wall, big_cpu = measure(client, url, big_body, args.runs)
    small_wall, small_cpu = measure(client, url, small_body, args.runs)
    load_after = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    folder.cleanup()

    def row(name, size, walls, cpus):
        return (
            f"| {name} | {size / 1024 / 1024:.2f} MiB ({size:,} bytes) | {statistics.median(walls) * 1000:.0f} ms | "
            f"{max(walls) * 1000:.0f} ms | {statistics.median(cpus) * 1000:.0f} ms |"
        )

    lines = [
        f"Upload of a PDF through `POST /reviews/<id>/documents/`, {args.runs} runs each.",
        "",
        "| PDF | size | wall (median) | wall (slowest) | CPU of the process (median) |",
        "|---|---:|---:|---:|---:|",
        row("large (fpdf2, a noise picture)", len(big), big_wall, big_cpu),
        row("floor: one page of text", len(small), small_wall, small_cpu),
        "",
        f"Ratio large / floor: wall {statistics.median(big_wall) / statistics.median(small_wall):.1f}x, "
        f"CPU {statistics.median(big_cpu) / statistics.median(small_cpu):.1f}x. "
        f"Target: the large upload answers in under 2 s: {'met' if max(big_wall) < 2 else 'NOT met'}.",
        "",
        f"Load before: `{load_before}`; after: `{load_after}`.",
    ]
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        Path(args.markdown).write_text(text + "\n")


if __name__ == "__main__":
    main()
