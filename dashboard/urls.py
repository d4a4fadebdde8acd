"""URLs under /dashboard/ (SPEC section 7)."""

from django.urls import path  # noqa: F401

app_name = "dashboard"

urlpatterns = []
