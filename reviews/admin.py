"""The Django admin for every model of the register, and the CSV import page for admins."""

import pghistory.admin
import pghistory.core
from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.db import models
from django.db.models import F
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path

from reviews import editing
from reviews.imports import ACTIONS, CHILDREN, EVALUATIONS, FINDINGS, RECOMMENDATIONS, REVIEWS, import_reviews
from reviews.models import (
    AgencyInvolvement,
    Board,
    Child,
    Contribution,
    Evaluation,
    Finding,
    Judgement,
    LocalAuthority,
    ReadEvent,
    Region,
    Review,
    SavedView,
)

# Uploads through the browser are capped so an import finishes well inside a web request (gunicorn gives
# a worker 30 s); the command has no limit. 10 MB is about 100,000 findings rows.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# Web requests give up on a statement after 5 s (gunicorn.conf.py); one COPY of a large upload may need more.
IMPORT_STATEMENT_TIMEOUT_MS = 25_000
MAX_ERRORS_SHOWN = 1000
# Notes and findings in a table row of an inline: two lines, not Django's ten.
SHORT_TEXT = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 60})}}


class ReferenceDataAdmin(admin.ModelAdmin):
    """Reference data is retired (``valid_to``) in a migration, never deleted: reviews keep their boards."""

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Region)
class RegionAdmin(ReferenceDataAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]
    ordering = ["code"]


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(ReferenceDataAdmin):
    list_display = ["name", "gss_code", "type", "region", "dfe_code", "valid_from", "valid_to"]
    list_filter = ["type", "region", "valid_from", "valid_to"]
    search_fields = ["name", "gss_code", "dfe_code"]
    list_select_related = ["region"]
    autocomplete_fields = ["region"]
    ordering = ["name", "valid_from"]


@admin.register(Board)
class BoardAdmin(ReferenceDataAdmin):
    list_display = ["name", "gss_code", "region", "in_force_from", "in_force_to"]
    list_filter = ["region", "authority__type"]
    search_fields = ["name", "gss_code"]
    list_select_related = ["region", "authority"]
    autocomplete_fields = ["authority", "region", "members"]
    ordering = ["name", "gss_code"]

    @admin.display(description="in force from", ordering="authority__valid_from")
    def in_force_from(self, board):
        return board.authority.valid_from

    @admin.display(description="in force to", ordering="authority__valid_to")
    def in_force_to(self, board):
        return board.authority.valid_to


class ContributionInline(admin.TabularInline):
    model = Contribution
    extra = 0
    autocomplete_fields = ["board"]
    verbose_name = "contributing board"
    verbose_name_plural = "contributing boards"


class ChildInline(admin.TabularInline):
    model = Child
    extra = 0
    fields = [
        "pseudonym",
        "sex",
        "age_band",
        "ethnicity",
        "outcome",
        "known_to_social_care",
        "child_protection_plan",
        "looked_after",
    ]


class AgencyInvolvementInline(admin.TabularInline):
    model = AgencyInvolvement
    extra = 0
    fields = ["agency", "imr_submitted", "notes"]
    formfield_overrides = SHORT_TEXT


class FindingInline(admin.TabularInline):
    model = Finding
    extra = 0
    fields = ["category", "agency", "description"]
    formfield_overrides = SHORT_TEXT


class EvaluationInline(admin.StackedInline):
    model = Evaluation
    extra = 0
    autocomplete_fields = ["evaluated_by"]
    fieldsets = [
        (None, {"fields": [("sequence", "received_date", "completed_date"), "judgement", "summary", "evaluated_by"]}),
        (
            "Aspects",
            {
                "classes": ["collapse"],
                "fields": [
                    "terms_of_reference",
                    "overview_and_imrs",
                    "timescales",
                    "equality_and_diversity",
                    "family_involvement",
                ],
            },
        ),
    ]


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
        saved = Review.objects.select_for_update().filter(pk=pk).values_list("version", flat=True).first()
        if cleaned.get("loaded_version") is None or cleaned["loaded_version"] != saved:
            raise forms.ValidationError(
                "Someone changed this review after you opened this page. Nothing has been saved. "
                "Open the review again to see their changes, then make yours.",
                code="conflict",
            )
        return cleaned


