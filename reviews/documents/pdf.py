"""What the register knows how to do with a PDF's bytes: check an upload is one (SPEC section 10), and read its
text (pypdf).

An upload is judged by its content, never its name or the browser's content type: it must hold at most
``DOCUMENT_MAX_BYTES``, start with the ``%PDF-`` header, open with pypdf without a password and have at least one
page. The size is checked first, from what the upload handler counted, so an oversized file is refused before
any of it is read; the checksum and the count are taken in chunks, never with the whole file in memory.
"""

import hashlib
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from pypdf import PdfReader

from reviews.documents.models import DOCUMENT_MAX_BYTES

PDF_HEADER = b"%PDF-"
FILENAME_MAX_LENGTH = 255


@dataclass(frozen=True)
class CheckedPdf:
    """What the checks learned about an accepted file."""

    size: int
    sha256: str
    pages: int


def check_pdf(uploaded):
    """The size, checksum and page count of ``uploaded`` (a Django ``UploadedFile``) if it is a PDF the register
    accepts; otherwise ``ValidationError`` with a GOV.UK message saying why (codes: ``empty``, ``too_big``,
    ``not_pdf``, ``encrypted``)."""
    if uploaded.size is not None and uploaded.size > DOCUMENT_MAX_BYTES:
        raise _too_big()
    if not uploaded.size:
        raise ValidationError("The selected file is empty", code="empty")
    uploaded.seek(0)
    if uploaded.read(len(PDF_HEADER)) != PDF_HEADER:
        raise _not_pdf()
    digest, size = hashlib.sha256(), 0
    uploaded.seek(0)
    for chunk in uploaded.chunks():
        size += len(chunk)
        if size > DOCUMENT_MAX_BYTES:  # a size the handler under-counted: stop reading there
            raise _too_big()
        digest.update(chunk)
    uploaded.seek(0)
    try:
        reader = PdfReader(uploaded)
        if reader.is_encrypted:
            raise ValidationError(
                "The selected file is password-protected: upload a copy saved without a password", code="encrypted"
            )
        pages = len(reader.pages)
    except ValidationError:
        raise
    except Exception:  # pypdf raises many kinds of error on a damaged or disguised file: all mean "not a PDF"
        raise _not_pdf() from None
    finally:
        uploaded.seek(0)
    if pages < 1:
        raise _not_pdf()
    return CheckedPdf(size=size, sha256=digest.hexdigest(), pages=pages)


def _too_big():
    return ValidationError("The selected file must be smaller than 20MB", code="too_big")


def _not_pdf():
    return ValidationError("The selected file must be a PDF", code="not_pdf")


def download_name(name):
    """The uploader's file name as offered again on download: the last part after any ``/`` or ``\\``, without
    control characters, ending ``.pdf``; other characters (accents, other scripts) are kept, since the
    download's Content-Disposition encodes them (RFC 5987)."""
    last = (name or "").replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    cleaned = "".join(c for c in last if unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp")).strip(" .")
    stem = cleaned[:-4] if cleaned.lower().endswith(".pdf") else cleaned
    stem = stem[: FILENAME_MAX_LENGTH - len(".pdf")] or "document"
    return f"{stem}.pdf"


def extract_text(stream):
    """The text of every page of the PDF in ``stream``, pages separated by blank lines."""
    reader = PdfReader(stream)
    return "\n\n".join(page.extract_text() or "" for page in reader.pages)
