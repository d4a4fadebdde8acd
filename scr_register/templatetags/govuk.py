"""Template helpers for GOV.UK components in Django templates: ``{% load govuk %}`` (settings' TEMPLATES libraries).

The pages not yet moved to Jinja2 use these; Jinja2 pages call govuk/helpers.py's functions and the
govuk-frontend-jinja macros instead (docs/FRONTEND.md). Delete this module when no Django template loads it.

- ``{% error_summary_items form formset ... as items %}``: every error on the page as ``{"href", "text"}``,
  each linking to its field (see includes/error_summary.html). Takes forms, formsets, lists of them, and
  lists of ``(field id, message)`` pairs.
- ``{% sortable_header "Reference" "reference" %}``: a table header cell that sorts the list on the server.
- ``{% pagination page_obj "Pages of reviews" %}``: GOV.UK pagination whose links keep the query string.
- ``{% service_navigation as items %}``: the signed-in user's navigation links by role (base.html).
- ``{% feedback_url %}``: where the beta banner's feedback link goes (settings.FEEDBACK_URL, base.html).
- ``{{ value|tag_colour }}``: the GOV.UK tag colour for a judgement or status slug.
- ``{{ classes|govuk_modifiers:"govuk-radios--" }}``: the modifier classes in a class list (" govuk-radios--inline").
"""

from django import template
from django.conf import settings
from django.utils.html import format_html, format_html_join

from govuk import helpers
from govuk.helpers import page_range, query_string

register = template.Library()


@register.simple_tag
def error_summary_items(*sources):
    """Every error in the given forms, formsets and (field id, message) pairs, in page order."""
    return helpers.error_summary_items(*sources)


@register.simple_tag(takes_context=True)
def sortable_header(context, label, key, numeric=False):
    """A table header cell that sorts the list on the server: a link that sets ``o`` (and drops ``page``),
    with ``aria-sort`` telling screen readers how the column is sorted now (as MOJ's sortable table does).
    Clicking a sorted column reverses it. ``ordering`` in the context is the list's current sort key (after
    the form has checked it); ``key`` is the one this column sorts by ("-key" descending). Built here rather
    than by an include: the register has five of them on every page."""
    ordering = context.get("ordering")
    descending = f"-{key}"
    sort = "ascending" if ordering == key else "descending" if ordering == descending else "none"
    href = query_string(context["request"], o=descending if ordering == key else key, page=None)
    return format_html(
        '<th scope="col" class="govuk-table__header{}" aria-sort="{}">'
        '<a class="govuk-link govuk-link--no-visited-state" href="{}">{}</a></th>',
        " govuk-table__header--numeric" if numeric else "",
        sort,
        href,
        label,
    )


_PREV_ICON = (
    '<svg class="govuk-pagination__icon govuk-pagination__icon--prev" xmlns="http://www.w3.org/2000/svg" '
    'height="13" width="15" aria-hidden="true" focusable="false" viewBox="0 0 15 13"><path d="m6.5938-0.0078125'
    '-6.7266 6.7266 6.7441 6.4062 1.377-1.449-4.1856-3.9768h12.896v-2h-12.984l4.2931-4.293-1.414-1.414z"></path></svg>'
)
_NEXT_ICON = (
    '<svg class="govuk-pagination__icon govuk-pagination__icon--next" xmlns="http://www.w3.org/2000/svg" '
    'height="13" width="15" aria-hidden="true" focusable="false" viewBox="0 0 15 13"><path d="m8.107-0.0078125'
    '-1.4136 1.414 4.2926 4.293h-12.986v2h12.896l-4.1855 3.9766 1.377 1.4492 6.7441-6.4062-6.7246-6.7266z">'
    "</path></svg>"
)


@register.simple_tag(takes_context=True)
def pagination(context, page_obj, label="Results"):
    """GOV.UK pagination for a list: links keep the query string (filters, ordering) and change only ``page``;
    nothing when there is one page. Built here rather than by an include, with the icons once."""
    if page_obj is None or not page_obj.has_other_pages():
        return ""
    request = context["request"]
    parts = []
    if page_obj.has_previous():
        parts.append(
            format_html(
                '<div class="govuk-pagination__prev"><a class="govuk-link govuk-pagination__link" href="{}" '
                'rel="prev">' + _PREV_ICON + '<span class="govuk-pagination__link-title">Previous'
                '<span class="govuk-visually-hidden"> page</span></span></a></div>',
                query_string(request, page=page_obj.previous_page_number()),
            )
        )
    items = []
    for number in page_range(page_obj):
        if number is None:
            items.append(
                format_html('<li class="govuk-pagination__item govuk-pagination__item--ellipses">{}</li>', "⋯")
            )
            continue
        current = number == page_obj.number
        items.append(
            format_html(
                '<li class="govuk-pagination__item{}"><a class="govuk-link govuk-pagination__link" href="{}" '
                'aria-label="Page {}"{}>{}</a></li>',
                " govuk-pagination__item--current" if current else "",
                query_string(request, page=number),
                number,
                format_html(' aria-current="{}"', "page") if current else "",
                number,
            )
        )
    parts.append(
        format_html('<ul class="govuk-pagination__list">{}</ul>', format_html_join("", "{}", ((i,) for i in items)))
    )
    if page_obj.has_next():
        parts.append(
            format_html(
                '<div class="govuk-pagination__next"><a class="govuk-link govuk-pagination__link" href="{}" '
                'rel="next"><span class="govuk-pagination__link-title">Next<span class="govuk-visually-hidden">'
                " page</span></span>" + _NEXT_ICON + "</a></div>",
                query_string(request, page=page_obj.next_page_number()),
            )
        )
    return format_html(
        '<nav class="govuk-pagination" aria-label="{}">{}</nav>',
        label,
        format_html_join("", "{}", ((p,) for p in parts)),
    )


@register.simple_tag(takes_context=True)
def service_navigation(context):
    """The signed-in user's navigation items: dicts of text, href and current ("page", "true" or "")."""
    return [
        {**item, "current": "page" if item["current"] else "true" if item["active"] else ""}
        for item in helpers.service_navigation(context.get("request"))
    ]


@register.simple_tag
def feedback_url():
    """The beta banner's feedback address (``DJANGO_FEEDBACK_URL``); needs no request, so error pages have it too."""
    return settings.FEEDBACK_URL


@register.filter
def tag_colour(value):
    """The GOV.UK tag colour for a judgement or review status slug (grey for anything else)."""
    return helpers.tag_colour(value)


@register.filter
def govuk_modifiers(classes, prefix):
    """The classes in ``classes`` that start with ``prefix``, each after a space (or "")."""
    return helpers.govuk_modifiers(classes, prefix)
