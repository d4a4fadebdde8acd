"""The register's URLs (SPEC section 6)."""

from django.contrib import admin
from django.urls import include, path

from scr_register import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("", views.home, name="home"),
    path("accounts/login/", views.SignInView.as_view(), name="login"),
    path("accounts/logout/", views.SignOutView.as_view(), name="logout"),
    path("accounts/signed-out/", views.signed_out, name="signed_out"),
    path("admin/", admin.site.urls),
    path("reviews/", include("reviews.urls")),
    path("dashboard/", include("dashboard.urls")),
]

handler500 = "scr_register.views.server_error"
