"""The CSV import (SPEC section 4): all or nothing, every error as FILE:LINE: COLUMN: message."""

import datetime
import gc
import io

import pghistory.models
import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reviews.imports import import_reviews
from reviews.models import Child, Contribution, Evaluation, Finding, Review
from tests.factories import ChildFactory, EvaluationFactory, FindingFactory, ReviewFactory, UserFactory

D = datetime.date

REVIEWS_HEADER = (
    "reference,board,other_boards,title,incident_date,decision_date,completed_date,submitted_date,"
    "independent_chair,independent_author,summary"
)
CHILDREN_HEADER = (
    "review,pseudonym,sex,age_band,ethnicity,outcome,known_to_social_care,child_protection_plan,looked_after"
)
FINDINGS_HEADER = "review,category,agency,description"
EVALUATIONS_HEADER = "review,sequence,received_date,completed_date,judgement,summary"

GOOD = {
    "reviews.csv": f"{REVIEWS_HEADER}\n"
    "SCR-2008-001,E08000025,E08000026;E08000029,Review of services to Child A,"
    "2008-01-10,2008-02-01,2008-06-01,2008-06-10,yes,no,Agencies did not share information.\n"
    "SCR-2008-002,E10000004,,Review of services to Child B,2008-03-01,,,,,,\n",
    "children.csv": f"""{CHILDREN_HEADER}
SCR-2008-001,Child A,female,under_1,WBRI,died,yes,no,
SCR-2008-001,Sibling B,male,1_to_5,,serious_harm,no,,yes
SCR-2008-002,Child C,not_known,16_plus,MWBC,serious_harm,,,
""",
    "findings.csv": f"""{FINDINGS_HEADER}
SCR-2008-001,joint_working_across,police,Police did not tell social care.
SCR-2008-001,child_focus,,
""",
    "evaluations.csv": f"""{EVALUATIONS_HEADER}
SCR-2008-001,1,2008-06-20,2008-08-01,inadequate,Lessons unclear.
SCR-2008-001,2,2008-12-01,2009-01-15,good,Much improved.
""",
}


def run(files, **kwargs):
    """Import CSV texts given by file name, as the command and the admin page do (UTF-8 bytes)."""
    streams = {name: io.BytesIO(text.encode()) for name, text in files.items()}
    return import_reviews(files=streams, **kwargs)


def errors_of(files):
    result = run(files)
    assert not result.ok
    return result.errors


def snapshot():
    """Everything the import may write, history included."""
    return {
        "reviews": list(Review.objects.values_list("reference", "title", "status", "version").order_by("reference")),
        "children": Child.objects.count(),
        "findings": Finding.objects.count(),
        "evaluations": Evaluation.objects.count(),
        "contributions": Contribution.objects.count(),
        "events": pghistory.models.Events.objects.count(),
        "contexts": pghistory.models.Context.objects.count(),
    }


def with_reviews(*rows):
    return {"reviews.csv": "\n".join([REVIEWS_HEADER, *rows]) + "\n"}


# ------------------------------------------------------------------------------------------ a good bundle


@pytest.mark.django_db
def test_a_good_bundle_is_imported_field_by_field():
    result = run(GOOD)

    assert result.errors == []
    assert (result.reviews_created, result.reviews_updated, result.reviews_unchanged) == (2, 0, 0)
    assert result.created == {"children": 3, "findings": 2, "evaluations": 2, "recommendations": 0, "actions": 0}

    first = Review.objects.get(reference="SCR-2008-001")
    assert first.board.gss_code == "E08000025"
    assert sorted(first.other_boards.values_list("gss_code", flat=True)) == ["E08000026", "E08000029"]
    assert first.title == "Review of services to Child A"
    assert (first.incident_date, first.decision_date, first.completed_date, first.submitted_date) == (
        D(2008, 1, 10),
        D(2008, 2, 1),
        D(2008, 6, 1),
        D(2008, 6, 10),
    )
    assert (first.independent_chair, first.independent_author) == (True, False)
    assert first.summary == "Agencies did not share information."
    assert first.review_type == Review.ReviewType.SCR
    assert first.status == Review.Status.EVALUATED
    assert (first.latest_judgement, first.latest_evaluated_date) == ("good", D(2009, 1, 15))
    assert (first.any_child_known, first.cross_area) == (True, True)

    child_a, sibling = first.children.order_by("pseudonym")
    assert (child_a.pseudonym, child_a.sex, child_a.age_band, child_a.ethnicity, child_a.outcome) == (
        "Child A",
        "female",
        "under_1",
        "WBRI",
        "died",
    )
    assert (child_a.known_to_social_care, child_a.child_protection_plan, child_a.looked_after) == (True, False, None)
    assert (sibling.ethnicity, sibling.outcome, sibling.known_to_social_care, sibling.looked_after) == (
        "",
        "serious_harm",
        False,
        True,
    )

    findings = list(first.findings.order_by("category").values_list("category", "agency", "description"))
    assert findings == [
        ("child_focus", "", ""),
        ("joint_working_across", "police", "Police did not tell social care."),
    ]

    evaluations = list(
        first.evaluations.values_list("sequence", "received_date", "completed_date", "judgement", "summary")
    )
    assert evaluations == [
        (1, D(2008, 6, 20), D(2008, 8, 1), "inadequate", "Lessons unclear."),
        (2, D(2008, 12, 1), D(2009, 1, 15), "good", "Much improved."),
    ]

    second = Review.objects.get(reference="SCR-2008-002")
    assert second.board.gss_code == "E10000004"  # Cheshire, abolished in 2009, keeps its reviews
    assert second.other_boards.count() == 0
    assert (second.decision_date, second.independent_chair, second.summary) == (None, None, "")
    assert second.status == Review.Status.DRAFT
    assert (second.any_child_known, second.cross_area) == (False, False)
    assert list(second.children.values_list("sex", "age_band", "ethnicity")) == [("not_known", "16_plus", "MWBC")]


