"""A review's documents (SPEC section 10): the overview report, executive summary and the rest, as PDFs kept
through Django's storage API and read back only through the review's document view."""
