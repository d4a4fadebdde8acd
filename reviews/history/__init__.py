"""A review's audit trail in words: who changed what, when, before and after.

django-pghistory's triggers write a snapshot row (``reviews.ReviewEvent``, ``reviews.ChildEvent``...) on
every insert, update and delete of review data, whatever made the change (the browser, the import, the
admin, bulk updates, raw SQL); ``pgh_context`` holds what the request put there (the user, named as they
were then, and the URL) or what the import recorded (who ran it). ``review_history(review)`` reads the
snapshots of the review and of every row that belonged to it (deleted rows too), compares each snapshot
with the one before it of the same row, and groups the changes by request into ``Entry`` items, newest
first. Queries: one per event table, one for the people and one for the boards.
"""

import datetime
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.formats import date_format

from reviews.history.documents import document_changes
from reviews.history.vocabulary import CHOICES, IGNORED, LABELS, LONG_TEXT, YES_NO
from reviews.models import Action, Board, Child, Document, Evaluation, Finding, Recommendation, Review

# (kind, event model name, live model, how snapshots name their review)
TRACKED = [
    ("review", "ReviewEvent", Review, "pgh_obj_id"),
    ("contribution", "ContributionEvent", None, "review_id"),
    ("child", "ChildEvent", Child, "review_id"),
    ("agency", "AgencyInvolvementEvent", None, "review_id"),
    ("finding", "FindingEvent", Finding, "review_id"),
    ("evaluation", "EvaluationEvent", Evaluation, "review_id"),
    ("recommendation", "RecommendationEvent", Recommendation, "review_id"),
    # An action names its recommendation, not the review: every recommendation the review ever had (the
    # snapshots above hold the deleted ones too).
    ("action", "ActionEvent", Action, "recommendation_id__in"),
    ("document", "DocumentEvent", Document, "review_id"),
]
KIND_ORDER = {kind: index for index, (kind, *_rest) in enumerate(TRACKED)}


@dataclass
class Change:
    """One change in words; long texts carry their before and after to show in full."""

    text: str
    before: str = ""
    after: str = ""
    evaluated_status: bool = False  # "the status became evaluated": said already by "recorded evaluation N"

    @property
    def has_texts(self):
        return bool(self.before or self.after)


@dataclass
class Entry:
    """What one person (or process) changed in one request."""

    at: datetime.datetime
    actor: str
    changes: list = field(default_factory=list)
    user_id: int | None = None

    @property
    def sentence(self):
        """The whole entry as one sentence, e.g. "Alex Smith changed the completion date from ... to ..."."""
        return f"{self.actor} {'; '.join(change.text for change in self.changes)}"


def display_name(user):
    return (user.get_full_name() or user.username) if user is not None else ""


def review_history(review):
    """The review's audit trail: a list of ``Entry``, newest first."""
    events = []
    recommendation_ids = apps.get_model("reviews", "RecommendationEvent").objects.filter(review_id=review.pk)
    for kind, model_name, _live, review_field in TRACKED:
        model = apps.get_model("reviews", model_name)
        wanted = recommendation_ids.values("pgh_obj_id") if kind == "action" else review.pk
        rows = model.objects.filter(**{review_field: wanted}).select_related("pgh_context").order_by("pgh_id")
        events.extend((kind, event) for event in rows)
    return _entries(events)


def _entries(events):
    user_ids, board_ids = set(), set()
    for kind, event in events:
        context = _metadata(event)
        if isinstance(context.get("user"), int) and not _recorded_name(context):
            user_ids.add(context["user"])  # recorded before names were: named as they are now
        if kind in ("review", "contribution"):
            board_ids.add(event.board_id)
        if kind == "evaluation" and event.evaluated_by_id:
            user_ids.add(event.evaluated_by_id)
    users = {user.pk: user for user in get_user_model().objects.filter(pk__in=user_ids)} if user_ids else {}
    boards = {board.pk: board for board in Board.objects.filter(pk__in=board_ids)} if board_ids else {}
    # Actions are named by their recommendation's number (as last recorded; deleted ones too).
    numbers = {event.pgh_obj_id: event.number for kind, event in events if kind == "recommendation"}
    names = Names(users=users, boards=boards, recommendations=numbers)

    # Changes of one request share a context; without one (a command, raw SQL), a transaction's changes
    # share their timestamp.
    groups, ordered, review_event_ids = {}, {}, {}
    previous = {}
    for kind, event in events:
        key = (kind, event.pgh_obj_id)
        before = previous.get(key)
        after = _snapshot(event)
        previous[key] = None if event.pgh_label == "delete" else after
        changes = _describe(kind, event.pgh_label, before, after, names)
        group_key = event.pgh_context_id or ("no context", event.pgh_created_at)
        if group_key not in groups:
            context = _metadata(event)
            groups[group_key] = Entry(at=event.pgh_created_at, actor=names.actor(context), user_id=context.get("user"))
            ordered[group_key] = []
        entry = groups[group_key]
        entry.at = min(entry.at, event.pgh_created_at)
        if kind == "review":
            review_event_ids.setdefault(group_key, event.pgh_id)
        ordered[group_key].extend(
            ((KIND_ORDER[kind], event.pgh_id, index), change) for index, change in enumerate(changes)
        )
    entries = []
    for group_key, entry in groups.items():
        entry.changes = [change for _position, change in sorted(ordered[group_key], key=lambda item: item[0])]
        _tidy(entry)
        if entry.changes:
            entries.append(entry)
    # Changes made in one transaction share a time (PostgreSQL's now()); the review's own snapshot, which
    # every write through the website bumps, orders them.
    position = {id(entry): review_event_ids.get(key, 0) for key, entry in groups.items()}
    entries.sort(key=lambda entry: (entry.at, position[id(entry)]), reverse=True)
    return entries


