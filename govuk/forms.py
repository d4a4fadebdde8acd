"""GOV.UK Design System markup for every Django form, and the GOV.UK date input.

``FORM_RENDERER = "govuk.forms.GOVUKFormRenderer"`` makes every form in the project (ours, the admin's
filters aside, and django-filter's) render GOV.UK markup without any per-form work:

- ``templates/django/forms/field.html``: a ``govuk-form-group`` (``--error`` when the field has errors) with a
  ``govuk-label`` tied to the input (``for`` = its id), a ``govuk-hint`` (id ``<field id>_helptext``), one
  ``govuk-error-message`` (id ``<field id>_error``, "Error:" visually hidden) and the input, whose
  ``aria-describedby`` names the hint and the error. Radios, checkboxes and date inputs sit in a
  ``govuk-fieldset`` with a legend, and the fieldset carries ``aria-describedby``.
- ``GOVUKBoundField`` puts the GOV.UK classes on each widget (``govuk-input``, ``govuk-select``,
  ``govuk-textarea``, ``govuk-radios__input``, ``govuk-checkboxes__input``, ``govuk-file-upload``, and their
  ``--error`` modifiers), keeping any class the form gave the widget (``govuk-input--width-10``...), and drops
  the HTML ``required`` attribute: the server validates, with GOV.UK's messages, not the browser's.
  ``bound_field.govuk_anchor`` is the id the error summary links to (the first radio, the day input...).
- ``templates/includes/error_summary.html`` (Django templates) and ``govuk_forms.error_summary`` (Jinja2,
  govuk/jinja2/govuk/forms.html) list a page's errors, each linking to its field.
- A ``GOVUKTextField`` with a ``max_length`` gets GOV.UK's character count: the ``govuk-character-count``
  module on its form group (``data-maxlength``), ``govuk-js-character-count`` on the textarea and the count
  message (id ``<field id>-info``), which the textarea's ``aria-describedby`` names.

Form options (class attributes, all optional):

- ``govuk_mark_optional = True`` adds " (optional)" to the labels of fields that are not required.
- ``non_field_error_anchor = "id_username"`` makes the error summary link non-field errors to that id.

Fields and widgets:

- ``GOVUKDateField(error_name="date of decision", min_date=..., max_date=..., not_in_future=True)``: the
  three-input GOV.UK date pattern. It returns a ``datetime.date`` (or ``None`` when optional and empty),
  re-renders exactly what the user typed on error, accepts month names ("Feb", "february"), and says what
  to fix in GOV.UK's words: "Enter the date of decision", "Date of decision must include a month",
  "Date of decision must be a real date", "Year must include 4 numbers", "Date of decision must be today or
  in the past". Only the inputs at fault get the error style.
- ``GOVUKTextField(max_length=5000)``: free text in a textarea, with GOV.UK's character count; line breaks
  kept as LF (browsers send CR LF, the count counts one), and no ``maxlength`` attribute (a browser would cut
  pasted text short without a word: the count says how far over it is, and the server refuses it).
- ``GOVUKDateInput``: its widget (a ``MultiWidget`` named ``<name>_day``, ``<name>_month``, ``<name>_year``;
  ids ``<id>_0``, ``<id>_1``, ``<id>_2``).
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.forms.renderers import BaseRenderer
from django.forms.utils import ErrorList, pretty_name
from django.template import engines
from django.utils.formats import date_format
from django.utils.text import capfirst

# Widget -> GOV.UK class for the element the user types into or picks from.
# Order matters: CheckboxSelectMultiple is a RadioSelect; CheckboxInput and FileInput are Inputs.
_INPUT_CLASSES = [
    (forms.CheckboxSelectMultiple, "govuk-checkboxes__input", None),
    (forms.RadioSelect, "govuk-radios__input", None),
    (forms.CheckboxInput, "govuk-checkboxes__input", None),
    (forms.Select, "govuk-select", "govuk-select--error"),  # SelectMultiple and NullBooleanSelect too
    (forms.Textarea, "govuk-textarea", "govuk-textarea--error"),
    (forms.FileInput, "govuk-file-upload", "govuk-file-upload--error"),
    (forms.widgets.Input, "govuk-input", "govuk-input--error"),
]


def _govuk_classes(widget, has_errors):
    """The GOV.UK classes for a widget, or () for widgets that style themselves (hidden, date input)."""
    if widget.is_hidden or isinstance(widget, forms.MultiWidget):
        return ()
    for widget_class, css_class, error_class in _INPUT_CLASSES:
        if isinstance(widget, widget_class):
            return (css_class, error_class) if has_errors and error_class else (css_class,)
    return ()


class GOVUKBoundField(BoundField):
    """A bound field that renders its widget with GOV.UK classes and knows where its errors link to."""

    def build_widget_attrs(self, attrs, widget=None):
        widget = widget or self.field.widget
        attrs = super().build_widget_attrs(attrs, widget)
        attrs.pop("required", None)
        classes = [*_govuk_classes(widget, bool(self.errors)), widget.attrs.get("class", ""), attrs.get("class", "")]
        if self.character_count:
            classes.append("govuk-js-character-count")
        if joined := " ".join(c for c in classes if c):
            attrs["class"] = joined
        if isinstance(widget, GOVUKDateInput) and self.errors:
            attrs[GOVUKDateInput.ERROR_PARTS_ATTR] = self.date_error_parts
        return attrs

    @property
    def aria_describedby(self):
        """Django's (the hint, the error), and the character count's message when there is one."""
        described_by = super().aria_describedby
        if described_by is not None and self.character_count:
            return f"{self.auto_id}-info {described_by}".strip()
        return described_by

    @property
    def character_count(self):
        """The most characters a ``GOVUKTextField`` takes, for GOV.UK's character count (field.html), or None."""
        if self.auto_id and isinstance(self.field, GOVUKTextField):
            return self.field.max_length
        return None

    @property
    def character_count_message(self):
        """What the page says before its script runs (and what a screen reader hears): the limit."""
        return f"You can enter up to {self.character_count:,} characters"

    @property
    def errors(self):
        """The field's errors, with Django's "This field is required." said the GOV.UK way ("Enter title")."""
        errors = super().errors
        if not errors:  # most fields on most pages: no translation to look up
            return errors
        default = str(forms.Field.default_error_messages["required"])
        if not any(str(message) == default for message in errors):
            return errors
        verb = "Enter" if self.widget_kind == "input" and not isinstance(self.field.widget, forms.Select) else "Select"
        label = str(self.label or self.name)
        if len(label) > 1 and not label[1].isupper():
            label = label[0].lower() + label[1:]
        wanted = f"{verb} {label}"
        return ErrorList(
            [wanted if str(text) == default else data for text, data in zip(errors, errors.as_data(), strict=True)],
            renderer=self.form.renderer,
            field_id=self.auto_id,
        )

    @property
    def date_error_parts(self):
        """The parts (day, month, year) of a date input that its errors are about: all of them by default."""
        parts = set()
        for error in self.errors.as_data():
            parts.update((error.params or {}).get("parts", GOVUKDateInput.PARTS))
        return [part for part in GOVUKDateInput.PARTS if part in parts]

    @property
    def widget_kind(self):
        """How field.html lays the field out: "radios", "checkboxes", "checkbox", "date" or "input"."""
        widget = self.field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple):
            return "checkboxes"
        if isinstance(widget, forms.RadioSelect):
            return "radios"
        if isinstance(widget, forms.CheckboxInput):
            return "checkbox"
        if isinstance(widget, GOVUKDateInput):
            return "date"
        return "input"

    @property
    def govuk_anchor(self):
        """The id an error summary links to: the first radio or checkbox, the first wrong date part, the input."""
        if not self.auto_id:
            return ""
        kind = self.widget_kind
        if kind in ("radios", "checkboxes"):
            return f"{self.auto_id}_0"
        if kind == "date":
            parts = self.date_error_parts if self.errors else GOVUKDateInput.PARTS
            return f"{self.auto_id}_{GOVUKDateInput.PARTS.index(parts[0])}"
        return self.id_for_label or self.auto_id

    @property
    def govuk_label(self):
        """The label text, with " (optional)" when the form asks for it and the field is optional."""
        label = self.label or ""
        marks_optional = getattr(self.form, "govuk_mark_optional", False)
        if marks_optional and not self.field.required and self.widget_kind != "checkbox":
            return f"{label} (optional)"
        return label


