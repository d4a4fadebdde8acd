"""The CSV import page's form, for admins (the import itself is reviews/imports/)."""

from django import forms

from reviews.imports import ACTIONS, CHILDREN, EVALUATIONS, FINDINGS, RECOMMENDATIONS, REVIEWS

# Uploads through the browser are capped so an import finishes well inside a web request (gunicorn gives
# a worker 30 s); the command has no limit. 10 MB is about 100,000 findings rows.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# Web requests give up on a statement after 5 s (gunicorn.conf.py); one COPY of a large upload may need more.
IMPORT_STATEMENT_TIMEOUT_MS = 25_000
MAX_ERRORS_SHOWN = 1000


class ImportForm(forms.Form):
    """The CSV files of one import, each in its own field, as SPEC section 4 names them."""

    reviews = forms.FileField(label=REVIEWS, help_text="Required.")
    children = forms.FileField(label=CHILDREN, required=False, help_text="Optional.")
    findings = forms.FileField(label=FINDINGS, required=False, help_text="Optional.")
    evaluations = forms.FileField(label=EVALUATIONS, required=False, help_text="Optional.")
    recommendations = forms.FileField(label=RECOMMENDATIONS, required=False, help_text="Optional.")
    actions = forms.FileField(label=ACTIONS, required=False, help_text="Optional.")

    def clean(self):
        cleaned = super().clean()
        for name, upload in list(cleaned.items()):
            if upload and upload.size > MAX_UPLOAD_BYTES:
                self.add_error(
                    name,
                    f"{self.fields[name].label} is {upload.size / 1024 / 1024:.1f} MB; files uploaded here may be at "
                    f"most {MAX_UPLOAD_BYTES // 1024 // 1024} MB. Import larger files with the import_reviews command.",
                )
        return cleaned

    def files_by_name(self):
        return {self.fields[name].label: upload for name, upload in self.cleaned_data.items() if upload}
