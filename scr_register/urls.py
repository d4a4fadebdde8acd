"""The register's URLs (SPEC section 6)."""

from django.contrib import admin
from django.urls import include, path

from scr_register import views
from service import two_factor

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("", views.home, name="home"),
    path("accounts/login/", views.SignInView.as_view(), name="login"),
    path("accounts/logout/", two_factor.second_factor_not_required(views.SignOutView.as_view()), name="logout"),
    path("accounts/signed-out/", views.signed_out, name="signed_out"),
    path("accounts/two-factor/", two_factor.two_factor, name="two_factor"),
    path("accounts/two-factor/set-up/", two_factor.two_factor_setup, name="two_factor_setup"),
    path("admin/login/", two_factor.admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
    path("reviews/", include("reviews.urls")),
    path("actions/", include("reviews.action_urls")),
    path("dashboard/", include("dashboard.urls")),
]

handler500 = "scr_register.views.server_error"
