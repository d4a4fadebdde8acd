"""URLs under /actions/: the action tracker and its export (SPEC section 9; reviews/views/tracker.py)."""

from django.urls import path

from reviews.views import tracker

app_name = "actions"

urlpatterns = [
    path("", tracker.tracker, name="list"),
    path("export.csv", tracker.export_csv, name="export_csv"),
]