class ReviewAdminForm(ReviewVersionForm):
    """A review in the admin: as any review, its reference holds no board's GSS code but its lead board's
    (docs/SECURITY.md), so a reference with a board's code is always that board's own review."""

    def clean(self):
        cleaned = super().clean()
        reference, board = cleaned.get("reference"), cleaned.get("board")
        if reference and board is not None:
            others = editing.codes_in_reference(reference) - {board.gss_code}
            if Board.objects.filter(gss_code__in=others).exists():
                self.add_error(
                    "reference",
                    f"The reference holds another board's GSS code ({', '.join(sorted(others))}): a reference may "
                    f"hold only its lead board's code, {board.gss_code}",
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


class LatestJudgementFilter(admin.SimpleListFilter):
    """The latest evaluation's judgement, by its official wording (the denormalised field has no choices)."""

    title = "latest judgement"
    parameter_name = "latest_judgement"

    def lookups(self, request, model_admin):
        return [*Judgement.choices, ("none", "Not evaluated")]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(latest_judgement="")
        if self.value() in Judgement.values:
            return queryset.filter(latest_judgement=self.value())
        return queryset


@admin.register(Review)
class ReviewAdmin(RecordsReads, DateDrillDownAdmin):
    form = ReviewAdminForm
    list_display = [
        "reference",
        "title",
        "board",
        "status",
        "judgement",
        "latest_evaluated_date",
        "completed_date",
        "submitted_date",
    ]
    list_filter = [
        "status",
        LatestJudgementFilter,
        "review_type",
        "board__region",
        "independent_chair",
        "completed_date",
    ]
    search_fields = ["reference", "title", "summary", "board__name", "board__gss_code"]
    list_select_related = ["board"]
    autocomplete_fields = ["board"]
    ordering = ["reference"]
    date_hierarchy = "latest_evaluated_date"
    show_full_result_count = False  # one count fewer on a register of 100,000 reviews
    readonly_fields = ["judgement", "latest_evaluated_date", "version", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["reference", "review_type", "board", "title", "status"]}),
        ("Dates", {"fields": [("incident_date", "decision_date"), ("completed_date", "submitted_date")]}),
        ("Independence", {"fields": [("independent_chair", "independent_author")]}),
        (None, {"fields": ["summary"]}),
        (
            "Kept by the system",
            {
                "fields": [
                    ("judgement", "latest_evaluated_date"),
                    "version",
                    ("created_at", "updated_at"),
                    "loaded_version",
                ]
            },
        ),
    ]
    inlines = [ContributionInline, ChildInline, AgencyInvolvementInline, FindingInline, EvaluationInline]

    @admin.display(description="latest judgement", ordering="latest_judgement")
    def judgement(self, review):
        return Judgement(review.latest_judgement).label if review.latest_judgement else "Not evaluated"

    def review_id_of(self, review):
        return review.pk

    def save_model(self, request, obj, form, change):
        if change:
            # A new version, so a board's form left open on the old one is refused rather than overwriting this.
            obj.version = F("version") + 1
        super().save_model(request, obj, form, change)
        if change:
            obj.refresh_from_db(fields=["version"])

    def get_urls(self):
        view = self.admin_site.admin_view(self.import_view)
        return [path("import/", view, name="reviews_review_import"), *super().get_urls()]

    def has_import_permission(self, request):
        return request.user.has_perm("reviews.import_reviews")

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "has_import_permission": self.has_import_permission(request)}
        return super().changelist_view(request, extra_context=extra_context)

    def import_view(self, request):
        """Upload the CSV files of an import: the same validation and error list as the command."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        errors = []
        if request.method == "POST":
            form = ImportForm(request.POST, request.FILES)
            if form.is_valid():
                result = import_reviews(
                    files=form.files_by_name(), user=request.user, statement_timeout_ms=IMPORT_STATEMENT_TIMEOUT_MS
                )
                if result.ok:
                    messages.success(request, "Import finished. " + " ".join(result.summary_lines()))
                    return redirect("admin:reviews_review_changelist")
                errors = result.errors
        else:
            form = ImportForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import reviews from CSV files",
            "form": form,
            "errors": errors[:MAX_ERRORS_SHOWN],
            "error_count": len(errors),
            "max_upload_mb": MAX_UPLOAD_BYTES // 1024 // 1024,
        }
        return TemplateResponse(request, "admin/reviews/review/import.html", context, status=400 if errors else 200)


class ReviewRowAdmin(RecordsReads, admin.ModelAdmin):
    """Rows that belong to a review, listed across reviews."""

    list_select_related = ["review"]
    autocomplete_fields = ["review"]
    search_fields = ["review__reference", "review__title"]
    form = ReviewVersionForm

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        bump_version(obj.review_id, form.initial.get("review"))  # and the review it moved from, if it moved

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        bump_version(obj.review_id)

    def delete_queryset(self, request, queryset):
        review_ids = set(queryset.values_list("review_id", flat=True))
        super().delete_queryset(request, queryset)
        bump_version(*review_ids)


@admin.register(Contribution)
class ContributionAdmin(ReviewRowAdmin):
    list_display = ["review", "board"]
    list_filter = ["board__region"]
    list_select_related = ["review", "board"]
    autocomplete_fields = ["review", "board"]
    search_fields = ["review__reference", "board__name", "board__gss_code"]
    ordering = ["review__reference", "board__name"]


@admin.register(Child)
class ChildAdmin(ReviewRowAdmin):
    list_display = ["pseudonym", "review", "sex", "age_band", "ethnicity", "outcome", "known_to_social_care"]
    list_filter = ["outcome", "sex", "age_band", "known_to_social_care", "child_protection_plan", "looked_after"]
    search_fields = ["pseudonym", "review__reference"]
    ordering = ["review__reference", "pseudonym"]


@admin.register(AgencyInvolvement)
class AgencyInvolvementAdmin(ReviewRowAdmin):
    list_display = ["review", "agency", "imr_submitted"]
    list_filter = ["agency", "imr_submitted"]
    ordering = ["review__reference", "agency"]


@admin.register(Finding)
class FindingAdmin(ReviewRowAdmin):
    list_display = ["review", "category", "agency", "description"]
    list_filter = ["category", "agency"]
    search_fields = ["review__reference", "description"]
    ordering = ["review__reference", "category"]


@admin.register(Evaluation)
class EvaluationAdmin(ReviewRowAdmin, DateDrillDownAdmin):
    list_display = ["review", "sequence", "judgement", "received_date", "completed_date", "evaluated_by"]
    list_filter = ["judgement", "completed_date"]
    list_select_related = ["review", "evaluated_by"]
    autocomplete_fields = ["review", "evaluated_by"]
    date_hierarchy = "completed_date"
    show_full_result_count = False
    ordering = ["-completed_date", "review__reference"]


@admin.register(ReadEvent)
class ReadEventAdmin(DateDrillDownAdmin):
    """Who read what: written by the app, never edited."""

    list_display = ["at", "user", "kind", "review", "detail"]
    list_filter = ["kind"]
    search_fields = ["user__username", "review__reference", "detail"]
    list_select_related = ["user", "review"]
    date_hierarchy = "at"
    show_full_result_count = False
    ordering = ["-at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SavedView)
class SavedViewAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "query_string", "created_at"]
    search_fields = ["name", "owner__username"]
    list_select_related = ["owner"]
    autocomplete_fields = ["owner"]
    ordering = ["owner__username", "name"]


def _model(label):
    """The model named ``app_label.model_name``, or None."""
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _object_exists(label, pk):
    model = _model(label)
    try:
        return model is not None and model._default_manager.filter(pk=pk).exists()
    except (ValueError, TypeError, ValidationError):  # not a value of the model's key
        return False


class CheckedEventLinks:
    """pghistory's event lists read ``obj`` (``app_label.model:pk``, the object whose trail is shown) and
    ``event_model``: a value naming no such object or event model is a 400, not pghistory's 500."""

    def changelist_view(self, request, extra_context=None):
        if "obj" in request.GET:
            label, colon, pk = request.GET["obj"].partition(":")
            if not colon or not _object_exists(label, pk):
                raise BadRequest("The audit trail link names no object")
        if request.GET.get("event_model") and _model(request.GET["event_model"]) not in pghistory.core.event_models():
            raise BadRequest("The audit trail link names no event model")
        return super().changelist_view(request, extra_context=extra_context)


