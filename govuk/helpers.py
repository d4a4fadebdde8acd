"""Plain functions that pages call: the Jinja2 environment (govuk/jinja2.py) makes them globals and filters.

They return data (strings, dicts, lists) that the GOV.UK macros render; none of them builds HTML.

- ``error_summary_items(form, formset, [(field id, message)], ...)``: every error on a page as the error
  summary's ``errorList`` (``{"href", "text"}``), each linking to its field.
- ``query_string(request, page=2, o=None)``: the request's query string with some keys changed (``None``
  removes one), as Django's ``{% querystring %}`` makes it; links that keep the filters.
- ``pagination(request, page_obj, label)``: the parameters of ``govukPagination`` for a page of a list
  (``pagination_params(page_obj, href, label)`` when the links are not the request's query string).
- ``sort_state(request, ordering, key)``: a sortable column's ``aria-sort`` and the link that sorts by it.
- ``service_navigation(request)``: the signed-in user's navigation items by role (``govukServiceNavigation``).
- ``summary_rows(rows, change_url)``: rows of ``{"key", "value", ...}`` as ``govukSummaryList``'s rows.
- ``tag_colour(value)``: the GOV.UK tag colour for a judgement or status slug.
- ``govuk_modifiers(classes, prefix)``: the modifier classes in a class list (" govuk-radios--inline").
"""

from urllib.parse import urlencode

from django import forms
from django.forms.formsets import BaseFormSet
from django.urls import reverse

from reviews import roles


def _form_errors(form):
    items = []
    anchor = getattr(form, "non_field_error_anchor", "")
    for error in form.non_field_errors():
        items.append({"href": f"#{anchor}" if anchor else "", "text": error})
    for bound_field in form:
        # A hidden field (a page number carried in links) has nothing on the page to go to: its error is text.
        anchor = (
            ""
            if bound_field.is_hidden
            else (getattr(bound_field, "govuk_anchor", "") or bound_field.id_for_label or bound_field.auto_id)
        )
        for error in bound_field.errors:
            items.append({"href": f"#{anchor}" if anchor else "", "text": error})
    return items


def _errors_from(source):
    if source is None or source == "":
        return []
    if isinstance(source, BaseFormSet):
        anchor = getattr(source, "non_form_error_anchor", "")
        items = [{"href": f"#{anchor}" if anchor else "", "text": error} for error in source.non_form_errors()]
        for form in source.forms:
            items.extend(_form_errors(form))
        return items
    if isinstance(source, forms.BaseForm):
        return _form_errors(source)
    if isinstance(source, list | tuple):
        if len(source) == 2 and all(isinstance(part, str) for part in source):
            field_id, message = source
            return [{"href": f"#{field_id}" if field_id else "", "text": message}]
        return [item for part in source for item in _errors_from(part)]
    return []


def error_summary_items(*sources):
    """Every error in the given forms, formsets and (field id, message) pairs, in page order.

    Anything else (a missing context variable, ``None``) gives no errors, so a page may pass what it has.
    """
    return [item for source in sources for item in _errors_from(source)]


def query_string(request, **changes):
    """The request's query string with ``changes`` (``None`` removes a key), as ``{% querystring %}`` makes it:
    the same keys in the same order, encoded alike. The query's lists are read once per request (a page has
    twenty such links), not copied into a new QueryDict for each."""
    cached = getattr(request, "_govuk_query", None)
    if cached is None or cached[0] is not request.GET:
        cached = request._govuk_query = (request.GET, dict(request.GET.lists()))
    params = dict(cached[1])
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = [value]
    return "?" + urlencode([(key, value) for key, values in params.items() for value in values])


def page_range(page_obj, on_each_side=1, on_ends=1):
    """Page numbers around the current page for GOV.UK pagination; ``None`` marks an ellipsis."""
    paginator = page_obj.paginator
    return [
        None if number == paginator.ELLIPSIS else number
        for number in paginator.get_elided_page_range(page_obj.number, on_each_side=on_each_side, on_ends=on_ends)
    ]


def pagination(request, page_obj, label="Results"):
    """``govukPagination``'s parameters for ``page_obj``: links keep the query string (filters, ordering) and
    change only ``page``. ``None`` when there is one page (the page shows no pagination)."""
    return pagination_params(page_obj, lambda number: query_string(request, page=number), label)


