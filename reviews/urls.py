"""URLs under /reviews/ (SPEC section 6)."""

from django.urls import path  # noqa: F401

app_name = "reviews"

urlpatterns = [
    # The register: list, exports, saved views (reviews/views/register.py).
    # A review's own pages: new, detail, edit, submit, evaluate, history (reviews/views/review.py).
]
