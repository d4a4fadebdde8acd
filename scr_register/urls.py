"""The register's URLs (SPEC section 6)."""

from django.contrib import admin
from django.urls import include, path

from scr_register import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("reviews/", include("reviews.urls")),
    path("dashboard/", include("dashboard.urls")),
]
