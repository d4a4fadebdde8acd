"""What the register knows how to do with a PDF's bytes: read its text (pypdf)."""

from pypdf import PdfReader


def extract_text(stream):
    """The text of every page of the PDF in ``stream``, pages separated by blank lines."""
    reader = PdfReader(stream)
    return "\n\n".join(page.extract_text() or "" for page in reader.pages)