class GOVUKFormRenderer(BaseRenderer):
    """Renders every form with the project's templates (templates/django/forms/) and GOVUKBoundField.

    Always through Django's template engine: the Jinja2 engine comes first in settings.TEMPLATES and would
    otherwise find Django's own Jinja2 copies of these names (django/forms/jinja2/) before ours. Jinja2 pages
    render fields with govuk/jinja2/govuk/forms.html's macros rather than through this renderer.
    """

    form_template_name = "django/forms/govuk.html"
    formset_template_name = "django/forms/formsets/govuk.html"
    field_template_name = "django/forms/field.html"
    bound_field_class = GOVUKBoundField

    def get_template(self, template_name):
        return engines["django"].get_template(template_name)


class GOVUKTextField(forms.CharField):
    """Free text typed in a textarea, shown with GOV.UK's character count when it has a ``max_length``.

    Browsers send each line break as CR LF, but count it (as GOV.UK's character count does) as one
    character: line breaks are kept as LF, so the limit the page counts down to is the one checked here.
    """

    widget = forms.Textarea

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n") if value else value

    def widget_attrs(self, widget):
        # No maxlength: a browser would cut pasted text short without a word. The character count says how
        # far over the text is, and the server refuses it with everything typed kept.
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs


class GOVUKDateInput(forms.MultiWidget):
    """GOV.UK's date input: day, month and year in three text inputs, inside a fieldset."""

    template_name = "django/forms/widgets/govuk_date.html"
    PARTS = ("day", "month", "year")
    ERROR_PARTS_ATTR = "data-govuk-error-parts"  # set by GOVUKBoundField, read (and removed) here

    def __init__(self, attrs=None):
        widgets = {
            "day": forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-2"}),
            "month": forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-2"}),
            "year": forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-4"}),
        }
        super().__init__(widgets, attrs)

    def decompress(self, value):
        if isinstance(value, datetime.date):
            return [value.day, value.month, value.year]
        return [None, None, None]

    def get_context(self, name, value, attrs):
        attrs = dict(attrs or {})
        error_parts = attrs.pop(self.ERROR_PARTS_ATTR, ())
        attrs.pop("aria-invalid", None)
        attrs.pop("class", None)
        context = super().get_context(name, value, attrs)
        for part, subwidget in zip(self.PARTS, context["widget"]["subwidgets"], strict=True):
            sub_attrs = subwidget["attrs"]
            classes = ["govuk-input", "govuk-date-input__input", sub_attrs.get("class", "")]
            if part in error_parts:
                classes.append("govuk-input--error")
                sub_attrs["aria-invalid"] = "true"
            sub_attrs["class"] = " ".join(c for c in classes if c)
            subwidget["part"] = part
            subwidget["label"] = capfirst(part)
        return context


