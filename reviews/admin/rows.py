"""The admin of a review's rows listed across reviews, of reads and of saved views."""

from django.contrib import admin

from reviews.admin.common import DateDrillDownAdmin, ReadOnlyAdmin, RecordsReads, ReviewVersionForm, bump_version
from reviews.models import AgencyInvolvement, Child, Contribution, Evaluation, Finding, ReadEvent, SavedView


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
class ReadEventAdmin(ReadOnlyAdmin, DateDrillDownAdmin):
    """Who read what: written by the app, never edited."""

    list_display = ["at", "user", "kind", "review", "detail"]
    list_filter = ["kind"]
    search_fields = ["user__username", "review__reference", "detail"]
    list_select_related = ["user", "review"]
    date_hierarchy = "at"
    show_full_result_count = False
    ordering = ["-at"]


@admin.register(SavedView)
class SavedViewAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "query_string", "created_at"]
    search_fields = ["name", "owner__username"]
    list_select_related = ["owner"]
    autocomplete_fields = ["owner"]
    ordering = ["owner__username", "name"]
