"""The admin of reviews, with their rows inline, and the CSV import page."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path

from reviews import editing
from reviews.admin import upload
from reviews.admin.common import SHORT_TEXT, DateDrillDownAdmin, RecordsReads, ReviewVersionForm
from reviews.imports import import_reviews
from reviews.models import AgencyInvolvement, Board, Child, Contribution, Evaluation, Finding, Judgement, Review


class ContributionInline(admin.TabularInline):
    model = Contribution
    extra = 0
    autocomplete_fields = ["board"]
    verbose_name = "contributing board"
    verbose_name_plural = "contributing boards"


class ChildInline(admin.TabularInline):
    model = Child  # every field, in the model's order
    extra = 0


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
            form = upload.ImportForm(request.POST, request.FILES)
            if form.is_valid():
                result = import_reviews(
                    files=form.files_by_name(),
                    user=request.user,
                    statement_timeout_ms=upload.IMPORT_STATEMENT_TIMEOUT_MS,
                )
                if result.ok:
                    messages.success(request, "Import finished. " + " ".join(result.summary_lines()))
                    return redirect("admin:reviews_review_changelist")
                errors = result.errors
        else:
            form = upload.ImportForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import reviews from CSV files",
            "form": form,
            "errors": errors[: upload.MAX_ERRORS_SHOWN],
            "error_count": len(errors),
            "max_upload_mb": upload.MAX_UPLOAD_BYTES // 1024 // 1024,
        }
        return TemplateResponse(request, "admin/reviews/review/import.html", context, status=400 if errors else 200)
