"""Settings for the SCR Register: one file, every value from the environment (SPEC section 8)."""

from pathlib import Path

import environ
from django.utils.csp import CSP

from scr_register.storages import local_documents_storage, s3_documents_storage

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
if DEBUG:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="development-only-not-secret")
else:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])

INSTALLED_APPS = [
    "scr_register.apps.AdminConfig",  # django.contrib.admin with the service's admin site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.forms",  # the form renderer below finds Django's own widget templates here
    "django_filters",
    "django_htmx",
    "django_tasks_db",
    "pgtrigger",
    "scr_register.apps.AuditTrailConfig",  # pghistory, named in the admin
    "pghistory.admin",
    "rules.apps.AutodiscoverRulesConfig",
    "scr_register.apps.SignInAttemptsConfig",  # axes, named in the admin
    "django_otp",
    "scr_register.apps.TwoFactorConfig",  # django_otp.plugins.otp_totp, named in the admin
    "scr_register.apps.BackupCodesConfig",  # django_otp.plugins.otp_static, named in the admin
    "service",
    "govuk",
    "reviews",
    "dashboard",
]
# pghistory's Events page in the admin: a link naming no object is refused (reviews/admin/audit.py).
PGHISTORY_ADMIN_CLASS = "reviews.admin.audit.AuditTrailAdmin"

MIDDLEWARE = [
    "service.observability.RequestMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before the session is read: sheds exports and the dashboard when gunicorn's queue is long.
    "service.overload.BusyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "service.two_factor.TwoFactorMiddleware",
    "scr_register.middleware.SessionTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "scr_register.audit.HistoryMiddleware",  # pghistory's, also recording the user's name at the time
    "axes.middleware.AxesMiddleware",
]

# Django's cache holds the dashboard's answers, keyed by the data version the database bumps on every write
# (reviews/reporting.py). Each process has its own memory unless CACHE_URL names a shared cache (redis://...):
# production wants a shared one, so a page computed by one worker serves every worker (docs/DEPLOYMENT.md).
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

# Connections waiting at gunicorn from which exports and the dashboard answer "busy" (service/overload.py).
BUSY_QUEUE = env.int("DJANGO_BUSY_QUEUE", default=24)
# Exports running at once over the whole service (every web server, one reporting database); one more answers
# "busy" at once. Keep it below the web workers of one server, so that exports never hold all of them.
EXPORT_SLOTS = env.int("DJANGO_EXPORT_SLOTS", default=2)
# Where the beta banner's "feedback" link goes (jinja2/base.html): a mailto: address or a form's https URL.
FEEDBACK_URL = env.str("DJANGO_FEEDBACK_URL", default="mailto:scr-register@example.org")

# Mail (the action-plan reminders, SPEC sections 8 and 9): EMAIL_URL as django-environ reads it, given to Django
# as MAILERS (Django 6.1's replacement for the EMAIL_* settings, which may not be set beside it). The console by
# default, so `make run` shows mail there; smtp+tls://user:password@host:587 in production.
_email = env.email_url("EMAIL_URL", default="consolemail://")
_mailer = {"BACKEND": _email["EMAIL_BACKEND"], "OPTIONS": {}}
if _email["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend":
    _mailer["OPTIONS"] = {
        "host": _email["EMAIL_HOST"],
        "port": _email["EMAIL_PORT"],
        "username": _email["EMAIL_HOST_USER"] or "",
        "password": _email["EMAIL_HOST_PASSWORD"] or "",
        "use_tls": _email.get("EMAIL_USE_TLS", False),
        "use_ssl": _email.get("EMAIL_USE_SSL", False),
        # A server that stops answering fails that one send after this long (Django's default: wait forever).
        "timeout": 30,
    }
elif _email["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend":
    # filemail:///folder is a folder under the working directory; filemail:////var/mail/scr an absolute one.
    _mailer["OPTIONS"] = {"file_path": _email["EMAIL_FILE_PATH"]}
MAILERS = {"default": _mailer}
if not env.str("EMAIL_URL", default=""):
    # The console by default is the SPEC's (section 8), and the deploy checks pass on a fresh install: Django's
    # check for a development-only mailer speaks only once EMAIL_URL is set, to one (docs/DEPLOYMENT.md).
    SILENCED_SYSTEM_CHECKS = ["mail.E001"]
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="webmaster@localhost")
# Links in mail start with this: mail is sent by a command, with no request to take the host from.
SITE_URL = env.str("DJANGO_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

ROOT_URLCONF = "scr_register.urls"
# Every form, ours and django-filter's, has GOV.UK bound fields for the macros (govuk/forms.py).
FORM_RENDERER = "govuk.forms.GOVUKFormRenderer"
WSGI_APPLICATION = "scr_register.wsgi.application"

_CONTEXT_PROCESSORS = [
    "django.template.context_processors.request",
    "django.template.context_processors.csp",
    "django.contrib.auth.context_processors.auth",
    "django.contrib.messages.context_processors.messages",
]
# Pages are Jinja2 templates with GOV.UK's macros (docs/FRONTEND.md): jinja2/ at the root, then apps' jinja2/.
# render() tries the engines in order, so a page moves to Jinja2 when its jinja2/ template exists and its
# templates/ one is deleted. Django's engine stays for the admin and the pages not yet moved.
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "jinja2"],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "govuk.jinja2.environment",
            "context_processors": _CONTEXT_PROCESSORS,
        },
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": _CONTEXT_PROCESSORS,
        },
    },
]