def pagination_params(page_obj, href, label="Results"):
    """``govukPagination``'s parameters for ``page_obj``, each page's link ``href(number)``; ``None`` when there
    is one page. For pages whose links are made from their own filters rather than the request's query string."""
    if page_obj is None or not page_obj.has_other_pages():
        return None
    items = [
        {"ellipsis": True}
        if number is None
        else {"number": number, "href": href(number), "current": number == page_obj.number}
        for number in page_range(page_obj)
    ]
    params = {"items": items, "landmarkLabel": label}
    if page_obj.has_previous():
        params["previous"] = {"href": href(page_obj.previous_page_number())}
    if page_obj.has_next():
        params["next"] = {"href": href(page_obj.next_page_number())}
    return params


def sort_state(request, ordering, key):
    """A sortable column (MOJ's sortable table, sorted on the server): ``{"sort", "href"}``.

    ``ordering`` is the list's current sort key (after the form has checked it); ``key`` is the one this
    column sorts by ("-key" descending). ``sort`` is the column's ``aria-sort``; ``href`` sets ``o`` (and
    drops ``page``), reversing the order when the list is already sorted by this column.
    """
    descending = f"-{key}"
    sort = "ascending" if ordering == key else "descending" if ordering == descending else "none"
    return {"sort": sort, "href": query_string(request, o=descending if ordering == key else key, page=None)}


# Navigation by role: (text, URL name).
# "Actions" (the action tracker) for every role that reads actions: each role's group holds view_action.
NAVIGATION = {
    roles.BOARD_STAFF: [("Our reviews", "reviews:list"), ("Log a review", "reviews:new"), ("Actions", "actions:list")],
    roles.INSPECTOR: [("Register", "reviews:list"), ("Actions", "actions:list"), ("Dashboard", "dashboard:index")],
    roles.MANAGER: [("Dashboard", "dashboard:index"), ("Register", "reviews:list"), ("Actions", "actions:list")],
    roles.ADMIN: [
        ("Register", "reviews:list"),
        ("Actions", "actions:list"),
        ("Dashboard", "dashboard:index"),
        ("Admin", "admin:index"),
    ],
}


def service_navigation(request):
    """The signed-in user's navigation items for ``govukServiceNavigation``: text, href, and ``current`` (this
    page) or ``active`` (a page in this section). None for a request without a signed-in user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    links = [(text, reverse(name)) for text, name in NAVIGATION.get(roles.role_of(user), [])]
    path = request.path
    # The longest link that the path starts with is the current section; an exact match is the current page.
    best = max((href for _, href in links if path.startswith(href)), key=len, default=None)
    return [
        {"text": text, "href": href, "current": href == best and path == href, "active": href == best}
        for text, href in links
    ]


def summary_rows(rows, change_url=None):
    """``govukSummaryList``'s rows from plain ones: ``{"key": "Title", "value": review.title}`` with, optionally,
    ``"empty"`` (shown for an empty value: "Not recorded" by default; 0 is a value), ``"html"`` in place of
    ``"value"`` (markup made by the template: ``components.prewrap(text)`` keeps line breaks) and
    ``"anchor"`` (with ``change_url``, a "Change" link to ``change_url + anchor``, naming the row's key to
    screen readers)."""
    result = []
    for row in rows:
        if "html" in row:  # markup the template made (components.prewrap)
            item = {"key": {"text": row["key"]}, "value": {"html": row["html"]}}
        else:
            value = row.get("value")
            shown = value if value or value == 0 else row.get("empty", "Not recorded")
            item = {"key": {"text": row["key"]}, "value": {"text": shown}}
        if change_url and row.get("anchor"):
            href = f"{change_url}{row['anchor']}"
            item["actions"] = {"items": [{"href": href, "text": "Change", "visuallyHiddenText": row["key"].lower()}]}
        result.append(item)
    return result


TAG_COLOURS = {
    "outstanding": "green",
    "good": "green",
    "adequate": "yellow",
    "inadequate": "red",
    "draft": "grey",
    "submitted": "blue",
    "evaluated": "turquoise",
    # An action's status (reviews.plans.Action.Status).
    "not_started": "grey",
    "in_progress": "light-blue",
    "completed": "green",
    "withdrawn": "orange",
}


def short_date(value):
    """A date as the register's tables show it, "3 Mar 2008": a filter rather than a macro, as a table calls it
    for every row."""
    return f"{value.day} {value:%b %Y}"


def tag_colour(value):
    """The GOV.UK tag colour for a judgement or review status slug (grey for anything else)."""
    return TAG_COLOURS.get(str(value), "grey")


def govuk_modifiers(classes, prefix):
    """The classes in ``classes`` that start with ``prefix``, each after a space (or "")."""
    modifiers = [name for name in str(classes or "").split() if name.startswith(prefix)]
    return "".join(f" {name}" for name in modifiers)
