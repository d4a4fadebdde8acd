"""What the register's admin pages share: recording reads, the review's version on every form that changes
it, and date drill-downs that refuse a bad year."""

from django import forms
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.db import models
from django.db.models import F

from reviews import reporting
from reviews.models import ReadEvent, Review

# Notes and findings in a table row of an inline: two lines, not Django's ten.
SHORT_TEXT = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 60})}}


class RecordsReads:
    """A change page that shows a review's content records one read (``ReadEvent``) per page view: of the
    review, naming the record shown."""

    def review_id_of(self, obj):
        return obj.review_id

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if change and obj is not None and request.method == "GET":
            ReadEvent.objects.create(
                user=request.user,
                review_id=self.review_id_of(obj),
                kind=ReadEvent.Kind.ADMIN,
                detail=f"{obj._meta.verbose_name} {obj.pk}",
            )
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)


class ReadOnlyAdmin:
    """An admin for rows only the app writes (read events, action plans): listed and looked at, never changed
    here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReviewVersionForm(forms.ModelForm):
    """A form of a review (or of one of its rows) with the review's version it was loaded at.

    Board staff's saves bump ``Review.version`` (reviews/editing.py), and so do the admin's (``save_model``):
    a save based on an older version is refused with nothing saved, inlines included. ``clean`` locks the
    review's row until the admin's save transaction ends, so no other save can slip in between.
    """

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def review_pk(self):
        """The review this form changes, or None when it adds one."""
        if self.instance.pk is None:
            return None
        return self.instance.pk if isinstance(self.instance, Review) else self.instance.review_id

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if isinstance(self.instance, Review):
            self.fields["loaded_version"].initial = self.instance.version
        elif (pk := self.review_pk()) is not None:
            self.fields["loaded_version"].initial = Review.objects.filter(pk=pk).values_list("version", flat=True)[0]

    def clean(self):
        cleaned = super().clean()
        if (pk := self.review_pk()) is None:
            return cleaned
        reporting.take_turn()  # before the review's row lock, as every writer: see reviews.reporting
        saved = Review.objects.select_for_update().filter(pk=pk).values_list("version", flat=True).first()
        if cleaned.get("loaded_version") is None or cleaned["loaded_version"] != saved:
            raise forms.ValidationError(
                "Someone changed this review after you opened this page. Nothing has been saved. "
                "Open the review again to see their changes, then make yours.",
                code="conflict",
            )
        return cleaned


def bump_version(*review_ids):
    """A new version of the reviews, so that a board's form left open on an old one is refused."""
    Review.objects.filter(pk__in=review_ids).update(version=F("version") + 1)


class DateDrillDownChangeList(ChangeList):
    """Django's list, where a year a date cannot hold (``?completed_date__year=99999``) is a bad lookup, not a 500."""

    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except (OverflowError, ValueError) as error:
            raise IncorrectLookupParameters(error) from error


class DateDrillDownAdmin(admin.ModelAdmin):
    """A list with a ``date_hierarchy``: Django's drill-down by year, month and day, bad values refused."""

    def get_changelist(self, request, **kwargs):
        return DateDrillDownChangeList