@pytest.mark.django_db
def test_every_write_is_in_the_audit_trail_with_the_import_as_its_context():
    user = UserFactory(role="admin")
    run(GOOD, user=user)

    contexts = list(pghistory.models.Context.objects.all())
    assert len(contexts) == 1
    assert contexts[0].metadata == {
        "source": "import",
        "user": user.pk,
        "username": user.username,
        "name": user.get_full_name() or user.username,
        "operator": user.username,
        "files": ["children.csv", "evaluations.csv", "findings.csv", "reviews.csv"],
    }
    events = pghistory.models.Events.objects.all()
    assert {event.pgh_context_id for event in events} == {contexts[0].id}
    labels = sorted((event.pgh_model, event.pgh_label) for event in events)
    assert labels == sorted(
        [("reviews.ReviewEvent", "insert")] * 2
        + [("reviews.ContributionEvent", "insert")] * 2
        + [("reviews.ChildEvent", "insert")] * 3
        + [("reviews.FindingEvent", "insert")] * 2
        + [("reviews.EvaluationEvent", "insert")] * 2
    )
    review = Review.objects.get(reference="SCR-2008-001")
    inserted = review.events.get(pgh_label="insert")
    assert (inserted.title, inserted.status, inserted.latest_judgement) == (review.title, "evaluated", "good")


def _audit_trail():
    """Every event of the import, as comparable values: no ids or clock times, reviews by reference."""
    references = dict(Review.objects.values_list("pk", "reference"))
    trail = []
    for event in pghistory.models.Events.objects.all():
        data = {k: v for k, v in event.pgh_data.items() if k not in ("id", "pgh_id", "created_at", "updated_at")}
        for key in ("review", "review_id"):
            if key in data:
                data[key] = references.get(data[key])
        data["pgh_obj_id"] = references.get(event.pgh_obj_id) if event.pgh_obj_model == "reviews.Review" else None
        trail.append((event.pgh_model, event.pgh_label, event.pgh_context["source"], sorted(data.items(), key=str)))
    return sorted(trail, key=str)


def _snapshot(instance, event):
    """The tracked fields of a live row, and of one of its events, as comparable dicts."""
    names = [f.attname for f in event._meta.concrete_fields if not f.name.startswith("pgh_")]
    return {n: getattr(instance, n) for n in names}, {n: getattr(event, n) for n in names}


@pytest.mark.django_db
def test_the_audit_trail_of_an_import_has_one_event_per_row_written_as_it_was_written():
    replacement = {**GOOD, "children.csv": f"{CHILDREN_HEADER}\nSCR-2008-001,Child Z,male,6_to_10,,died,,,\n"}
    assert run(GOOD).errors == []
    children = {child.pk: child for child in Child.objects.all()}
    assert run(replacement).errors == []  # deletes and updates too
    trail = _audit_trail()
    # Inserts of reviews, contributions, children, findings, evaluations; then three children deleted, one
    # inserted, and both reviews updated (a new version).
    assert len(trail) == 2 + 2 + 3 + 2 + 2 + 3 + 1 + 2
    child_event = apps.get_model("reviews", "ChildEvent")
    for pk, child in children.items():  # each deleted child's last snapshot is the row as it was
        live, recorded = _snapshot(child, child_event.objects.get(pgh_obj_id=pk, pgh_label="delete"))
        assert recorded == live
    for model in (Review, Contribution, Child, Finding, Evaluation):
        event_model = apps.get_model("reviews", f"{model.__name__}Event")
        for row in model.objects.all():  # each row's newest snapshot holds what the register holds
            live, recorded = _snapshot(row, event_model.objects.filter(pgh_obj_id=row.pk).latest("pgh_id"))
            assert recorded == live