_MONTH_NAMES = {}
for _number in range(1, 13):
    _name = datetime.date(2000, _number, 1).strftime("%B").lower()
    _MONTH_NAMES[_name] = _MONTH_NAMES[_name[:3]] = _number
_MONTH_NAMES["sept"] = 9


class GOVUKDateField(forms.Field):
    """A date typed as day, month and year (GOV.UK's date input), with GOV.UK's error messages.

    ``error_name`` is how messages name the date ("date of decision"); it defaults to the field's label.
    ``min_date``/``max_date`` bound the date; ``not_in_future=True`` refuses dates after today.
    """

    widget = GOVUKDateInput

    def __init__(self, *, error_name=None, min_date=None, max_date=None, not_in_future=False, **kwargs):
        self.error_name = error_name
        self.min_date = min_date
        self.max_date = max_date
        self.not_in_future = not_in_future
        super().__init__(**kwargs)

    def get_bound_field(self, form, field_name):
        # Remember the form's name for the field, so messages can name a field declared without a label.
        self._field_name = pretty_name(field_name)
        return super().get_bound_field(form, field_name)

    def _name(self):
        return str(self.error_name or self.label or getattr(self, "_field_name", None) or "date")

    def _error(self, message, code, parts=GOVUKDateInput.PARTS):
        return ValidationError(message, code=code, params={"parts": tuple(parts)})

    def to_python(self, value):
        if isinstance(value, datetime.date):
            return value
        if value in self.empty_values:
            return None
        if not isinstance(value, list | tuple) or len(value) != 3:
            raise self._error(f"{capfirst(self._name())} must be a real date", "invalid")
        day, month, year = (str(part if part is not None else "").strip() for part in value)
        if not (day or month or year):
            return None
        missing = [part for part, text in zip(GOVUKDateInput.PARTS, (day, month, year), strict=True) if not text]
        if missing:
            wanted = " and ".join(missing)
            raise self._error(f"{capfirst(self._name())} must include a {wanted}", "incomplete", missing)
        month_number = _MONTH_NAMES.get(month.lower().rstrip("."), month)
        wrong = [
            part
            for part, text in zip(GOVUKDateInput.PARTS, (day, str(month_number), year), strict=True)
            if not text.isdecimal()
        ]
        if wrong:
            raise self._error(f"{capfirst(self._name())} must be a real date", "invalid", wrong)
        if len(year) != 4:
            raise self._error("Year must include 4 numbers", "invalid_year", ["year"])
        try:
            return datetime.date(int(year), int(month_number), int(day))
        except (ValueError, OverflowError):
            raise self._error(f"{capfirst(self._name())} must be a real date", "invalid") from None

    def validate(self, value):
        if value is None and self.required:
            raise self._error(f"Enter the {self._name()}", "required")
        if value is None:
            return
        name = capfirst(self._name())
        if self.not_in_future and value > datetime.date.today():
            raise self._error(f"{name} must be today or in the past", "future")
        if self.min_date and value < self.min_date:
            raise self._error(f"{name} must be the same as or after {date_format(self.min_date, 'j F Y')}", "min")
        if self.max_date and value > self.max_date:
            raise self._error(f"{name} must be the same as or before {date_format(self.max_date, 'j F Y')}", "max")

    def has_changed(self, initial, data):
        try:
            return self.to_python(data) != initial
        except ValidationError:
            return True
