"""WSGI entry point: production runs ``gunicorn scr_register.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scr_register.settings")
application = get_wsgi_application()
