"""Forms of a review's documents (SPEC section 10): upload one, replace its file, delete it.

The file field checks the upload by its content (``reviews.documents.pdf.check_pdf``) and keeps what the check
learned (``form.checked``: size, checksum, pages) for the view to store; a refused file leaves nothing behind,
since nothing is written until every field is valid. ``version`` is the document's version when the page was
loaded: the views refuse a replacement or deletion based on an older one.
"""

from django import forms
from django.core.exceptions import ValidationError

from govuk.forms import GOVUKDateField
from reviews.documents.pdf import check_pdf
from reviews.forms.fields import text_errors
from reviews.models import Document

FILE_HINT = "A PDF of 20MB or less"
DATE_HINT = "When the board published it, if it has. For example, 27 3 2010"


class PdfField(forms.FileField):
    """One PDF file, checked by its content; ``checked`` holds what ``check_pdf`` found."""

    def __init__(self, **kwargs):
        kwargs.setdefault("error_messages", {"required": "Select a PDF file", "empty": "The selected file is empty"})
        kwargs.setdefault("widget", forms.FileInput(attrs={"accept": "application/pdf,.pdf"}))
        super().__init__(**kwargs)


class PdfFormMixin:
    """The file field's content check, and the publication date's rules (optional, not in the future)."""

    checked = None

    def setup_date(self):
        field = self.fields["published_date"]
        field.required = False
        field.not_in_future = True
        field.error_name = "publication date"
        field.help_text = DATE_HINT

    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if uploaded is None:
            return uploaded
        try:
            self.checked = check_pdf(uploaded)
        except ValidationError:
            self.checked = None
            raise
        return uploaded


class DocumentUploadForm(PdfFormMixin, forms.ModelForm):
    """A new document of the review: its kind, title, the PDF and when the board published it."""

    govuk_mark_optional = True

    file = PdfField(label="File", help_text=FILE_HINT)

    class Meta:
        model = Document
        fields = ["kind", "title", "published_date"]
        field_classes = {"published_date": GOVUKDateField}
        widgets = {"kind": forms.RadioSelect, "title": forms.TextInput}
        labels = {"kind": "What kind of document is it?"}
        error_messages = {
            "kind": {"required": "Select the kind of document", "invalid_choice": "Select the kind of document"},
            "title": {
                "required": "Enter a title",
                **text_errors("Title", Document._meta.get_field("title").max_length),
            },
        }

    field_order = ["kind", "title", "file", "published_date"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Without a blank first choice: it would be a sixth, meaningless kind.
        self.fields["kind"].choices = Document.Kind.choices
        self.setup_date()


class DocumentReplaceForm(PdfFormMixin, forms.ModelForm):
    """A new file for a document (same kind and title), and its publication date kept or changed."""

    govuk_mark_optional = True

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    file = PdfField(label="New file", help_text=FILE_HINT)

    class Meta:
        model = Document
        fields = ["published_date"]
        field_classes = {"published_date": GOVUKDateField}

    field_order = ["version", "file", "published_date"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("version", self.instance.version)
        self.setup_date()


class DocumentDeleteForm(forms.Form):
    """The confirmation of a deletion: only the version the user saw."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
