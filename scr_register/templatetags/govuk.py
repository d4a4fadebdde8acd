"""Template helpers for GOV.UK components: ``{% load govuk %}`` (registered in settings' TEMPLATES libraries).

- ``{% error_summary_items form formset ... as items %}``: every error on the page as ``{"href", "text"}``,
  each linking to its field (see includes/error_summary.html). Takes forms, formsets, lists of them, and
  lists of ``(field id, message)`` pairs.
- ``{% page_range page_obj as pages %}``: page numbers for GOV.UK pagination, ``None`` for an ellipsis.
- ``{% service_navigation as items %}``: the signed-in user's navigation links by role (base.html).
- ``{{ value|tag_colour }}``: the GOV.UK tag colour for a judgement or status slug.
- ``{{ classes|govuk_modifiers:"govuk-radios--" }}``: the modifier classes in a class list (" govuk-radios--inline").
"""

from django import forms, template
from django.forms.formsets import BaseFormSet

from reviews import roles

register = template.Library()


def _form_errors(form):
    items = []
    anchor = getattr(form, "non_field_error_anchor", "")
    for error in form.non_field_errors():
        items.append({"href": f"#{anchor}" if anchor else "", "text": error})
    for bound_field in form:
        anchor = getattr(bound_field, "govuk_anchor", "") or bound_field.id_for_label or bound_field.auto_id
        for error in bound_field.errors:
            items.append({"href": f"#{anchor}" if anchor else "", "text": error})
    return items


def _errors_from(source):
    if source is None or source == "":
        return []
    if isinstance(source, BaseFormSet):
        items = [{"href": "", "text": error} for error in source.non_form_errors()]
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


@register.simple_tag
def error_summary_items(*sources):
    """Every error in the given forms, formsets and (field id, message) pairs, in page order."""
    return [item for source in sources for item in _errors_from(source)]


@register.simple_tag
def page_range(page_obj, on_each_side=1, on_ends=1):
    """Page numbers around the current page for GOV.UK pagination; ``None`` marks an ellipsis."""
    paginator = page_obj.paginator
    return [
        None if number == paginator.ELLIPSIS else number
        for number in paginator.get_elided_page_range(page_obj.number, on_each_side=on_each_side, on_ends=on_ends)
    ]


# Navigation by role: (text, path). Plain paths, so the shell never depends on other apps' URL names.
NAVIGATION = {
    roles.BOARD_STAFF: [("Our reviews", "/reviews/"), ("Log a review", "/reviews/new/")],
    roles.INSPECTOR: [("Register", "/reviews/"), ("Dashboard", "/dashboard/")],
    roles.MANAGER: [("Dashboard", "/dashboard/"), ("Register", "/reviews/")],
    roles.ADMIN: [("Register", "/reviews/"), ("Dashboard", "/dashboard/"), ("Admin", "/admin/")],
}


@register.simple_tag(takes_context=True)
def service_navigation(context):
    """The signed-in user's navigation items: dicts of text, href and current ("page", "true" or "")."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    links = NAVIGATION.get(roles.role_of(user), [])
    path = request.path
    # The longest link that the path starts with is the current section; an exact match is the current page.
    best = max((href for _, href in links if path.startswith(href)), key=len, default=None)
    return [
        {"text": text, "href": href, "current": ("page" if path == href else "true") if href == best else ""}
        for text, href in links
    ]


TAG_COLOURS = {
    "outstanding": "green",
    "good": "green",
    "adequate": "yellow",
    "inadequate": "red",
    "draft": "grey",
    "submitted": "blue",
    "evaluated": "turquoise",
}


@register.filter
def tag_colour(value):
    """The GOV.UK tag colour for a judgement or review status slug (grey for anything else)."""
    return TAG_COLOURS.get(str(value), "grey")


@register.filter
def govuk_modifiers(classes, prefix):
    """The classes in ``classes`` that start with ``prefix``, each after a space (or "")."""
    modifiers = [name for name in str(classes or "").split() if name.startswith(prefix)]
    return "".join(f" {name}" for name in modifiers)
