"""URLs under /dashboard/ (SPEC sections 6 and 7)."""

from django.urls import path

from dashboard import api_actions, views

app_name = "dashboard"

urlpatterns = [
    path("", views.index, name="index"),
    path("api/summary", views.api_summary, name="api-summary"),
    path("api/judgement-rates", views.api_judgement_rates, name="api-judgement-rates"),
    path("api/actions", api_actions.api_actions, name="api-actions"),
    path("<slug:table>.csv", views.download, name="download"),
]
