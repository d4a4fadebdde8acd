"""Recording Ofsted's evaluation of a submitted review."""

from django import forms

from govuk.forms import GOVUKDateField, GOVUKTextField
from reviews import editing
from reviews.forms.fields import EARLIEST_DATE, text_errors
from reviews.models import EVALUATION_DATE_ORDER, Evaluation, date_order_message, dates_out_of_order

ASPECTS = ("terms_of_reference", "overview_and_imrs", "timescales", "equality_and_diversity", "family_involvement")


class EvaluationForm(forms.ModelForm):
    """Ofsted's evaluation of a submitted review: labels, help and limits from ``Evaluation``'s fields.

    The sequence is the server's; the form only echoes it. ``reviews.editing.record_evaluation`` saves.
    """

    govuk_mark_optional = True

    sequence = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Evaluation
        fields = ["received_date", "completed_date", "judgement", "summary", *ASPECTS]
        field_classes = {"received_date": GOVUKDateField, "completed_date": GOVUKDateField, "summary": GOVUKTextField}
        widgets = {"judgement": forms.RadioSelect, "summary": forms.Textarea(attrs={"rows": 6})}
        error_messages = {
            "judgement": {"required": "Select the overall judgement", "invalid_choice": "Select the overall judgement"},
            "summary": text_errors("Summary of the evaluation", Evaluation._meta.get_field("summary").max_length),
        }

    def __init__(self, *args, review, sequence, earliest_received=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.review = review
        self.initial.setdefault("sequence", sequence)
        for name in ("received_date", "completed_date"):
            field = self.fields[name]
            field.error_name = Evaluation._meta.get_field(name).verbose_name
            field.not_in_future = True
            field.min_date = EARLIEST_DATE
        if earliest_received is not None:
            self.fields["received_date"].min_date = earliest_received
        self.fields["judgement"].choices = Evaluation.Judgement.choices  # radios: no blank choice
        for name in ASPECTS:
            field = self.fields[name]
            field.choices = [("", "Not judged"), *Evaluation.Judgement.choices]
            field.error_messages["invalid_choice"] = f"Select a judgement for {field.label.lower()}"

    def clean(self):
        data = super().clean()
        for earlier, later in dates_out_of_order(data, EVALUATION_DATE_ORDER):
            self.add_error(later.field, date_order_message(earlier, later))
        return data

    def evaluation_fields(self):
        return {name: self.cleaned_data[name] for name in editing.EVALUATION_FIELDS}
