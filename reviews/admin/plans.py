"""The admin's view of recommendations and action plans: read only. The lead board keeps its plan on the plan
pages and the import writes plans in bulk; here admins look them up across reviews. Each change page shown
records a read of its review, as the other rows of a review do."""

from django.contrib import admin

from reviews.admin.common import ReadOnlyAdmin, RecordsReads
from reviews.models import Action, Recommendation


class ReadOnlyPlanAdmin(ReadOnlyAdmin, RecordsReads, admin.ModelAdmin):
    """A plan's rows, read here and written only by the plan pages and the import; each read recorded."""


@admin.register(Recommendation)
class RecommendationAdmin(ReadOnlyPlanAdmin):
    list_display = ["review", "number", "agency"]
    list_select_related = ["review"]
    list_filter = ["agency"]
    search_fields = ["review__reference"]


@admin.register(Action)
class ActionAdmin(ReadOnlyPlanAdmin):
    list_display = ["review_reference", "recommendation_number", "number", "owner_agency", "due_date", "status"]
    list_select_related = ["recommendation__review"]
    list_filter = ["status", "owner_agency"]
    search_fields = ["recommendation__review__reference"]
    date_hierarchy = "due_date"

    def review_id_of(self, obj):
        return obj.recommendation.review_id

    @admin.display(description="review", ordering="recommendation__review__reference")
    def review_reference(self, action):
        return action.recommendation.review.reference

    @admin.display(description="recommendation", ordering="recommendation__number")
    def recommendation_number(self, action):
        return action.recommendation.number