@pytest.mark.django_db
def test_rows_saved_after_an_import_get_their_insert_update_and_delete_events():
    assert run(GOOD).errors == []
    review = Review.objects.get(reference="SCR-2008-002")
    child = ChildFactory(review=review)
    pk = child.pk
    child.pseudonym = "Renamed"
    child.save()
    child.delete()
    child_events = apps.get_model("reviews", "ChildEvent").objects.filter(pgh_obj_id=pk)
    labels = list(child_events.order_by("pgh_id").values_list("pgh_label", flat=True))
    assert labels == ["insert", "update", "delete"]


@pytest.mark.django_db
def test_an_import_still_works_while_another_session_is_writing():
    """The import takes no lock stronger than a writer's: no trigger is switched off with ALTER TABLE."""
    from tests.connections import second_session

    other = second_session()
    try:
        with other.cursor() as cursor:  # an open transaction that writes findings, as a web request would
            cursor.execute("SET lock_timeout = '5s'")
            cursor.execute("LOCK TABLE reviews_finding IN ROW EXCLUSIVE MODE")
        assert run(GOOD).errors == []
    finally:
        other.rollback()
        other.close()
    assert Finding.objects.count() == 2
    assert pghistory.models.Events.objects.filter(pgh_model="reviews.FindingEvent").count() == 2


@pytest.mark.django_db
def test_a_header_with_a_byte_order_mark_and_blank_lines_are_accepted():
    files = {"reviews.csv": "\ufeff" + REVIEWS_HEADER + "\r\n\r\nSCR-1,E08000025,,Title,,,,,,,\r\n,,,,,,,,,,\r\n"}
    result = run(files)
    assert result.errors == []
    assert list(Review.objects.values_list("reference", flat=True)) == ["SCR-1"]


@pytest.mark.django_db
def test_columns_may_come_in_any_order_and_optional_ones_may_be_left_out():
    result = run({"reviews.csv": "title,board,reference\nA review,E08000025,SCR-1\n"})
    assert result.errors == []
    review = Review.objects.get()
    assert (review.reference, review.title, review.summary, review.incident_date) == ("SCR-1", "A review", "", None)


# ------------------------------------------------------------------------------------------ errors


