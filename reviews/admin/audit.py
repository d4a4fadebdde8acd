"""The audit trail in the admin: pghistory's pages, with links that name nothing refused."""

import pghistory.admin
import pghistory.core
from django.apps import apps
from django.contrib import admin
from django.core.exceptions import BadRequest, ValidationError

from reviews.admin.common import RecordsReads
from reviews.models import AgencyInvolvement, Child, Contribution, Evaluation, Finding, Review


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
