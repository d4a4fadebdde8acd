"""The documents storage's switch (SPEC section 8) and its S3 path. With DJANGO_STORAGE_S3_BUCKET set,
settings.STORAGES["documents"] is django-storages' S3Storage with the options ``scr_register.storages`` builds.
The S3 test starts moto's S3-compatible server on a free local port, uploads a PDF through the view, downloads
it through the view, and checks the object is private: an unsigned GET of its URL is refused."""

import hashlib
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request

import boto3
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from reviews.models import Document
from scr_register.storages import s3_documents_storage
from tests.conftest import HTTPSClient
from tests.factories import ReviewFactory
from tests.pdfs import pdf_bytes

pytestmark = pytest.mark.django_db(databases=["default", "reporting"])

BUCKET = "scr-register-documents"
REGION = "eu-west-2"


@pytest.fixture
def s3_endpoint(monkeypatch):
    """moto's S3 server on 127.0.0.1 (a free port), with made-up credentials; skipped only if it cannot start."""
    try:
        from moto.server import ThreadedMotoServer

        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
    except Exception as error:  # noqa: BLE001 - any failure to start means there is no server to test against
        pytest.skip(f"moto's S3 server could not start here: {error!r}")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    endpoint = f"http://{host}:{port}"
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name=REGION)
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    yield endpoint, s3
    server.stop()


def test_a_document_goes_to_a_private_s3_object_and_comes_back_through_the_view(s3_endpoint, board_user):
    endpoint, s3 = s3_endpoint
    storages = {
        **settings.STORAGES,
        "documents": s3_documents_storage(BUCKET, endpoint_url=endpoint, region_name=REGION),
    }
    review = ReviewFactory()
    content = pdf_bytes("An overview report kept in object storage.")
    client = HTTPSClient()
    client.force_login(board_user)
    with override_settings(STORAGES=storages):
        upload = {"kind": "action_plan", "title": "Action plan", "file": SimpleUploadedFile("plan.pdf", content)}
        assert client.post(reverse("reviews:documents", args=[review.pk]), upload).status_code == 302
        document = Document.objects.get(review=review)
        key = f"documents/{document.file.name}"
        stored = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
        assert hashlib.sha256(stored).hexdigest() == document.sha256 == hashlib.sha256(content).hexdigest()
        grants = s3.get_object_acl(Bucket=BUCKET, Key=key)["Grants"]
        assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]  # the owner's only: no public read
        response = client.get(reverse("reviews:document_download", args=[review.pk, document.pk]))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == content
        assert response["Content-Disposition"] == 'attachment; filename="plan.pdf"'
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{endpoint}/{BUCKET}/{key}", timeout=10)  # noqa: S310 - a local test server
    assert refused.value.code == 403


def documents_storage_under(**environ):
    """settings.STORAGES["documents"] of the settings module loaded under ``environ`` (a fresh interpreter)."""
    names = ("DJANGO_STORAGE_S3_BUCKET", "DJANGO_STORAGE_S3_ENDPOINT", "DJANGO_MEDIA_ROOT", "AWS_DEFAULT_REGION")
    env = {key: value for key, value in os.environ.items() if key not in names}
    env |= {"DJANGO_SECRET_KEY": "a-long-random-test-only-secret-key-0123456789-abcdefghijklmnop", **environ}
    code = (
        "import json; from scr_register import settings as s; print(json.dumps(s.STORAGES['documents'], default=str))"
    )
    result = subprocess.run(  # noqa: S603 (this interpreter, a fixed program)
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, cwd=settings.BASE_DIR
    )
    return json.loads(result.stdout)


def test_without_a_bucket_documents_go_to_the_private_media_folder(tmp_path):
    storage = documents_storage_under(DJANGO_MEDIA_ROOT=str(tmp_path / "documents"))
    assert storage["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert storage["OPTIONS"]["location"] == str(tmp_path / "documents")
    assert storage["OPTIONS"]["base_url"] is None
    assert (storage["OPTIONS"]["directory_permissions_mode"], storage["OPTIONS"]["file_permissions_mode"]) == (
        0o700,
        0o600,
    )


def test_with_a_bucket_documents_go_to_private_s3_objects_at_the_endpoint_given():
    storage = documents_storage_under(
        DJANGO_STORAGE_S3_BUCKET="scr-documents",
        DJANGO_STORAGE_S3_ENDPOINT="https://s3.example.org",
        AWS_DEFAULT_REGION=REGION,
    )
    assert storage == s3_documents_storage("scr-documents", endpoint_url="https://s3.example.org", region_name=REGION)
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"]["default_acl"] == "private"
    assert storage["OPTIONS"]["file_overwrite"] is False