def _tidy(entry):
    """Drop "status became evaluated" when the same request recorded the evaluation that caused it."""
    if any(change.text.startswith("recorded evaluation") for change in entry.changes):
        entry.changes = [change for change in entry.changes if not change.evaluated_status]


def _recorded_name(context):
    """The name the user had when they made the change (kept since names are recorded), else ""."""
    return context.get("name") or context.get("username") or ""


def _metadata(event):
    context = getattr(event, "pgh_context", None)
    return (context.metadata or {}) if context is not None else {}


def _snapshot(event):
    values = {}
    for model_field in event._meta.concrete_fields:
        name = model_field.name
        if name.startswith("pgh_") or name in IGNORED:
            continue
        values[name] = getattr(event, model_field.attname)
    return values


@dataclass
class Names:
    users: dict
    boards: dict
    recommendations: dict = field(default_factory=dict)

    def actor(self, context):
        """Who made the changes of one audit context, as they were named then."""
        user_id = context.get("user")
        name = _recorded_name(context)
        if user_id is not None and not name:  # recorded before names were
            user = self.users.get(user_id)
            name = display_name(user) if user is not None else "A user (whose account has since been removed)"
        if context.get("source") == "import":
            if name:
                return f"{name} (importing CSV files in the admin)"
            operator = context.get("operator")
            return f"{operator} (with the import_reviews command)" if operator else "The import_reviews command"
        if name:
            return name
        command = context.get("command") or context.get("source")
        if command:
            operator = context.get("operator")
            return f"{operator} (with the {command} command)" if operator else f"The {command} command"
        return "A command or a change made directly in the database (not through the website)"

    def board(self, pk):
        board = self.boards.get(pk)
        return board.name if board is not None else f"board number {pk}"

    def value(self, name, value):
        """A stored value as a person reads it."""
        if name in YES_NO:
            return {True: "yes", False: "no"}.get(value, "not known")
        if value is None or value == "":
            return "blank"
        if name in ("board",) and isinstance(value, int):
            return self.board(value)
        if name == "recommendation":
            return f"recommendation {self.recommendations.get(value, value)}"
        if name == "evaluated_by":
            return display_name(self.users.get(value)) or f"user number {value}"
        if name in CHOICES:
            return CHOICES[name].get(value, value)
        if isinstance(value, datetime.datetime):
            return date_format(timezone.localtime(value), "j F Y, g:ia")
        if isinstance(value, datetime.date):
            return date_format(value, "j F Y")
        return str(value)


def _describe(kind, label, before, after, names):
    """The changes one snapshot records, as ``Change`` items."""
    if kind == "document":  # said in words of its own (uploads, new files, publication dates)
        return [Change(text) for text in document_changes(label, before, after)]
    name = _row_name(kind, after, names)
    if label == "insert":
        return [Change(_inserted(kind, after, names, name))]
    if label == "delete":
        return [Change(_deleted(kind, after, names, name))]
    if before is None:
        return [Change(f"changed {name} (there is no earlier record to compare with)")]
    changes = []
    changed = [key for key in after if after[key] != before.get(key)]
    submitted = before.get("status") == Review.Status.DRAFT and after.get("status") == Review.Status.SUBMITTED
    if kind == "review" and submitted and "submitted_date" in changed and after["submitted_date"]:
        # Submitting dates the review: one sentence says both.
        changed.remove("status")
        changed.remove("submitted_date")
        day = names.value("submitted_date", after["submitted_date"])
        changes.append(Change(f"submitted the review to Ofsted on {day}"))
    for key in changed:
        changes.append(_changed(kind, key, before, after, names, _row_name(kind, before, names)))
    return [change for change in changes if change is not None]


