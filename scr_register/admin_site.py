"""The service's Django admin site: its name, and no 500 from a NUL byte in a request.

``scr_register.apps.AdminConfig`` makes it the default site, so every app's ``admin.py`` registers with it.
"""

from functools import wraps

from django.contrib import admin
from django.core.exceptions import BadRequest

SERVICE_ADMIN = "SCR Register administration"


def has_nul(request):
    """Whether the path or query string holds a NUL byte, which PostgreSQL refuses in any text."""
    return "\x00" in request.path or any(
        "\x00" in name or any("\x00" in value for value in values) for name, values in request.GET.lists()
    )


class AdminSite(admin.AdminSite):
    site_header = SERVICE_ADMIN
    site_title = SERVICE_ADMIN
    index_title = "Administration"

    def admin_view(self, view, cacheable=False):
        """Django's checks first (signed in, staff), then a NUL byte in the request is a 400, never a 500."""

        @wraps(view)
        def refuse_nul(request, *args, **kwargs):
            if has_nul(request):
                raise BadRequest("NUL byte in an admin request")
            return view(request, *args, **kwargs)

        return super().admin_view(refuse_nul, cacheable)
