"""Recommendations and actions in an import (SPEC section 9): their rules across columns, the recommendations the
actions name, what to replace, and the writes.

When ``recommendations.csv`` names a review, that review's recommendations and their actions are replaced by the
files' rows (its rows of ``actions.csv``, none if it has none there); when only ``actions.csv`` names it, its
actions are replaced. A review whose rows are already exactly the files' is left alone, so an import run twice
writes nothing the second time. An action's recommendation must be in this ``recommendations.csv`` (for a review
it names) or already in the register.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from reviews import bulk, plans_scope
from reviews.imports.files import ACTIONS, RECOMMENDATIONS
from reviews.imports.planning import any_of
from reviews.models import Action, Recommendation

RECOMMENDATION_FIELDS = ["number", "text", "agency"]
# An action's values in the plan: its recommendation's number first, then the Action fields.
ACTION_FIELDS = ["number", "description", "owner_agency", "due_date", "status", "completed_date", "evidence"]
COMPLETED, WITHDRAWN = Action.Status.COMPLETED, Action.Status.WITHDRAWN


def check_recommendations(parsed, errors):
    """A review's recommendation numbers are unique in the file."""
    seen = {}
    for line, reference, number in zip(parsed.lines, parsed.values["review"], parsed.values["number"], strict=True):
        if not reference or number is None or number == "":
            continue
        if (reference, number) in seen:
            message = f"review {reference} already has recommendation {number} (on line {seen[reference, number]})"
            errors.add(parsed.name, line, "number", message)
        else:
            seen[reference, number] = line


def check_actions(parsed, errors):
    """Action numbers are unique within their recommendation; the status rules of SPEC section 9."""
    seen, today = {}, timezone.localdate()
    # Column by column rather than through ``parsed.records``: a dict per row costs more than the checks.
    names = ("review", "recommendation", "number", "status", "completed_date", "evidence")
    for line, *cells in zip(parsed.lines, *(parsed.values[name] for name in names), strict=True):
        reference, recommendation, number, status, done, evidence = cells
        key = (reference, recommendation, number)
        if all(part not in (None, "") for part in key):
            if key in seen:
                message = (
                    f"recommendation {key[1]} of review {key[0]} already has action {key[2]} (on line {seen[key]})"
                )
                errors.add(parsed.name, line, "number", message)
            else:
                seen[key] = line
        if status == COMPLETED and done is None:
            errors.add(parsed.name, line, "completed_date", "a completed action needs the date it was completed")
        if status != COMPLETED and done is not None:
            message = f"only a completed action has a completed_date (this one is {status}): leave it blank"
            errors.add(parsed.name, line, "completed_date", message)
        if done is not None and done > today:
            errors.add(parsed.name, line, "completed_date", f"{done} is in the future")
        if status == WITHDRAWN and not evidence.strip():
            message = "a withdrawn action needs the reason it no longer applies in evidence"
            errors.add(parsed.name, line, "evidence", message)


def check_action_recommendations(parsed, existing, errors):
    """Every action's recommendation is in this recommendations.csv (for a review it names) or in the register."""
    if ACTIONS not in parsed:
        return
    in_file = defaultdict(set)
    if RECOMMENDATIONS in parsed:
        for reference, number in zip(*(parsed[RECOMMENDATIONS].values[f] for f in ("review", "number")), strict=True):
            in_file[reference].add(number)
    actions = parsed[ACTIONS]
    looked_up = {existing[r].pk for r in set(actions.values["review"]) - in_file.keys() if r in existing}
    registered = set(
        Recommendation.objects.filter(any_of("review_id", looked_up)).values_list("review_id", "number")
        if looked_up
        else ()
    )
    known = set(parsed.get("reviews.csv").values["reference"]) | existing.keys()
    for line, reference, number in zip(
        actions.lines, actions.values["review"], actions.values["recommendation"], strict=True
    ):
        if not reference or reference not in known or number is None or number == "":
            continue  # reported already
        if reference in in_file:
            found = number in in_file[reference]
        else:
            found = reference in existing and (existing[reference].pk, number) in registered
        if not found:
            message = f"review {reference} has no recommendation {number} in recommendations.csv or the register"
            errors.add(ACTIONS, line, "recommendation", message)


