"""Helpers for tests of a review's own pages: the POST data a browser sends from the review form."""

import datetime
import html
import re

from bs4 import BeautifulSoup
from django.urls import reverse

ORIGIN = {"Origin": "https://testserver"}


def date_parts(name, day):
    """A date as the three GOV.UK inputs send it (blank parts for None)."""
    if day is None:
        return {f"{name}_day": "", f"{name}_month": "", f"{name}_year": ""}
    return {f"{name}_day": str(day.day), f"{name}_month": str(day.month), f"{name}_year": str(day.year)}


def child_row(pseudonym="Child A", **values):
    row = {
        "pseudonym": pseudonym,
        "sex": "female",
        "age_band": "under_1",
        "ethnicity": "",
        "outcome": "died",
        "known_to_social_care": "yes",
        "child_protection_plan": "not_known",
        "looked_after": "no",
    }
    row.update(values)
    return row


def finding_row(category="weak_management", **values):
    return {"category": category, "agency": "police", "description": "Supervision was not recorded.", **values}


def agency_row(agency="police", **values):
    return {"agency": agency, "imr_submitted": "on", "notes": "", **values}


def formset(prefix, rows):
    """An inline formset's POST: the saved rows (those with an "id") first, as its initial forms, then new ones."""
    rows = [row for row in rows if row.get("id")] + [row for row in rows if not row.get("id")]
    initial = sum(1 for row in rows if row.get("id"))
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": str(initial)}
    for index, row in enumerate(rows):
        for name, value in row.items():
            if value is None:
                continue
            data[f"{prefix}-{index}-{name}"] = value
    return data


def review_data(
    board,
    *,
    version=None,
    reference="",
    title="Review of services to Child A",
    incident=datetime.date(2008, 1, 10),
    decision=datetime.date(2008, 2, 1),
    completed=datetime.date(2008, 6, 1),
    chair="yes",
    author="no",
    summary="Agencies did not share what they knew.",
    contributions=(),
    children=(),
    agencies=(),
    findings=(),
    action="save",
):
    """Everything the review form posts, as a dict for ``client.post``."""
    data = {
        "board": str(board.pk),
        "reference": reference,
        "title": title,
        "independent_chair": chair,
        "independent_author": author,
        "summary": summary,
        "action": action,
        **date_parts("incident_date", incident),
        **date_parts("decision_date", decision),
        **date_parts("completed_date", completed),
        **formset("contributions", [b if isinstance(b, dict) else {"board": str(b.pk)} for b in contributions]),
        **formset("children", list(children)),
        **formset("agencies", list(agencies)),
        **formset("findings", list(findings)),
    }
    if version is not None:
        data["version"] = str(version)
    return data


def rows_of(review):
    """The review's rows as the edit form posts them back unchanged (with their ids)."""
    children = [
        {
            "id": str(child.pk),
            **child_row(
                child.pseudonym,
                sex=child.sex,
                age_band=child.age_band,
                ethnicity=child.ethnicity,
                outcome=child.outcome,
                known_to_social_care={True: "yes", False: "no"}.get(child.known_to_social_care, "not_known"),
                child_protection_plan={True: "yes", False: "no"}.get(child.child_protection_plan, "not_known"),
                looked_after={True: "yes", False: "no"}.get(child.looked_after, "not_known"),
            ),
        }
        for child in review.children.order_by("pk")
    ]
    findings = [
        {"id": str(f.pk), "category": f.category, "agency": f.agency, "description": f.description}
        for f in review.findings.order_by("pk")
    ]
    agencies = [
        {"id": str(a.pk), "agency": a.agency, "imr_submitted": "on" if a.imr_submitted else None, "notes": a.notes}
        for a in review.agencies.order_by("pk")
    ]
    contributions = [{"id": str(c.pk), "board": str(c.board_id)} for c in review.contributions.order_by("pk")]
    return {"children": children, "findings": findings, "agencies": agencies, "contributions": contributions}


def _with_removed(saved, given):
    """``given`` rows, and the ``saved`` ones it leaves out posted with their "Remove" box ticked."""
    named = {row.get("id") for row in given}
    return [*given, *({**row, "DELETE": "on"} for row in saved if row["id"] not in named)]


def _contribution_rows(saved, boards):
    """Boards as the page posts them: a board already listed keeps its row, the others are removed or added."""
    by_board = {row["board"]: row for row in saved}
    rows = [by_board.get(str(board.pk), {"board": str(board.pk)}) for board in boards]
    return _with_removed(saved, rows)


def edit_data(review, **overrides):
    """The edit form of ``review`` posted back as it was loaded, with ``overrides``. Saved rows that an
    override of their kind leaves out are posted with their "Remove" box ticked, as a user removes a row."""
    saved = rows_of(review)
    for kind in ("children", "findings", "agencies"):
        if kind in overrides:
            overrides[kind] = _with_removed(saved[kind], list(overrides[kind]))
    if "contributions" in overrides:
        overrides["contributions"] = _contribution_rows(saved["contributions"], overrides["contributions"])
    values = {
        "version": review.version,
        "reference": review.reference,
        "title": review.title,
        "incident": review.incident_date,
        "decision": review.decision_date,
        "completed": review.completed_date,
        "chair": {True: "yes", False: "no"}.get(review.independent_chair, "not_known"),
        "author": {True: "yes", False: "no"}.get(review.independent_author, "not_known"),
        "summary": review.summary,
        **saved,
    }
    values.update(overrides)
    return review_data(review.board, **values)


def edit_url(review):
    return reverse("reviews:edit", args=[review.pk])


def text_of(response):
    """The page's visible text with whitespace collapsed (tags removed), for asserting sentences."""
    page = response.content.decode()
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", page).split()))


def soup(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


def posted_value(response, name):
    """What the page would post for ``name``: an input's value or a textarea's text (None if not there)."""
    element = soup(response).find(["input", "textarea", "select"], attrs={"name": name})
    if element is None:
        return None
    if element.name == "textarea":
        return element.get_text().removeprefix("\n")
    if element.name == "select":
        chosen = element.find("option", selected=True)
        return chosen["value"] if chosen else None
    return element.get("value", "")
