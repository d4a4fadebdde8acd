"""Real PDFs for the document tests, made with fpdf2 (never hand-written bytes)."""

from fpdf import FPDF


def pdf_bytes(text="Overview report of a serious case review.", *, pages=1):
    """A PDF whose pages carry ``text`` (Helvetica, so Latin-1 text only)."""
    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    for _ in range(pages):
        pdf.add_page()
        pdf.multi_cell(0, 6, text)
    return bytes(pdf.output())