BAD_CASES = [
    pytest.param(
        with_reviews("SCR-1,E08000025,,,,,,,,,"),
        "reviews.csv:2: title: a value is required",
        id="required value",
    ),
    pytest.param(
        with_reviews("SCR-1,E99999999,,A,,,,,,,"),
        "reviews.csv:2: board: unknown board E99999999: use the board's GSS code",
        id="unknown board",
    ),
    pytest.param(
        with_reviews("SCR-1,E08000025,E08000026;X1,A,,,,,,,"),
        "reviews.csv:2: other_boards: unknown board X1: use the board's GSS code",
        id="unknown contributing board",
    ),
    pytest.param(
        with_reviews("SCR-1,E08000025,E08000026;E08000026,A,,,,,,,"),
        "reviews.csv:2: other_boards: board E08000026 is listed more than once",
        id="contributing board twice",
    ),
    pytest.param(
        with_reviews("SCR-1,E08000025,E08000025,A,,,,,,,"),
        "reviews.csv:2: other_boards: E08000025 is the lead board, not a contributing board",
        id="lead board contributing",
    ),
    pytest.param(
        with_reviews("SCR-1,E08000025,,A,10/01/2008,,,,,,"),
        'reviews.csv:2: incident_date: "10/01/2008" is not a date in the form YYYY-MM-DD',
        id="date format",
    ),
    pytest.param(
        with_reviews("SCR-1,E08000025,,A,,2008-02-30,,,,,"),
        'reviews.csv:2: decision_date: "2008-02-30" is not a date in the form YYYY-MM-DD',
        id="impossible date",
    ),
    pytest.param(
        with_reviews("SCR-1,E08000025,,A,2008-03-01,2008-02-01,,,,,"),
        "reviews.csv:2: decision_date: 2008-02-01 is before incident_date 2008-03-01",
        id="decision before incident",
    ),
    pytest.param(
        with_reviews("SCR-1,E08000025,,A,,2008-03-01,2008-02-01,,,,"),
        "reviews.csv:2: completed_date: 2008-02-01 is before decision_date 2008-03-01",
        id="completion before decision",
    ),
    pytest.param(
        with_reviews("SCR-1,E08000025,,A,2008-03-01,,,2008-02-01,,,"),
        "reviews.csv:2: submitted_date: 2008-02-01 is before incident_date 2008-03-01",
        id="submission before incident",
    ),
    pytest.param(
        with_reviews("SCR-1,E08000025,,A,,,,,maybe,,"),
        'reviews.csv:2: independent_chair: "maybe" is not yes or no (leave it blank when not known)',
        id="boolean",
    ),
    pytest.param(
        with_reviews("S" * 41 + ",E08000025,,A,,,,,,,"),
        "reviews.csv:2: reference: must be at most 40 characters (this has 41)",
        id="too long",
    ),
    pytest.param(
        with_reviews("SCR-1,E08000025,,A\x00,,,,,,,"),
        "reviews.csv:2: title: contains a NUL character, which cannot be stored",
        id="NUL character",
    ),
    pytest.param(
        with_reviews("SCR-1,E08000025,,A,,,,,,,", "SCR-2,E08000025,,B,,,,,,,", "SCR-1,E08000025,,C,,,,,,,"),
        "reviews.csv:4: reference: reference SCR-1 appears more than once (first on line 2)",
        id="duplicate reference at its second occurrence",
    ),
    pytest.param(
        with_reviews("SCR-1,E08000025,,A,,,,,,"),
        "reviews.csv:2: -: the row has 10 values but the header has 11 columns",
        id="short row",
    ),
    pytest.param(
        {"reviews.csv": "reference,board,title,colour\nSCR-1,E08000025,A,red\n"},
        "reviews.csv:1: colour: unknown column; reviews.csv may have reference, board, other_boards, title, "
        "incident_date, decision_date, completed_date, submitted_date, independent_chair, independent_author, summary",
        id="unknown column",
    ),
    pytest.param(
        {"reviews.csv": "reference,board\nSCR-1,E08000025\n"},
        "reviews.csv:1: title: required column is missing from the header",
        id="missing column",
    ),
    pytest.param(
        {"reviews.csv": "reference,board,title,title\nSCR-1,E08000025,A,B\n"},
        "reviews.csv:1: title: the column appears more than once in the header",
        id="column twice",
    ),
    pytest.param(
        {"reviews.csv": ""},
        "reviews.csv:1: -: the file is empty: it needs a header row naming its columns",
        id="empty file",
    ),
    pytest.param(
        {"children.csv": f"{CHILDREN_HEADER}\nSCR-1,Child A,female,under_1,,died,,,\n"},
        "reviews.csv:1: -: the file is missing; every import needs reviews.csv",
        id="no reviews.csv",
    ),
    pytest.param(
        {**with_reviews("SCR-1,E08000025,,A,,,,,,,"), "finding.csv": "review\n"},
        "finding.csv:1: -: unknown file: the import reads reviews.csv, children.csv, findings.csv, evaluations.csv, "
        "recommendations.csv, actions.csv",
        id="unknown file",
    ),
    pytest.param(
        {
            **with_reviews("SCR-1,E08000025,,A,,,,,,,"),
            "children.csv": f"{CHILDREN_HEADER}\nSCR-1,Child A,girl,under_1,,died,,,\n",
        },
        'children.csv:2: sex: unknown value "girl"; use one of female, male, not_known',
        id="unknown choice",
    ),
    pytest.param(
        {
            **with_reviews("SCR-1,E08000025,,A,,,,,,,"),
            "children.csv": f"{CHILDREN_HEADER}\nSCR-1,Child A,female,under_1,XXXX,died,,,\n",
        },
        'children.csv:2: ethnicity: unknown value "XXXX"; use one of WBRI, WIRI, WIRT, WROM, WOTH, MWBC, MWBA, '
        "MWAS, MOTH, AIND, APKN, ABAN, AOTH, BCRB, BAFR, BOTH, CHNE, OOTH, REFU, NOBT",
        id="unknown ethnicity code",
    ),
    pytest.param(
        {
            **with_reviews("SCR-1,E08000025,,A,,,,,,,"),
            "children.csv": f"{CHILDREN_HEADER}\nSCR-1,Child A,female,under_1,,,,,\n",
        },
        "children.csv:2: outcome: a value is required",
        id="child outcome required",
    ),
    pytest.param(
        {
            **with_reviews("SCR-1,E08000025,,A,,,,,,,"),
            "findings.csv": f"{FINDINGS_HEADER}\nSCR-9,weak_management,,\n",
        },
        "findings.csv:2: review: no review with reference SCR-9 in reviews.csv or the register",
        id="unknown review reference",
    ),
    pytest.param(
        {
            **with_reviews("SCR-1,E08000025,,A,,,,,,,"),
            "findings.csv": f"{FINDINGS_HEADER}\nSCR-1,weak_management,army,\n",
        },
        'findings.csv:2: agency: unknown value "army"; use one of childrens_social_care, health, police, education, '
        "probation, housing, adult_services, voluntary_sector, other",
        id="unknown agency",
    ),
    pytest.param(
        {
            **with_reviews("SCR-1,E08000025,,A,,,,,,,"),
            "evaluations.csv": f"{EVALUATIONS_HEADER}\nSCR-1,0,2008-07-01,2008-08-01,good,\n",
        },
        'evaluations.csv:2: sequence: "0" is not a whole number from 1 upwards',
        id="sequence",
    ),
    pytest.param(
        {
            **with_reviews("SCR-1,E08000025,,A,,,,,,,"),
            "evaluations.csv": f"{EVALUATIONS_HEADER}\nSCR-1,1,2008-07-01,2008-08-01,good,\n"
            "SCR-1,1,2008-07-01,2008-08-02,adequate,\n",
        },
        "evaluations.csv:3: sequence: review SCR-1 already has evaluation 1 (on line 2)",
        id="duplicate sequence",
    ),
    pytest.param(
        {
            **with_reviews("SCR-1,E08000025,,A,,,,,,,"),
            "evaluations.csv": f"{EVALUATIONS_HEADER}\nSCR-1,1,2008-08-01,2008-07-01,good,\n",
        },
        "evaluations.csv:2: completed_date: 2008-07-01 is before received_date 2008-08-01",
        id="evaluation completed before received",
    ),
    pytest.param(
        {
            **with_reviews("SCR-1,E08000025,,A,,,,,,,"),
            "evaluations.csv": f"{EVALUATIONS_HEADER}\nSCR-1,1,2008-08-01,2008-09-01,excellent,\n",
        },
        'evaluations.csv:2: judgement: unknown value "excellent"; use one of outstanding, good, adequate, inadequate',
        id="unknown judgement",
    ),
    pytest.param(
        with_reviews("SCR-2008-e08000025-0007,E08000026,,A,,,,,,,"),
        "reviews.csv:2: reference: reference SCR-2008-e08000025-0007 includes another board's GSS code, E08000025; "
        "a reference may include only its lead board's code, E08000026",
        id="another board's code in the reference",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("files", "error"), BAD_CASES)
def test_each_kind_of_error_is_reported_as_file_line_column_message(files, error):
    before = snapshot()
    assert errors_of(files) == [error]
    assert snapshot() == before


@pytest.mark.django_db
def test_every_error_is_reported_not_just_the_first_in_file_and_line_order():
    files = {
        "reviews.csv": f"""{REVIEWS_HEADER}
SCR-1,E99999999,,,2008-13-01,,,,,,
SCR-2,E08000025,,Fine,,,,,,,
SCR-1,E08000025,,Again,,,,,perhaps,,
""",
        "findings.csv": f"""{FINDINGS_HEADER}
SCR-2,bad_category,,
SCR-404,weak_management,,
""",
    }
    assert errors_of(files) == [
        "reviews.csv:2: board: unknown board E99999999: use the board's GSS code",
        "reviews.csv:2: title: a value is required",
        'reviews.csv:2: incident_date: "2008-13-01" is not a date in the form YYYY-MM-DD',
        "reviews.csv:4: reference: reference SCR-1 appears more than once (first on line 2)",
        'reviews.csv:4: independent_chair: "perhaps" is not yes or no (leave it blank when not known)',
        'findings.csv:2: category: unknown value "bad_category"; use one of weak_management, joint_working_within, '
        "joint_working_across, child_focus, staff_expertise, risk_assessment, ethnic_cultural, information_sharing, "
        "record_keeping, other",
        "findings.csv:3: review: no review with reference SCR-404 in reviews.csv or the register",
    ]


@pytest.mark.django_db
def test_line_numbers_count_the_header_and_the_lines_inside_quoted_values():
    files = with_reviews('SCR-1,E08000025,,A,,,,,,,"first line\nsecond line"', "SCR-2,E08000025,,,,,,,,,")
    assert errors_of(files) == ["reviews.csv:4: title: a value is required"]


@pytest.mark.django_db
def test_a_file_that_is_not_utf8_is_reported_at_the_line_of_the_bad_byte():
    streams = {"reviews.csv": io.BytesIO(f"{REVIEWS_HEADER}\nSCR-1,E08000025,,Caf\xe9,,,,,,,\n".encode("latin-1"))}
    result = import_reviews(files=streams)
    assert result.errors == ["reviews.csv:2: -: the file is not UTF-8 text (save it as 'CSV UTF-8')"]


@pytest.mark.django_db
def test_nothing_is_written_after_a_failure_even_when_most_rows_are_good():
    run(GOOD)
    before = snapshot()
    files = {
        **GOOD,
        "reviews.csv": GOOD["reviews.csv"] + "SCR-2008-003,E08000025,,New review,,,,,,,\n",
        "findings.csv": GOOD["findings.csv"] + "SCR-2008-003,no_such_category,,\n",
    }
    assert errors_of(files) == [
        'findings.csv:4: category: unknown value "no_such_category"; use one of weak_management, '
        "joint_working_within, joint_working_across, child_focus, staff_expertise, risk_assessment, "
        "ethnic_cultural, information_sharing, record_keeping, other"
    ]
    assert snapshot() == before
    assert not Review.objects.filter(reference="SCR-2008-003").exists()


# ------------------------------------------------------------------------------------------ re-imports


@pytest.mark.django_db
def test_reimporting_the_same_files_changes_nothing_at_all():
    run(GOOD)
    before = snapshot()
    updated_at = dict(Review.objects.values_list("reference", "updated_at"))
    child_ids = set(Child.objects.values_list("pk", flat=True))

    result = run(GOOD)

    assert result.errors == []
    assert (result.reviews_created, result.reviews_updated, result.reviews_unchanged) == (0, 0, 2)
    assert result.created == {"children": 0, "findings": 0, "evaluations": 0, "recommendations": 0, "actions": 0}
    assert snapshot() == before  # no new history either
    assert dict(Review.objects.values_list("reference", "updated_at")) == updated_at
    assert set(Child.objects.values_list("pk", flat=True)) == child_ids


@pytest.mark.django_db
def test_a_reimport_updates_changed_reviews_by_reference_and_bumps_their_version():
    run(GOOD)
    changed = {**GOOD, "reviews.csv": GOOD["reviews.csv"].replace("Review of services to Child B", "Renamed")}
    result = run(changed)

    assert (result.reviews_created, result.reviews_updated, result.reviews_unchanged) == (0, 1, 1)
    review = Review.objects.get(reference="SCR-2008-002")
    assert (review.title, review.version) == ("Renamed", 2)
    assert Review.objects.get(reference="SCR-2008-001").version == 1
    assert review.events.order_by("pgh_id").last().pgh_label == "update"


@pytest.mark.django_db
def test_a_reviews_children_findings_and_evaluations_are_replaced_by_the_files():
    run(GOOD)
    files = {
        "reviews.csv": GOOD["reviews.csv"],
        "children.csv": f"{CHILDREN_HEADER}\nSCR-2008-001,Child Z,male,6_to_10,,died,,,\n",
        "findings.csv": f"{FINDINGS_HEADER}\n",
        "evaluations.csv": f"{EVALUATIONS_HEADER}\nSCR-2008-002,1,2008-07-01,2008-08-01,adequate,\n",
    }
    result = run(files)

    assert result.errors == []
    assert result.deleted == {"children": 3, "findings": 2, "evaluations": 2, "recommendations": 0, "actions": 0}
    first = Review.objects.get(reference="SCR-2008-001")
    second = Review.objects.get(reference="SCR-2008-002")
    assert list(first.children.values_list("pseudonym", flat=True)) == ["Child Z"]
    assert list(second.children.all()) == []  # in reviews.csv, absent from children.csv: none now
    assert Finding.objects.count() == 0
    assert list(first.evaluations.all()) == []
    assert (first.status, first.latest_judgement, first.latest_evaluated_date) == ("submitted", "", None)
    assert (second.status, second.latest_judgement) == ("evaluated", "adequate")


@pytest.mark.django_db
def test_a_file_left_out_leaves_that_kind_of_row_untouched():
    run(GOOD)
    result = run({"reviews.csv": GOOD["reviews.csv"]})

    assert result.errors == []
    assert (Child.objects.count(), Finding.objects.count(), Evaluation.objects.count()) == (3, 2, 2)
    assert Review.objects.get(reference="SCR-2008-001").status == "evaluated"  # its evaluations still stand


@pytest.mark.django_db
def test_contributing_boards_are_replaced_by_the_file():
    run(GOOD)
    files = {"reviews.csv": GOOD["reviews.csv"].replace("E08000026;E08000029", "E08000030")}
    run(files)
    review = Review.objects.get(reference="SCR-2008-001")
    assert list(review.other_boards.values_list("gss_code", flat=True)) == ["E08000030"]


@pytest.mark.django_db
def test_rows_may_name_a_review_already_in_the_register():
    existing = ReviewFactory(reference="SCR-OLD", status="submitted", title="Kept as it was")
    ChildFactory(review=existing, pseudonym="Old child")
    keep = FindingFactory(review=existing)
    files = {
        **with_reviews("SCR-NEW,E08000025,,New,,,,,,,"),
        "children.csv": f"{CHILDREN_HEADER}\nSCR-OLD,Child Q,female,unborn,,died,,,\n",
        "evaluations.csv": f"{EVALUATIONS_HEADER}\nSCR-OLD,1,2008-07-01,2008-08-01,inadequate,\n",
    }
    result = run(files)

    assert result.errors == []
    existing.refresh_from_db()
    assert list(existing.children.values_list("pseudonym", flat=True)) == ["Child Q"]
    assert list(existing.findings.all()) == [keep]  # findings.csv not given
    assert (existing.status, existing.latest_judgement, existing.version) == ("evaluated", "inadequate", 2)
    assert existing.title == "Kept as it was"
    assert result.reviews_updated == 1


# ------------------------------------------------------------------------------------------ status


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("submitted", "evaluation", "status"),
    [
        ("", False, "draft"),
        ("2008-06-10", False, "submitted"),
        ("2008-06-10", True, "evaluated"),
        ("", True, "evaluated"),
    ],
)
def test_status_is_evaluated_with_an_evaluation_else_submitted_with_a_date_else_draft(submitted, evaluation, status):
    files = with_reviews(f"SCR-1,E08000025,,A,,,,{submitted},,,")
    if evaluation:
        files["evaluations.csv"] = f"{EVALUATIONS_HEADER}\nSCR-1,1,2008-07-01,2008-08-01,good,\n"
    assert run(files).errors == []
    assert Review.objects.get().status == status


