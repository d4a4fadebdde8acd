"""A Django BoundField as the parameters of a govuk-frontend-jinja macro (govuk/jinja2/govuk/forms.html).

``field_params(bound_field, overrides, error_html)`` returns ``(component, params)``: which GOV.UK component
renders the field ("input", "textarea", "characterCount", "select", "radios", "checkboxes", "checkbox",
"dateInput", "fileUpload" or "hidden") and its parameters: the label from the field's label (the model's
verbose_name), the hint from ``help_text``, the error message from the field's errors, the value as Django's
widget formats it, and choices through Django's own ``BoundField.subwidgets``. Ids are Django's (``id_name``,
``id_name_0``...), so labels, the error summary's links (``GOVUKBoundField.govuk_anchor``) and tests agree.
"""

from django import forms

from govuk.forms import GOVUKDateInput, GOVUKTextField

# Widget attributes that the macros take as parameters of their own rather than as ``attributes``.
_OWN_PARAMS = {"autocomplete", "inputmode", "spellcheck"}
# Attributes that GOVUKBoundField or Django add and that the macros write themselves.
_MACRO_ATTRS = {"class", "id", "aria-describedby", "aria-invalid", "required", "maxlength"}


def _merge(params, overrides):
    """``params`` with ``overrides`` laid over it, dictionaries merged key by key (``label.classes``...)."""
    merged = dict(params)
    for key, value in (overrides or {}).items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _component(bound_field):
    widget = bound_field.field.widget
    if widget.is_hidden:
        return "hidden"
    kind = getattr(bound_field, "widget_kind", "input")
    if kind in ("radios", "checkboxes", "checkbox"):
        return kind
    if isinstance(widget, GOVUKDateInput):
        return "dateInput"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        counted = isinstance(bound_field.field, GOVUKTextField) and bound_field.field.max_length
        return "characterCount" if counted else "textarea"
    if isinstance(widget, forms.FileInput):
        return "fileUpload"
    return "input"


def _attributes(widget):
    """The widget's own attributes (``class`` aside) split into the macros' parameters and ``attributes``."""
    own, attributes = {}, {}
    for name, value in widget.attrs.items():
        if name in _MACRO_ATTRS or value is False or value is None:
            continue
        if name in _OWN_PARAMS:
            own[name] = value if name != "spellcheck" else str(value).lower() == "true"
        else:
            attributes[name] = "" if value is True else value
    return own, attributes


def _choices(bound_field, checked_key):
    """The field's options (Django's subwidgets: optgroups flattened, selection worked out by the widget)."""
    items = []
    for subwidget in bound_field.subwidgets:
        data = subwidget.data
        value = "" if data["value"] is None else str(data["value"])
        item = {"value": value, "text": str(data["label"]), checked_key: bool(data["selected"])}
        if checked_key != "selected" and subwidget.id_for_label:
            item["id"] = subwidget.id_for_label
        items.append(item)
    return items


def field_params(bound_field, overrides=None, error_html=""):
    """``(component, params)`` for ``bound_field``; ``overrides`` are merged into the params (``{"classes":
    "govuk-input--width-10", "label": {"isPageHeading": True, "classes": "govuk-label--l"}}``) and
    ``error_html`` is the field's errors as the template joined them."""
    component = _component(bound_field)
    widget = bound_field.field.widget
    field_id = bound_field.auto_id or ""
    label = str(bound_field.govuk_label if hasattr(bound_field, "govuk_label") else bound_field.label or "")
    own, attributes = _attributes(widget)
    params = {"id": field_id, "name": bound_field.html_name, **own}
    # The form group's id, as Django's field template gives it: pages link to "#<id>-group". Not for the
    # character count, whose macro in govuk-frontend-jinja 4.1.0 cannot pass form group attributes on.
    if field_id and component != "characterCount":
        params["formGroup"] = {"attributes": {"id": f"{field_id}-group"}}
    if classes := widget.attrs.get("class"):
        params["classes"] = classes
    if attributes:
        params["attributes"] = attributes
    if bound_field.help_text:
        params["hint"] = {"text": str(bound_field.help_text)}
    if bound_field.errors:
        params["errorMessage"] = {"html": error_html}

    if component == "hidden":
        params["value"] = widget.format_value(bound_field.value()) or ""
    elif component in ("radios", "checkboxes"):
        params["idPrefix"] = params.pop("id")
        params["fieldset"] = {"legend": {"text": label}}
        params["items"] = _choices(bound_field, "checked")
    elif component == "checkbox":
        params["idPrefix"] = params.pop("id")
        item = {"value": "true", "text": label, "id": field_id, "checked": bool(bound_field.value())}
        if hint := params.pop("hint", None):
            item["hint"] = hint
        params["items"] = [item]
        params["classes"] = " ".join(filter(None, ["govuk-checkboxes--small", params.get("classes")]))
    elif component == "select":
        params["label"] = {"text": label}
        params["items"] = _choices(bound_field, "selected")
    elif component == "dateInput":
        # What the user typed (a list, kept as typed when it is wrong), or the initial date.
        values = bound_field.value()
        values = values if isinstance(values, list | tuple) else widget.decompress(values)
        wrong = set(bound_field.date_error_parts) if bound_field.errors else set()
        params["fieldset"] = {"legend": {"text": label}, "role": "group"}
        params["items"] = [
            {
                "id": f"{field_id}_{index}",
                "name": f"{bound_field.html_name}_{part}",
                "label": part.capitalize(),
                "value": "" if value is None else str(value),
                "classes": " ".join(
                    filter(None, [sub.attrs.get("class"), "govuk-input--error" if part in wrong else ""])
                ),
            }
            for index, (part, value, sub) in enumerate(zip(GOVUKDateInput.PARTS, values, widget.widgets, strict=True))
        ]
    else:
        params["label"] = {"text": label}
        value = widget.format_value(bound_field.value())
        if isinstance(widget, forms.PasswordInput) and not widget.render_value:
            value = None  # a password is never sent back to the browser
        if component != "fileUpload" and value is not None:
            params["value"] = str(value)
        if component == "input":
            params["type"] = getattr(widget, "input_type", "text")
        if component == "characterCount":
            params["maxlength"] = bound_field.field.max_length
            params["textareaDescriptionText"] = bound_field.character_count_message
        if component in ("textarea", "characterCount") and "rows" in params.get("attributes", {}):
            params["rows"] = params["attributes"].pop("rows")
    return component, _merge(params, overrides)
