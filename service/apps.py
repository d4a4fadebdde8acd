"""The web service's own machinery, apart from the register's domain: request logging and ids, shedding
expensive requests under overload, and the second sign-in factor. ``reviews`` and ``dashboard`` may use it;
it knows of them only by URL names and roles."""

from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = "service"
    verbose_name = "Service"

    def ready(self):
        # Imported for its side effect: it connects the failed sign-in receiver (log_failed_sign_in), whatever
        # else imports it first.
        from service import observability  # noqa: F401 (imported to connect its signal receiver)
