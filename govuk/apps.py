from django.apps import AppConfig


class GovukConfig(AppConfig):
    """GOV.UK Design System pages: the Jinja2 environment, form fields and the macros that render them."""

    name = "govuk"
    verbose_name = "GOV.UK components"