class AuditTrailAdmin(CheckedEventLinks, pghistory.admin.EventsAdmin):
    """pghistory's Events page across every audited model (``PGHISTORY_ADMIN_CLASS``)."""


class EventAdmin(RecordsReads, CheckedEventLinks, pghistory.admin.EventModelAdmin):
    """One audited model's trigger-written history (read only); pghistory's Events page spans them all.

    An event's page shows the review's content as it was: a read of the review, if it still exists.
    """

    list_display = ["pgh_created_at", "pgh_label", "pgh_obj_id", "context"]
    list_select_related = ["pgh_context"]
    ordering = ["-pgh_created_at", "-pgh_id"]
    show_full_result_count = False

    def review_id_of(self, event):
        review_id = event.pgh_obj_id if self.model.pgh_tracked_model is Review else event.review_id
        return review_id if Review.objects.filter(pk=review_id).exists() else None

    @admin.display(description="made by")
    def context(self, event):
        """Who or what made the change: the request's user and URL, or the import and its files."""
        metadata = event.pgh_context.metadata if event.pgh_context_id else {}
        return ", ".join(f"{key}: {value}" for key, value in sorted(metadata.items())) or "-"


for _tracked in (Review, Contribution, Child, AgencyInvolvement, Finding, Evaluation):
    admin.site.register(apps.get_model("reviews", f"{_tracked.__name__}Event"), EventAdmin)

# Recommendations and action plans (read only): their own module, registered when the admin loads this one.
from reviews import admin_plans  # noqa: E402, F401
