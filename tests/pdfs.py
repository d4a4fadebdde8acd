"""Real PDFs for the document tests, made with fpdf2 (never hand-written bytes)."""

import io
import math
import os
import zipfile

from fpdf import FPDF
from PIL import Image
from pypdf import PdfReader, PdfWriter


def pdf_bytes(text="Overview report of a serious case review.", *, pages=1):
    """A PDF whose pages carry ``text`` (Helvetica, so Latin-1 text only)."""
    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    for _ in range(pages):
        pdf.add_page()
        pdf.multi_cell(0, 6, text)
    return bytes(pdf.output())


def pdf_without_text():
    """A one-page PDF with nothing written on it (as a scan without its text would read)."""
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 50, 30)
    return bytes(pdf.output())


def encrypted_pdf_bytes(password):
    """A real PDF protected by a password (pypdf's PdfWriter.encrypt)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes())))
    writer.encrypt(user_password=password, owner_password=password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def large_pdf_bytes(at_least):
    """A valid one-page PDF of at least ``at_least`` bytes: a picture of random noise, which no compression
    shrinks, fills it (fpdf2 embeds it as a Flate stream)."""
    side = math.isqrt(at_least // 3) + 8
    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    pdf = FPDF()
    pdf.add_page()
    pdf.image(image, x=10, y=10, w=100)
    data = bytes(pdf.output())
    assert len(data) >= at_least
    return data


def png_bytes():
    """A real PNG picture (to be renamed .pdf)."""
    out = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(out, format="PNG")
    return out.getvalue()


def zip_bytes():
    """A real ZIP archive holding a PDF (to be renamed .pdf)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("report.pdf", pdf_bytes())
    return out.getvalue()
