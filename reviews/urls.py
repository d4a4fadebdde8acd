"""URLs under /reviews/ (SPEC section 6)."""

from django.urls import path

from reviews.views import review

app_name = "reviews"

urlpatterns = [
    # The register: list, exports, saved views (reviews/views/register.py).
    # A review's own pages: new, detail, edit, submit, evaluate, history (reviews/views/review.py).
    path("new/", review.review_new, name="new"),
    path("<int:pk>/", review.review_detail, name="detail"),
    path("<int:pk>/edit/", review.review_edit, name="edit"),
    path("<int:pk>/submit/", review.review_submit, name="submit"),
    path("<int:pk>/evaluate/", review.review_evaluate, name="evaluate"),
    path("<int:pk>/history/", review.review_history, name="history"),
]
