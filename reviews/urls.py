"""URLs under /reviews/ (SPEC section 6)."""

from django.urls import path

from reviews.views import (
    document_change,
    documents,
    plans,
    register,
    review,
    review_evaluate,
    review_form,
    review_submit,
)

app_name = "reviews"

urlpatterns = [
    # The register: list, exports, saved views (reviews/views/register.py).
    path("", register.RegisterView.as_view(), name="list"),
    path("export.csv", register.export_csv, name="export_csv"),
    path("export.xlsx", register.export_xlsx, name="export_xlsx"),
    path("saved/", register.saved_views, name="saved_views"),
    path("saved/new/", register.saved_view_new, name="saved_view_new"),
    path("saved/<int:pk>/", register.saved_view_open, name="saved_view_open"),
    path("saved/<int:pk>/delete/", register.saved_view_delete, name="saved_view_delete"),
    # A review's own pages: new, detail, edit, submit, evaluate, history (reviews/views/review*.py).
    path("new/", review_form.review_new, name="new"),
    path("<int:pk>/", review.review_detail, name="detail"),
    path("<int:pk>/edit/", review_form.review_edit, name="edit"),
    path("<int:pk>/submit/", review_submit.review_submit, name="submit"),
    path("<int:pk>/evaluate/", review_evaluate.review_evaluate, name="evaluate"),
    path("<int:pk>/history/", review.review_history, name="history"),
    # The review's action plan, kept by its lead board at any status (reviews/views/plans.py).
    path("<int:pk>/actions/", plans.plan, name="plan"),
    path("<int:pk>/actions/recommendations/new/", plans.recommendation_new, name="recommendation_new"),
    path("<int:pk>/actions/recommendations/<int:number>/", plans.recommendation_edit, name="recommendation_edit"),
    path("<int:pk>/actions/recommendations/<int:number>/actions/new/", plans.action_new, name="action_new"),
    path("<int:pk>/actions/<int:number>.<int:action_number>/", plans.action_edit, name="action_edit"),
    # The review's documents: read with the review; uploaded, replaced and deleted by the lead board at any
    # status (reviews/views/documents.py, document_change.py).
    path("<int:pk>/documents/", documents.document_list, name="documents"),
    path("<int:pk>/documents/<int:doc_id>/", documents.document_download, name="document_download"),
    path("<int:pk>/documents/<int:doc_id>/replace/", document_change.document_replace, name="document_replace"),
    path("<int:pk>/documents/<int:doc_id>/delete/", document_change.document_delete, name="document_delete"),
]
