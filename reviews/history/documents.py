"""A document's snapshots in words for the review's history: uploaded, replaced with a new file, publication
date set or changed, deleted. Each version's file name, size and checksum are in its snapshot, so the history
names the file each upload or replacement brought."""

from django.template.defaultfilters import filesizeformat
from django.utils.formats import date_format

from reviews.documents.models import DocumentKind

# The fields that say a new file came (a replacement changes them together).
FILE_FIELDS = ("file", "sha256")


def document_name(values):
    """The document as the history names it: its kind and title, e.g. the executive summary “Child A”."""
    kind = dict(DocumentKind.choices).get(values["kind"], values["kind"])
    return f"the {kind.lower()} “{values['title']}”"


def _file(values):
    return f"{values['filename']}, {filesizeformat(values['size'])}, SHA-256 {values['sha256'][:12]}…"


def _day(value):
    return date_format(value, "j F Y")


def document_changes(label, before, after):
    """The sentences (after the actor's name) that one snapshot of a document says, given the one before."""
    name = document_name(after)
    if label == "insert":
        published = f", published on {_day(after['published_date'])}" if after.get("published_date") else ""
        return [f"uploaded {name} ({_file(after)}){published}"]
    if label == "delete":
        return [f"removed {name} from the database"]
    if before is None:
        return [f"changed {name} (there is no earlier record to compare with)"]
    if after.get("deleted_at") and not before.get("deleted_at"):
        return [f"deleted {name}"]
    changes = []
    if any(before.get(key) != after.get(key) for key in FILE_FIELDS):
        changes.append(f"replaced the file of {name} with a new file ({_file(after)}; it was {_file(before)})")
    old, new = before.get("published_date"), after.get("published_date")
    if old != new:
        if old is None:
            changes.append(f"set the publication date of {name} to {_day(new)}")
        elif new is None:
            changes.append(f"cleared the publication date of {name} (it was {_day(old)})")
        else:
            changes.append(f"changed the publication date of {name} from {_day(old)} to {_day(new)}")
    for key, what in (("kind", "kind"), ("title", "title")):
        if before.get(key) != after.get(key):
            changes.append(f"changed the {what} of {document_name(before)} to “{after[key]}”")
    return changes
