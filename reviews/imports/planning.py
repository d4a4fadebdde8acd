"""Planning: from the checked rows and the register's reviews, what to create, update and replace.

A review of the register is changed only where the files differ from it: its own fields, and each kind
of row (contributing boards, children, findings, evaluations) the files give for it, compared as a whole.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, F, Lookup, OuterRef

from reviews import bulk
from reviews.imports.files import CHILDREN, CONTRIBUTIONS, EVALUATIONS, FINDINGS, REVIEWS
from reviews.models import Child, Contribution, Evaluation, Finding, Review

ROW_MODELS = {CONTRIBUTIONS: Contribution, CHILDREN: Child, FINDINGS: Finding, EVALUATIONS: Evaluation}
# Written by the import itself, not read from the files.
WRITTEN = ("id", "review_id", "created_at", "updated_at")
# The model fields each kind of row writes (its file's columns but the review's reference), in the order
# of the values the plan keeps for a row: the order they are copied in.
ROW_FIELDS = {name: [f for f in bulk.COPY_FIELDS[model] if f not in WRITTEN] for name, model in ROW_MODELS.items()}
REVIEW_FIELDS = list(bulk.REVIEW_FIELDS)
# The fields of a new review, in the order of the values of Plan.new_reviews.
NEW_REVIEW_FIELDS = [f for f in bulk.COPY_FIELDS[Review] if f not in WRITTEN]


class AnyOf(Lookup):
    """``field = ANY(%s)`` with the values as one array parameter, used as ``filter(AnyOf(F(name), values))``.

    An ``__in`` of ten thousand values costs Django a compile step per value and PostgreSQL a longer
    statement to parse; an array is one parameter.
    """

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*lhs_params, list(self.rhs)]


def any_of(name, values):
    """The filter ``name = ANY(values)``."""
    return AnyOf(F(name), values)


@dataclass
class Plan:
    """The writes an import makes; rows are tuples of values in ``ROW_FIELDS`` (or NEW_REVIEW_FIELDS) order."""

    ids: dict[str, int]  # the register's reviews named by the files: id by reference
    new_reviews: list[tuple] = field(default_factory=list)
    updated: dict[str, Review] = field(default_factory=dict)  # the register's reviews to save, by reference
    unchanged: int = 0
    rows: dict[str, dict[str, list[tuple]]] = field(default_factory=dict)  # kind: reference: rows
    replaced: dict[str, list[str]] = field(default_factory=dict)  # kind: the references whose rows are replaced

    @property
    def new_references(self):
        return [row[0] for row in self.new_reviews]


def existing_reviews(parsed):
    """The reviews of the register named anywhere in the files, by reference, in one query."""
    references = set()
    for name, parsed_file in parsed.items():
        references.update(parsed_file.values["reference" if name == REVIEWS else "review"])
    references.discard("")
    has_evaluation = Exists(Evaluation.objects.filter(review=OuterRef("pk")))
    reviews = Review.objects.filter(any_of("reference", references)).annotate(has_evaluation=has_evaluation)
    return {review.reference: review for review in reviews}


def status(has_evaluation, submitted_date):
    """SPEC section 4's status rule: evaluated if it has an evaluation, else submitted if dated, else draft."""
    if has_evaluation:
        return Review.Status.EVALUATED
    if submitted_date is not None:
        return Review.Status.SUBMITTED
    return Review.Status.DRAFT