@pytest.mark.django_db
def test_a_review_evaluated_in_the_register_stays_evaluated_when_evaluations_csv_is_not_given():
    evaluation = EvaluationFactory(review__reference="SCR-1")
    assert run(with_reviews("SCR-1,E08000025,,A,,,,,,,")).errors == []
    evaluation.review.refresh_from_db()
    assert evaluation.review.status == "evaluated"


# ------------------------------------------------------------------------------------------ odd text


@pytest.mark.django_db
def test_odd_text_is_stored_exactly():
    title = 'Child "A", a <script>alert(1)</script> & Zoë’s brother'
    summary = "  Line one, with commas\nLine two; «quotes» — 子供 \t tab  "
    quoted_title = '"' + title.replace('"', '""') + '"'
    quoted_summary = '"' + summary.replace('"', '""') + '"'
    files = {
        **with_reviews(f"SCR-1,E08000025,,{quoted_title},,,,,,,{quoted_summary}"),
        "findings.csv": f'{FINDINGS_HEADER}\nSCR-1,other,,"=SUM(A1:A2), ""quoted"""\n',
        "children.csv": f"{CHILDREN_HEADER}\nSCR-1,Child Ø,female,under_1,,died,,,\n",
    }
    assert run(files).errors == []
    review = Review.objects.get()
    assert review.title == title
    assert review.summary == summary
    assert review.findings.get().description == '=SUM(A1:A2), "quoted"'
    assert review.children.get().pseudonym == "Child Ø"


