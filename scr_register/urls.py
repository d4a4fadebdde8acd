"""The register's URLs (SPEC section 6)."""

from django.contrib import admin
from django.urls import path

from scr_register import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
