"""A save based on an older version: what the other person saved beside what this user typed."""

from django.utils.formats import date_format

from reviews import editing
from reviews.models import Agency, Board, Child, Finding

REVIEW_LABELS = {
    "board": "Lead board",
    "reference": "Reference",
    "title": "Title",
    "incident_date": "Date of the incident",
    "decision_date": "Date of the decision to hold the review",
    "completed_date": "Date the review was completed",
    "independent_chair": "Independent chair",
    "independent_author": "Independent author",
    "summary": "Summary",
}


def _show(value):
    if value is None or value == "":
        return "Not given"
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    if hasattr(value, "strftime"):
        return date_format(value, "j F Y")
    if isinstance(value, Board):
        return value.name
    return str(value)


def _typed(form, name):
    """What the user typed for a field: the clean value when it was valid, else the raw input."""
    if name in getattr(form, "cleaned_data", {}):
        return form.cleaned_data[name]
    raw = form[name].value()
    if isinstance(raw, list | tuple):
        return " / ".join(str(part or "") for part in raw)
    if name == "board" and raw:
        try:
            return Board.objects.filter(pk=raw).first() or raw
        except (ValueError, TypeError):  # not a board's id: shown as typed
            return raw
    return raw


def _child_text(values):
    parts = [
        Child.Sex(values["sex"]).label if values.get("sex") in Child.Sex.values else "",
        Child.AgeBand(values["age_band"]).label if values.get("age_band") in Child.AgeBand.values else "",
        Child.Outcome(values["outcome"]).label if values.get("outcome") in Child.Outcome.values else "",
    ]
    for key, label in (
        ("known_to_social_care", "known to social care"),
        ("child_protection_plan", "child protection plan"),
        ("looked_after", "looked after"),
    ):
        parts.append(f"{label}: {_show(values.get(key)).lower()}")
    return f"{values.get('pseudonym', '')}: " + ", ".join(part for part in parts if part)


def _row_text(kind, values):
    if kind == "children":
        return _child_text(values)
    if kind == "agencies":
        agency = Agency(values["agency"]).label if values.get("agency") in Agency.values else values.get("agency")
        imr = "IMR written" if values.get("imr_submitted") else "no IMR"
        notes = f": {values['notes']}" if values.get("notes") else ""
        return f"{agency} ({imr}){notes}"
    category = values.get("category")
    category = Finding.Category(category).label if category in Finding.Category.values else category
    agency = values.get("agency")
    agency = f" ({Agency(agency).label})" if agency in Agency.values else ""
    description = f": {values['description']}" if values.get("description") else ""
    return f"{category}{agency}{description}"


def _kept_rows(formset):
    """The clean values of the rows the user filled in and did not mark for removal (after ``is_valid()``)."""
    return [form.cleaned_data for form in formset.kept_forms()]


def conflict_differences(review, editor):
    """(what, saved now, yours) for every answer where the saved review and the user's differ."""
    rows = []
    form = editor.form
    for name, label in REVIEW_LABELS.items():
        theirs, yours = getattr(review, name), _typed(form, name)
        if name == "board":
            theirs = review.board
        if _show(theirs) != _show(yours):
            rows.append((label, _show(theirs), _show(yours)))
    their_boards = sorted(c.board.name for c in review.contributions.select_related("board"))
    your_boards = sorted(
        values["board"].name for values in _kept_rows(editor.contributions) if values.get("board") is not None
    )
    if their_boards != your_boards:
        rows.append(("Contributing boards", ", ".join(their_boards) or "None", ", ".join(your_boards) or "None"))
    sources = {
        "children": (review.children.order_by("pk"), editing.CHILD_FIELDS, editor.children, "Child"),
        "agencies": (review.agencies.order_by("pk"), editing.AGENCY_FIELDS, editor.agencies, "Agency"),
        "findings": (review.findings.order_by("pk"), editing.FINDING_FIELDS, editor.findings, "Finding"),
    }
    for kind, (saved_rows, names, formset, noun) in sources.items():
        theirs = {row.pk: _row_text(kind, {n: getattr(row, n) for n in names}) for row in saved_rows}
        yours, new = {}, []
        for values in _kept_rows(formset):
            text = _row_text(kind, values)
            row_id = values["id"].pk if values.get("id") is not None else None
            if row_id in theirs:
                yours[row_id] = text
            else:
                new.append(text)
        for pk, text in theirs.items():
            if yours.get(pk) != text:
                rows.append((noun, text, yours.get(pk, "Not in your version")))
        for text in new:
            rows.append((noun, "Not in the saved version", text))
    return rows
