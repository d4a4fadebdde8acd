"""The Jinja2 environment every project page is rendered with (settings.TEMPLATES, docs/FRONTEND.md).

GOV.UK components come from one place, the govuk-frontend-jinja macros, imported by their package path:
``{% from "govuk_frontend_jinja/components/button/macro.html" import govukButton %}``. Our own macros that put
Django forms through them are in govuk/jinja2/govuk/ (``{% import "govuk/forms.html" as govuk_forms %}``).
"""

from django.conf import settings
from django.template import defaultfilters
from django.templatetags.static import static
from django.urls import reverse
from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader, pass_context

from govuk import helpers
from govuk.fields import field_params


def url(name, *args, **kwargs):
    """``{{ url("reviews:detail", review.pk) }}``: Django's ``reverse()``, positional or keyword arguments."""
    return reverse(name, args=args or None, kwargs=kwargs or None)


@pass_context
def querystring(context, **changes):
    """``{{ querystring(page=2, o=None) }}``: this request's query string with keys changed or removed."""
    return helpers.query_string(context["request"], **changes)


@pass_context
def pagination(context, page_obj, label="Results"):
    """``govukPagination(pagination(page_obj, "Pages of reviews"))``'s parameters, or None for one page."""
    return helpers.pagination(context["request"], page_obj, label)


@pass_context
def sort_state(context, key):
    """A sortable column's ``aria-sort`` and link, from the context's ``ordering`` (govuk/components.html)."""
    return helpers.sort_state(context["request"], context.get("ordering"), key)


@pass_context
def service_navigation(context):
    """The signed-in user's navigation items (nothing on pages rendered without a request)."""
    return helpers.service_navigation(context.get("request"))


def feedback_url():
    """The beta banner's feedback address (``DJANGO_FEEDBACK_URL``); needs no request, so error pages have it."""
    return settings.FEEDBACK_URL


def environment(**options):
    """Django's Jinja2 environment, finding ``govuk_frontend_jinja/...`` in the installed package as well as the
    project's jinja2/ and each app's jinja2/ folders, with the globals and filters pages use."""
    options["loader"] = ChoiceLoader(
        [
            options["loader"],  # Django's: jinja2/ at the project root, then each app's jinja2/
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]
    )
    # {% do rows.append(...) %}: the rows of a govukTable built in the template, not in Python.
    # {% cache "name", vary_on %}: Django's template fragment cache (govuk/fragments.py).
    options["extensions"] = [*options.get("extensions", []), "jinja2.ext.do", "govuk.fragments.FragmentCacheExtension"]
    options.pop("autoescape", None)  # Django's default is True: every page escapes, whatever OPTIONS say
    env = Environment(autoescape=True, **options)
    env.globals.update(
        {
            "url": url,
            "static": static,
            "querystring": querystring,
            "pagination": pagination,
            "sort_state": sort_state,
            "service_navigation": service_navigation,
            "error_summary_items": helpers.error_summary_items,
            "feedback_url": feedback_url,
            "govuk_field_params": field_params,
            "summary_rows": helpers.summary_rows,
        }
    )
    env.filters.update(
        {
            "tag_colour": helpers.tag_colour,
            "short_date": helpers.short_date,
            "govuk_modifiers": helpers.govuk_modifiers,
            # Django's own filters, for values Jinja2 has none for (dates, times, plurals, numbers).
            "date": defaultfilters.date,
            "time": defaultfilters.time,
            "yesno": defaultfilters.yesno,
            "floatformat": defaultfilters.floatformat,
            "pluralize": defaultfilters.pluralize,
            "capfirst": defaultfilters.capfirst,
            "linebreaksbr": defaultfilters.linebreaksbr,
        }
    )
    return env