@dataclass
class PlanWrites:
    """What the import does to action plans, by review reference."""

    recommendations: dict = field(default_factory=dict)  # reference: [(number, text, agency)]
    actions: dict = field(default_factory=dict)  # reference: [(recommendation number, *ACTION_FIELDS)]
    replace_recommendations: list = field(default_factory=list)  # their recommendations and actions go
    replace_actions: list = field(default_factory=list)  # their actions go


def plan(parsed, existing):
    """The ``PlanWrites`` of the checked files: only the reviews whose plan differs from the files'."""
    result = PlanWrites()
    if RECOMMENDATIONS not in parsed and ACTIONS not in parsed:
        return result
    result.recommendations = _group(parsed.get(RECOMMENDATIONS), RECOMMENDATION_FIELDS)
    result.actions = _group(parsed.get(ACTIONS), ["recommendation", *ACTION_FIELDS])
    named = result.recommendations.keys() | result.actions.keys()
    pks = {existing[r].pk: r for r in named if r in existing}
    have_recommendations, have_actions = defaultdict(Counter), defaultdict(Counter)
    if pks:
        rows = Recommendation.objects.filter(any_of("review_id", pks)).values_list("review_id", *RECOMMENDATION_FIELDS)
        for pk, *values in rows:
            have_recommendations[pks[pk]][tuple(values)] += 1
        rows = Action.objects.filter(any_of("recommendation__review_id", pks)).values_list(
            "recommendation__review_id", "recommendation__number", *ACTION_FIELDS
        )
        for pk, *values in rows:
            have_actions[pks[pk]][tuple(values)] += 1
    for reference in sorted(named):
        wanted = result.recommendations.get(reference)
        if wanted is not None and have_recommendations[reference] != Counter(wanted):
            result.replace_recommendations.append(reference)
        elif have_actions[reference] != Counter(result.actions.get(reference, ())):
            result.replace_actions.append(reference)
    return result


def _group(parsed, names):
    grouped = defaultdict(list)
    if parsed is None:
        return grouped
    for reference, *values in zip(parsed.values["review"], *(parsed.values[n] for n in names), strict=True):
        grouped[reference].append(tuple(values))
    return grouped


def write(plan, ids, result):
    """Make the plan's writes (inside the import's transaction; ``ids``: review id by reference) and count them."""
    now = timezone.now()
    recommendations = [ids[r] for r in plan.replace_recommendations]
    deleted_recommendations = deleted_actions = 0
    if recommendations:
        _, per_model = Recommendation.objects.filter(any_of("review_id", recommendations)).delete()
        deleted_recommendations = per_model.get(Recommendation._meta.label, 0)
        deleted_actions = per_model.get(Action._meta.label, 0)
    actions_only = [ids[r] for r in plan.replace_actions]
    if actions_only:
        deleted_actions += Action.objects.filter(any_of("recommendation__review_id", actions_only)).delete()[0]
    new_recommendations = [
        (ids[r], *values, 1, now) for r in plan.replace_recommendations for values in plan.recommendations[r]
    ]
    # New recommendations are copied with ids taken from their sequence first; those kept are looked up.
    reserved = bulk.reserve_ids(Recommendation, len(new_recommendations))
    bulk.copy_rows(Recommendation, [(pk, *row) for pk, row in zip(reserved, new_recommendations, strict=True)])
    numbered = {(row[0], row[1]): pk for pk, row in zip(reserved, new_recommendations, strict=True)}
    if plan.replace_actions:
        rows = Recommendation.objects.filter(any_of("review_id", [ids[r] for r in plan.replace_actions]))
        numbered.update(
            ((review_id, number), pk) for review_id, number, pk in rows.values_list("review_id", "number", "pk")
        )
    new_actions = [
        (numbered[ids[r], recommendation], *values, 1, now)
        for r in [*plan.replace_recommendations, *plan.replace_actions]
        for recommendation, *values in plan.actions.get(r, ())
    ]
    # With their kept scope, read once per recommendation, so the scope triggers have no row to write again.
    scope = plans_scope.kept_scope({row[0] for row in new_actions}) if new_actions else {}
    bulk.copy_rows(Action, [(*row, *scope[row[0]]) for row in new_actions])
    result.created["recommendations"], result.deleted["recommendations"] = (
        len(new_recommendations),
        deleted_recommendations,
    )
    result.created["actions"], result.deleted["actions"] = len(new_actions), deleted_actions