# ------------------------------------------------------------------------------------------ queries


def _bundle(n):
    reviews = [f"SCR-{i},E08000025,E08000026,Review {i},2008-01-01,,,2008-02-01,,," for i in range(n)]
    children = [f"SCR-{i},Child A,female,under_1,,died,yes,,no" for i in range(n)]
    findings = [f"SCR-{i},weak_management,police,x" for i in range(n) for _ in range(3)]
    evaluations = [f"SCR-{i},1,2008-03-01,2008-04-01,good," for i in range(n)]
    return {
        "reviews.csv": "\n".join([REVIEWS_HEADER, *reviews]),
        "children.csv": "\n".join([CHILDREN_HEADER, *children]),
        "findings.csv": "\n".join([FINDINGS_HEADER, *findings]),
        "evaluations.csv": "\n".join([EVALUATIONS_HEADER, *evaluations]),
    }


def _queries(files):
    with CaptureQueriesContext(connection) as queries:
        assert run(files).errors == []
    return len(queries)


@pytest.mark.django_db
def test_the_number_of_queries_does_not_grow_with_the_number_of_rows():
    big = {name: text.replace("SCR-", "BIG-") for name, text in _bundle(300).items()}
    small, large = _queries(_bundle(3)), _queries(big)
    # Reading, then writing each table in bulk: one statement per table, whatever the rows.
    assert small == large <= 30
    # An unchanged re-import only reads, in as few queries, whatever its size.
    assert _queries(_bundle(3)) == _queries(big) <= 12


