"""The register (``/reviews/``, SPEC section 6): its FilterSet, the form fields behind it, the choices it offers
and its pages. The view is in ``reviews/views/register.py``, the markup in ``jinja2/reviews/register*.html``."""