# One engine everywhere: PostgreSQL. Without DATABASE_URL the project runs its own embedded server.
if env.str("DATABASE_URL", default=""):
    _default_db = env.db_url("DATABASE_URL")
else:
    from scr_register.embedded_db import database_settings

    _default_db = database_settings(BASE_DIR / ".pgdata")
_default_db["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
_default_db["CONN_HEALTH_CHECKS"] = True
# The planner's cost of reading a random page: 1.1 for SSD storage (any current managed PostgreSQL), not
# PostgreSQL's 4 for spinning disks, so that it reads an index where one answers (the register's search for
# a reference prefix: 45 ms to 31 ms). DJANGO_DB_RANDOM_PAGE_COST=4 on spinning disks.
_server_settings = [f"-c random_page_cost={env.float('DJANGO_DB_RANDOM_PAGE_COST', default=1.1)}"]
# gunicorn.conf.py sets a statement timeout for web requests; commands run without one.
if _statement_timeout := env.int("DJANGO_STATEMENT_TIMEOUT_MS", default=0):
    _server_settings.append(f"-c statement_timeout={_statement_timeout}")
_default_options = _default_db.setdefault("OPTIONS", {})
_default_options["options"] = " ".join([_default_options.get("options", ""), *_server_settings]).strip()

# Heavy reads (dashboard, exports) go through "reporting": a read replica when one is configured.
if env.str("REPORTING_DATABASE_URL", default=""):
    _reporting_db = env.db_url("REPORTING_DATABASE_URL")
else:
    _reporting_db = dict(_default_db)
_reporting_db["TEST"] = {"MIRROR": "default"}
# Reporting reads (dashboard aggregates, exports) take well under a few seconds: PostgreSQL's JIT compilation
# costs them hundreds of milliseconds a statement and saves less, so it is off on this connection only.
_reporting_options = dict(_reporting_db.get("OPTIONS", {}))
_reporting_options["options"] = f"{_reporting_options.get('options', '')} -c jit=off".strip()
# A replica serves web requests too: the same planner cost and statement timeout (a copy of "default" has them).
for _setting in _server_settings:
    if _setting.split("=")[0] not in _reporting_options["options"]:
        _reporting_options["options"] += f" {_setting}"
# ...and persistent connections like "default" (else every dashboard or export request connects anew).
_reporting_db.setdefault("CONN_MAX_AGE", _default_db["CONN_MAX_AGE"])
_reporting_db.setdefault("CONN_HEALTH_CHECKS", True)
_reporting_db["OPTIONS"] = _reporting_options
DATABASES = {"default": _default_db, "reporting": _reporting_db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
# One language, British English, and no LocaleMiddleware: translation machinery would only look up, on every
# reverse() and every translatable string, a language that never changes. Django's en_GB catalogue says
# nothing its source strings do not (only context-marked month names, the same words), and formats still
# follow LANGUAGE_CODE (en_GB's), so pages read the same.
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded documents (SPEC sections 8 and 10): never under static/, never at a public URL (MEDIA_URL is unset and
# no URL pattern serves MEDIA_ROOT; whitenoise serves STATIC_ROOT only). The review's document view streams them.
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")
S3_BUCKET = env.str("DJANGO_STORAGE_S3_BUCKET", default="")
if S3_BUCKET:
    # Private objects in S3-compatible storage through django-storages; credentials from the usual AWS_* variables.
    DOCUMENTS_STORAGE = s3_documents_storage(
        S3_BUCKET,
        endpoint_url=env.str("DJANGO_STORAGE_S3_ENDPOINT", default="") or None,
        region_name=env.str("AWS_DEFAULT_REGION", default="") or None,
    )
else:
    DOCUMENTS_STORAGE = local_documents_storage(MEDIA_ROOT)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "documents": DOCUMENTS_STORAGE,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Background work (reading a document's text): Django's tasks framework. By default a PostgreSQL-backed queue
# that `manage.py db_worker` works through (django-tasks-db; `make run` starts one); DJANGO_TASKS_IMMEDIATE=true
# runs each task inside the request that enqueues it (tests, the smallest installs).
TASKS_IMMEDIATE = env.bool("DJANGO_TASKS_IMMEDIATE", default=False)
TASKS = {
    "default": {
        "BACKEND": "django.tasks.backends.immediate.ImmediateBackend"
        if TASKS_IMMEDIATE
        else "django_tasks_db.DatabaseBackend"
    }
}

# Sign-in throttling (scr_register/lockout.py), by the client's address (PROXY_HOPS): five failures lock a
# username from that address for an hour, and twenty from one address, whatever the usernames, lock the address.
SIGN_IN_FAILURES_PER_USERNAME = 5
SIGN_IN_FAILURES_PER_ADDRESS = 20
AXES_FAILURE_LIMIT = "scr_register.lockout.failure_limit"
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_CLIENT_IP_CALLABLE = "service.observability.client_address"
AXES_HANDLER = "scr_register.lockout.LockoutHandler"  # a sign-in clears its own username's failures only
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "scr_register.lockout.lockout_response"  # registration/locked_out.html, status 429

# Sessions end after 30 minutes without a request or 8 hours after sign-in, whichever comes first
# (scr_register/middleware.py), and when the browser closes.
# Database sessions: a sign-out is seen at once by every worker and instance (the cache is per process).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_IDLE_TIMEOUT = 30 * 60
SESSION_ABSOLUTE_TIMEOUT = 8 * 60 * 60
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # __Host- cookies: only ever sent over HTTPS, to this host alone, for the whole site (no Domain).
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
# Behind the proxy the client's address is the PROXY_HOPS-th entry from the right of X-Forwarded-For (each
# proxy appends the address it received from); 0 (no proxy): REMOTE_ADDR, never a header.
PROXY_HOPS = 0
if env.bool("DJANGO_SECURE_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    PROXY_HOPS = env.int("DJANGO_PROXY_HOPS", default=1)

# Structured logs (one JSON object a line) with the request id; never review text or child details.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "service.observability.RequestIdFilter"},
        "no_query_string": {"()": "service.observability.NoQueryStringFilter"},
    },
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id", "no_query_string"],
            "formatter": env.str("DJANGO_LOG_FORMAT", default="plain" if DEBUG else "json"),
        }
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "scr_register": {"level": "INFO"},
        "scr_register.requests": {"level": env.str("DJANGO_REQUEST_LOG_LEVEL", default="INFO")},
        "reviews": {"level": "INFO"},
        "axes": {"level": "WARNING"},
        # Django's own request logger repeats every 4xx with the full URL (query string included).
        "django.request": {"level": "ERROR"},
        # Django's loggers write through the console handler alone, whose filter drops query strings (not
        # also through Django's default handlers, which would write them in full).
        "django": {"handlers": [], "level": "INFO"},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
