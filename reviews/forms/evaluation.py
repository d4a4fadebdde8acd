"""Recording Ofsted's evaluation of a submitted review."""

from django import forms

from reviews import editing
from reviews.forms.fields import EARLIEST_DATE, text_errors
from reviews.models import (
    EVALUATION_DATE_ORDER,
    EVALUATION_SUMMARY_MAX_LENGTH,
    Evaluation,
    date_order_message,
    dates_out_of_order,
)
from reviews.validators import validate_xml_text
from scr_register.forms import GOVUKDateField, GOVUKTextField

ASPECT_CHOICES = [("", "Not judged"), *Evaluation.Judgement.choices]


class EvaluationForm(forms.Form):
    """Ofsted's evaluation of a submitted review. The sequence is the server's; the form only echoes it."""

    govuk_mark_optional = True

    sequence = forms.IntegerField(widget=forms.HiddenInput)
    received_date = GOVUKDateField(
        label="Date Ofsted received the review",
        error_name="date Ofsted received the review",
        not_in_future=True,
        min_date=EARLIEST_DATE,
        help_text="For example, 27 3 2008",
    )
    completed_date = GOVUKDateField(
        label="Date the evaluation was completed",
        error_name="date the evaluation was completed",
        not_in_future=True,
        min_date=EARLIEST_DATE,
        help_text="This decides the reporting year the evaluation counts in",
    )
    judgement = forms.ChoiceField(
        label="Overall judgement",
        choices=Evaluation.Judgement.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the overall judgement",
            "invalid_choice": "Select the overall judgement",
        },
    )
    summary = GOVUKTextField(
        validators=[validate_xml_text],
        label="Summary of the evaluation",
        required=False,
        max_length=EVALUATION_SUMMARY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages=text_errors("Summary of the evaluation", EVALUATION_SUMMARY_MAX_LENGTH),
    )
    terms_of_reference = forms.ChoiceField(label="Terms of reference", choices=ASPECT_CHOICES, required=False)
    overview_and_imrs = forms.ChoiceField(
        label="Overview report and individual management reviews", choices=ASPECT_CHOICES, required=False
    )
    timescales = forms.ChoiceField(label="Timescales", choices=ASPECT_CHOICES, required=False)
    equality_and_diversity = forms.ChoiceField(label="Equality and diversity", choices=ASPECT_CHOICES, required=False)
    family_involvement = forms.ChoiceField(label="Involvement of the family", choices=ASPECT_CHOICES, required=False)

    ASPECTS = ("terms_of_reference", "overview_and_imrs", "timescales", "equality_and_diversity", "family_involvement")

    def __init__(self, *args, review, sequence, earliest_received=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.review = review
        self.initial.setdefault("sequence", sequence)
        for name in self.ASPECTS:
            self.fields[name].error_messages["invalid_choice"] = (
                f"Select a judgement for {self.fields[name].label.lower()}"
            )
        if earliest_received is not None:
            self.fields["received_date"].min_date = earliest_received

    def clean(self):
        data = super().clean()
        for earlier, later in dates_out_of_order(data, EVALUATION_DATE_ORDER):
            self.add_error(later.field, date_order_message(earlier, later))
        return data

    def evaluation_fields(self):
        return {name: self.cleaned_data[name] for name in editing.EVALUATION_FIELDS}