def plan(parsed, boards, existing):
    """The ``Plan`` of an import of the checked files ``parsed`` into a register holding ``existing``."""
    result = Plan(ids={reference: review.pk for reference, review in existing.items()})
    review_rows = parsed[REVIEWS].records
    csv_refs = {row.values["reference"] for row in review_rows}
    rows = {name: _group(parsed[name]) for name in ROW_MODELS if name in parsed}
    rows[CONTRIBUTIONS] = {
        row.values["reference"]: [(boards[code],) for code in row.values["other_boards"]] for row in review_rows
    }
    evaluations = rows.get(EVALUATIONS)

    for row in review_rows:
        values = row.values
        reference = values["reference"]
        current = existing.get(reference)
        target = {key: values[key] for key in REVIEW_FIELDS if key not in ("board_id", "status")}
        target["board_id"] = boards[values["board"]]
        if evaluations is not None:
            has_evaluation = reference in evaluations
        else:
            has_evaluation = current is not None and current.has_evaluation
        target["status"] = status(has_evaluation, values["submitted_date"])
        if current is None:
            result.new_reviews.append(_new_review(reference, target, rows, has_evaluation))
        elif any(getattr(current, key) != value for key, value in target.items()):
            for key, value in target.items():
                setattr(current, key, value)
            result.updated[reference] = current
    # A review of the register named only by evaluations.csv is now evaluated.
    for reference in (evaluations or {}).keys() - csv_refs:
        current = existing[reference]
        if current.status != Review.Status.EVALUATED:
            current.status = Review.Status.EVALUATED
            result.updated[reference] = current

    # Contributing boards of every review of reviews.csv, and for each of children.csv, findings.csv and
    # evaluations.csv given, that kind of row of the reviews of reviews.csv and of those the file names:
    # a review of the register whose rows differ from the files' gets them replaced; one that already has
    # exactly those rows is left alone.
    for name, grouped in rows.items():
        targets = csv_refs if name == CONTRIBUTIONS else csv_refs | grouped.keys()
        result.replaced[name] = _differing(name, targets, grouped, existing)
        result.updated.update((r, existing[r]) for r in result.replaced[name] if r not in result.updated)
    result.rows = rows
    result.unchanged = len(csv_refs - set(result.new_references) - result.updated.keys())
    return result


def _new_review(reference, target, rows, has_evaluation):
    """A new review's values: the register's flags that triggers keep are set already, so they find nothing
    left to change (and write no update event)."""
    latest_judgement, latest_date = "", None
    if has_evaluation:
        sequence = ROW_FIELDS[EVALUATIONS].index("sequence")
        latest = max(rows[EVALUATIONS][reference], key=lambda values: values[sequence])
        latest_judgement = latest[ROW_FIELDS[EVALUATIONS].index("judgement")]
        latest_date = latest[ROW_FIELDS[EVALUATIONS].index("completed_date")]
    known = ROW_FIELDS[CHILDREN].index("known_to_social_care")
    any_child_known = any(child[known] for child in rows.get(CHILDREN, {}).get(reference, ()))
    values = {
        **target,
        "reference": reference,
        "review_type": Review.ReviewType.SCR.value,
        "latest_judgement": latest_judgement,
        "latest_evaluated_date": latest_date,
        "any_child_known": any_child_known,
        "cross_area": bool(rows[CONTRIBUTIONS][reference]),
        "version": 1,
    }
    return tuple(values[name] for name in NEW_REVIEW_FIELDS)


def _group(parsed):
    """A file's rows by review reference, each a tuple of model field values in ROW_FIELDS order."""
    values = parsed.values
    grouped = defaultdict(list)
    rows = zip(*(values[f] for f in ROW_FIELDS[parsed.name]), strict=True)
    for reference, row in zip(values["review"], rows, strict=True):
        grouped[reference].append(row)
    return grouped


def _differing(name, targets, grouped, existing):
    """The references of the register's reviews among ``targets`` whose rows differ from ``grouped``.

    Rows are compared as multisets of values, all of a table's at once: what the register has but the
    files do not, and the other way round, name the reviews that differ.
    """
    old = {existing[r].pk: r for r in targets if r in existing}
    if not old:
        return []
    model = ROW_MODELS[name]
    have = Counter(model.objects.filter(any_of("review_id", old)).values_list("review_id", *ROW_FIELDS[name]))
    want = Counter((pk, *values) for pk, r in old.items() for values in grouped.get(r, ()))
    return sorted({old[row[0]] for row in (have - want) + (want - have)})