@pytest.mark.django_db
@pytest.mark.parametrize("enabled", [True, False])
def test_an_import_leaves_pythons_cyclic_garbage_collector_as_it_found_it(enabled):
    # The import pauses the collector while it holds its rows; a web worker must not be left without it.
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        assert run(GOOD).ok
        assert gc.isenabled() is enabled
        assert not run(with_reviews("SCR-2008-009,E99999999,,Title,,,,,,,")).ok
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()


# ------------------------------------------------------------------------------------------ the command


def write(folder, files):
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.mark.django_db
def test_the_command_imports_a_folder_and_prints_a_summary(tmp_path, capsys):
    call_command("import_reviews", str(write(tmp_path / "bundle", GOOD)))
    out = capsys.readouterr().out
    assert "Reviews: 2 created, 0 updated, 0 unchanged." in out
    assert "Children: 3 written" in out
    assert "Evaluations: 2 written" in out
    assert Review.objects.count() == 2


@pytest.mark.django_db
def test_the_command_prints_every_error_to_stderr_and_exits_non_zero(tmp_path, capsys):
    files = {**GOOD, "findings.csv": f"{FINDINGS_HEADER}\nSCR-2008-001,nope,,\nSCR-X,other,,\n"}
    before = snapshot()
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_reviews", str(write(tmp_path / "bundle", files)))
    assert exit_info.value.code == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith('findings.csv:2: category: unknown value "nope"')
    assert err[1] == "findings.csv:3: review: no review with reference SCR-X in reviews.csv or the register"
    assert err[2] == "2 errors: nothing was imported."
    assert snapshot() == before


