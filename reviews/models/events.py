"""What users do besides writing reviews: the reads the register records, and inspectors' saved filters."""

import pgtrigger
from django.conf import settings
from django.db import models

from reviews.models.review import Review


class ReadEvent(models.Model):
    """A read of review data (any page or file showing a review's content): who looked at what, and when.

    Reads are history too: append-only in the database, as the change history's event tables are."""

    class Kind(models.TextChoices):
        VIEW = "view", "Viewed a review"
        HISTORY = "history", "Viewed a review's history"
        EXPORT = "export", "Exported the register"
        EDIT = "edit", "Opened a review to change it"
        SUBMIT = "submit", "Checked a review before submitting it"
        EVALUATE = "evaluate", "Opened a review to evaluate it"
        ADMIN = "admin", "Opened a review in the admin"
        DOCUMENT = "document", "Downloaded a document"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Like the change history, reads outlive the review: deleting it leaves them naming its id (SET_NULL would
    # rewrite them, which the append-only trigger refuses).
    review = models.ForeignKey(
        Review, on_delete=models.DO_NOTHING, db_constraint=False, null=True, blank=True, related_name="+"
    )
    # Who read, as they were named then: written by the trigger below from the user row at insert (blank on
    # reads recorded before names were kept).
    user_name = models.TextField(blank=True, db_default="", editable=False)
    kind = models.CharField(max_length=8, choices=Kind)
    detail = models.TextField(
        blank=True, help_text="For exports: the format, filters and number of rows; in the admin: the record shown."
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["review", "at"], name="readevent_review_idx")]
        triggers = [
            pgtrigger.Trigger(
                name="readevent_user_name",
                operation=pgtrigger.Insert,
                when=pgtrigger.Before,
                # The name the history shows: the full name, else the username (User.get_full_name).
                func="NEW.user_name := (SELECT COALESCE(NULLIF(TRIM(first_name || ' ' || last_name), ''), username) "
                "FROM auth_user WHERE id = NEW.user_id); RETURN NEW;",
            )
        ]

    def __str__(self):
        return f"{self.user} {self.get_kind_display().lower()} at {self.at:%Y-%m-%d %H:%M}"


class SavedView(models.Model):
    """An inspector's named filter set for the register."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views")
    name = models.CharField(max_length=100)
    query_string = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="saved_view_name_unique"),
        ]

    def __str__(self):
        return self.name