def _row_name(kind, values, names):
    if kind == "review":
        return "the review"
    if kind == "child":
        return values["pseudonym"]
    if kind == "agency":
        return CHOICES["agency"].get(values["agency"], values["agency"])
    if kind == "finding":
        return f"the finding “{CHOICES['category'].get(values['category'], values['category'])}”"
    if kind == "evaluation":
        return f"evaluation {values['sequence']}"
    if kind == "contribution":
        return names.board(values["board"])
    if kind == "recommendation":
        return f"recommendation {values['number']}"
    if kind == "action":
        return f"action {values['number']} of {names.value('recommendation', values['recommendation'])}"
    return kind


def _inserted(kind, values, names, name):
    if kind == "review":
        status = values["status"]
        text = f"created the review {values['reference']}"
        if status == Review.Status.DRAFT:
            return f"{text} as a draft"
        return f"{text} with the status {names.value('status', status)}"
    if kind == "child":
        return f"added {name}"
    if kind == "agency":
        return f"added {name} to the agencies involved"
    if kind == "finding":
        agency = values.get("agency")
        return f"added a finding: {CHOICES['category'].get(values['category'])}" + (
            f" ({names.value('agency', agency)})" if agency else ""
        )
    if kind == "evaluation":
        return f"recorded evaluation {values['sequence']}: {names.value('judgement', values['judgement'])}"
    if kind == "contribution":
        return f"added {name} as a contributing board"
    if kind == "recommendation":
        agency = values.get("agency")
        return f"added {name}, addressed to " + (names.value("agency", agency) if agency else "the board")
    if kind == "action":
        owner, due = names.value("owner_agency", values["owner_agency"]), names.value("due_date", values["due_date"])
        return f"added {name} ({owner}, due {due}, {names.value('status', values['status'])})"
    return f"added {name}"


def _deleted(kind, values, names, name):
    if kind == "review":
        return f"deleted the review {values['reference']}"
    if kind == "agency":
        return f"removed {name} from the agencies involved"
    if kind == "evaluation":
        return f"deleted {name} ({names.value('judgement', values['judgement'])})"
    if kind == "contribution":
        return f"removed {name} as a contributing board"
    return f"removed {name}"


def _changed(kind, key, before, after, names, name):
    old, new = before.get(key), after[key]
    label = LABELS.get(kind, {}).get(key, key.replace("_", " "))
    if kind == "review" and key == "status":
        if new == Review.Status.SUBMITTED and old == Review.Status.DRAFT:
            return Change("submitted the review to Ofsted")
        return Change(
            f"changed the status from {names.value(key, old)} to {names.value(key, new)}",
            evaluated_status=new == Review.Status.EVALUATED,
        )
    if kind == "child" and key == "pseudonym":
        return Change(f"renamed {old} to {new}")
    if key in LONG_TEXT:
        old_text, new_text = old or "", new or ""
        subject = f"the {label}" if kind == "review" else f"the {label} of {name}"
        if "{name}" in label:
            subject = label.format(name=name)
        if not old_text:
            return Change(f"added {subject}", after=new_text)
        if not new_text:
            return Change(f"removed {subject}", before=old_text)
        return Change(f"changed {subject}", before=old_text, after=new_text)
    if "{name}" in label or label.startswith("whether"):
        subject = label.format(name=name)
    else:
        subject = f"the {label}" if kind == "review" else f"the {label} of {name}"
    if key in YES_NO:
        return Change(f"changed {subject} from {names.value(key, old)} to {names.value(key, new)}")
    if old is None or old == "":
        return Change(f"set {subject} to {names.value(key, new)}")
    if new is None or new == "":
        return Change(f"cleared {subject} (it was {names.value(key, old)})")
    return Change(f"changed {subject} from {names.value(key, old)} to {names.value(key, new)}")


def last_change(review):
    """Who last wrote the review row and when, as an ``Entry`` without changes (None if there is no record)."""
    event = (
        apps.get_model("reviews", "ReviewEvent")
        .objects.filter(pgh_obj_id=review.pk)
        .select_related("pgh_context")
        .order_by("-pgh_id")
        .first()
    )
    if event is None:
        return None
    context = _metadata(event)
    user_id = context.get("user")
    wanted = user_id if user_id and not _recorded_name(context) else None
    users = {user.pk: user for user in get_user_model().objects.filter(pk=wanted)} if wanted else {}
    return Entry(at=event.pgh_created_at, actor=Names(users=users, boards={}).actor(context), user_id=user_id)
