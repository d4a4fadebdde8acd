"""What the review's forms share: GOV.UK wording for free text, yes / no / not known, the earliest date."""

import datetime

from django import forms
from django.utils.formats import date_format

MAX_ROWS = 50
# Serious case reviews ("Part 8 reviews" before 2006) began in 1991: earlier dates are typing mistakes.
EARLIEST_DATE = datetime.date(1990, 1, 1)


def long_date(day):
    return date_format(day, "j F Y")


def text_errors(name, limit=None, **messages):
    """GOV.UK messages for free text named ``name`` ("Summary"): too long, or holding a character that cannot
    be saved (``validate_xml_text``); ``messages`` adds or replaces any."""
    errors = {
        "illegal_character": f"{name} must not include the character %(character)s, which cannot be saved "
        "(it is character %(position)s)"
    }
    if limit:
        errors["max_length"] = f"{name} must be {limit:,} characters or fewer"
    return errors | messages


class YesNoNotKnownField(forms.TypedChoiceField):
    """A yes / no / not known question stored as True / False / None, asked with inline radios."""

    widget = forms.RadioSelect(attrs={"class": "govuk-radios--inline govuk-radios--small"})

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(
            choices=[("yes", "Yes"), ("no", "No"), ("not_known", "Not known")],
            coerce=lambda value: {"yes": True, "no": False}.get(value),
            empty_value=None,
            **kwargs,
        )

    def prepare_value(self, value):
        return {True: "yes", False: "no", None: "not_known"}.get(value, value)

    def has_changed(self, initial, data):
        return self.prepare_value(initial) != (data or "not_known")