@pytest.mark.django_db
def test_the_command_reports_a_missing_folder_clearly(tmp_path):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="is not a folder"):
        call_command("import_reviews", str(tmp_path / "nowhere"))


@pytest.mark.django_db
def test_the_command_reports_a_missing_reviews_csv_as_file_line_column_message(tmp_path, capsys):
    folder = write(tmp_path / "bundle", {"children.csv": CHILDREN_HEADER + "\n"})
    before = snapshot()
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_reviews", str(folder))
    assert exit_info.value.code == 1
    assert capsys.readouterr().err.splitlines() == [
        "reviews.csv:1: -: the file is missing; every import needs reviews.csv",
        "1 error: nothing was imported.",
    ]
    assert snapshot() == before


def history_actors(reference):
    from reviews.history import review_history

    return {entry.actor for entry in review_history(Review.objects.get(reference=reference))}


@pytest.mark.django_db
def test_the_command_records_who_ran_it_and_the_history_names_them(tmp_path):
    call_command("import_reviews", str(write(tmp_path / "bundle", GOOD)), operator="jsmith")
    context = pghistory.models.Context.objects.get()
    assert (context.metadata["source"], context.metadata["operator"]) == ("import", "jsmith")
    assert history_actors("SCR-2008-001") == {"jsmith (with the import_reviews command)"}


@pytest.mark.django_db
def test_the_command_without_an_operator_records_the_operating_system_user(tmp_path, monkeypatch):
    import getpass

    monkeypatch.setattr(getpass, "getuser", lambda: "deploy")
    call_command("import_reviews", str(write(tmp_path / "bundle", GOOD)))
    assert pghistory.models.Context.objects.get().metadata["operator"] == "deploy"
    assert history_actors("SCR-2008-002") == {"deploy (with the import_reviews command)"}


@pytest.mark.django_db
def test_an_import_in_the_admin_is_recorded_under_the_admins_name_at_the_time(client, admin_user):
    from django.urls import reverse

    from tests.test_admin import uploads

    admin_user.first_name, admin_user.last_name = "Ada", "Admin"
    admin_user.save()
    client.force_login(admin_user)
    client.post(reverse("admin:reviews_review_import"), uploads(GOOD))
    metadata = pghistory.models.Context.objects.get().metadata
    assert (metadata["user"], metadata["operator"], metadata["name"]) == (
        admin_user.pk,
        admin_user.username,
        "Ada Admin",
    )
    admin_user.first_name = "Renamed"
    admin_user.save()
    assert history_actors("SCR-2008-001") == {"Ada Admin (importing CSV files in the admin)"}


@pytest.mark.django_db
def test_the_command_treats_a_misspelt_file_as_an_error_rather_than_ignoring_it(tmp_path, capsys):
    folder = write(tmp_path / "bundle", {"reviews.csv": GOOD["reviews.csv"], "finding.csv": FINDINGS_HEADER})
    with pytest.raises(SystemExit):
        call_command("import_reviews", str(folder))
    assert capsys.readouterr().err.startswith("finding.csv:1: -: unknown file")


@pytest.mark.django_db
def test_the_command_reports_progress_on_large_files(tmp_path, capsys):
    call_command("import_reviews", str(write(tmp_path / "bundle", _bundle(5_000))))
    err = capsys.readouterr().err
    assert "reviews.csv: 5,000 rows read" in err
    assert "findings.csv: 15,000 rows read" in err
