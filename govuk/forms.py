"""What the GOV.UK macros need to know about Django forms, and the GOV.UK date input and text field.

The markup of every form field comes from one place: the govuk-frontend-jinja macros, through
govuk/jinja2/govuk/forms.html and govuk/fields.py. This module gives them what a plain ``BoundField`` lacks:

``FORM_RENDERER = "govuk.forms.GOVUKFormRenderer"`` is Django's own template renderer with one change, its
``bound_field_class``: every form in the project (ours, django-filter's, Django's sign-in form) has
``GOVUKBoundField``s, which say Django's "This field is required." the GOV.UK way ("Enter title"), add
" (optional)" to labels when the form asks, name the id the error summary links to (``govuk_anchor``: the
first radio, the first date part at fault) and the limit of a ``GOVUKTextField``'s character count. The admin
keeps Django's own widget templates.

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
  ids ``<id>_0``, ``<id>_1``, ``<id>_2``), which the dateInput macro lays out.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.forms.renderers import DjangoTemplates
from django.forms.utils import ErrorList, pretty_name
from django.utils.formats import date_format
from django.utils.text import capfirst


class GOVUKBoundField(BoundField):
    """A bound field that says its errors the GOV.UK way and knows where the error summary links to."""

    @property
    def character_count(self):
        """The most characters a ``GOVUKTextField`` takes, for GOV.UK's character count, or None."""
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
        """Which macro lays the field out (govuk/fields.py): "radios", "checkboxes", "checkbox", "date" or "input"."""
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


class GOVUKFormRenderer(DjangoTemplates):
    """Django's template renderer, giving every form ``GOVUKBoundField``s (``BaseRenderer.bound_field_class``)."""

    bound_field_class = GOVUKBoundField


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

    PARTS = ("day", "month", "year")

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
