"""Free text: every field has a limit a real report section fits in, shown with GOV.UK's character count and
held by the forms, the import and the database; characters XML 1.0 cannot carry are refused on the way in and
never written to an export, whatever is already stored."""

import datetime
import html
import importlib
import io
import re
import zipfile

import openpyxl
import pytest
from bs4 import BeautifulSoup
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from reviews.models import AgencyInvolvement, Evaluation, Finding, Review
from reviews.validators import ILLEGAL_XML_CHARACTERS
from tests.factories import EvaluationFactory, FindingFactory, ReviewFactory
from tests.register_data import csv_rows
from tests.review_pages import ORIGIN, agency_row, child_row, finding_row, review_data, text_of
from tests.test_evaluate import evaluate_url, evaluation_data
from tests.test_import import REVIEWS_HEADER, errors_of, with_reviews

pytestmark = pytest.mark.django_db

NEW = "/reviews/new/"


@pytest.fixture
def board_staff(client, board_user):
    client.force_login(board_user)
    return client


@pytest.fixture
def an_inspector(client, inspector):
    client.force_login(inspector)
    return client


@pytest.fixture
def submitted(birmingham):
    return ReviewFactory(board=birmingham, submitted_date=datetime.date(2008, 6, 10))


def error_messages(response):
    """The page's field error messages, as the user reads them."""
    found = re.findall(r'class="govuk-error-message"[^>]*>(.*?)</p>', response.content.decode(), flags=re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", text)).replace("Error:", "").strip() for text in found]


# Characters XML 1.0 cannot carry -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"title": "Review of Child A\uffff"},
            "The title must not include the character U+FFFF, which cannot be saved (it is character 18)",
        ),
        (
            {"summary": "\ufffeWhat happened."},
            "Summary must not include the character U+FFFE, which cannot be saved (it is character 1)",
        ),
        (
            {"reference": "SCR-E08000025-\x01"},
            "The reference must not include the character U+0001, which cannot be saved (it is character 15)",
        ),
        (
            {"children": [child_row("Child \uffff")]},
            "The pseudonym must not include the character U+FFFF, which cannot be saved (it is character 7)",
        ),
        (
            {"children": [child_row()], "agencies": [agency_row(notes="Seen\x0bonce")]},
            "Notes must not include the character U+000B, which cannot be saved (it is character 5)",
        ),
        (
            {"children": [child_row()], "findings": [finding_row(description="Not shared\uffff")]},
            "Description must not include the character U+FFFF, which cannot be saved (it is character 11)",
        ),
    ],
)
def test_board_staff_cannot_save_text_holding_a_character_xml_cannot_carry(board_staff, birmingham, fields, message):
    response = board_staff.post(NEW, review_data(birmingham, **fields), headers=ORIGIN)
    assert response.status_code == 200
    assert message in error_messages(response)
    assert not Review.objects.exists()


def test_an_inspector_cannot_save_an_evaluation_summary_holding_u_ffff(an_inspector, submitted):
    response = an_inspector.post(evaluate_url(submitted), evaluation_data(summary="Thorough\uffff"), headers=ORIGIN)
    assert response.status_code == 200
    assert (
        "Summary of the evaluation must not include the character U+FFFF, which cannot be saved (it is character 9)"
        in error_messages(response)
    )
    assert not Evaluation.objects.exists()


def test_text_with_tabs_line_breaks_emoji_and_accents_is_still_saved(board_staff, birmingham):
    summary = "Café staff\tsaw her.\nChild A said 😢 ‘twice’."
    response = board_staff.post(NEW, review_data(birmingham, summary=summary), headers=ORIGIN)
    assert response.status_code == 302
    assert Review.objects.get().summary == summary


@pytest.mark.parametrize(
    ("model", "field", "value"),
    [
        (Review, "title", "Review\uffff"),
        (Review, "reference", "SCR\ufffe"),
        (Review, "summary", "What \x1fhappened"),
        (Finding, "description", "Not shared\uffff"),
        (AgencyInvolvement, "notes", "\x08"),
        (Evaluation, "summary", "Good\uffff"),
    ],
)
def test_model_validation_refuses_a_character_xml_cannot_carry_so_the_admin_does_too(model, field, value):
    with pytest.raises(ValidationError) as refused:
        model._meta.get_field(field).run_validators(value)
    assert "cannot be stored" in refused.value.messages[0]


def test_the_import_reports_a_character_xml_cannot_carry_as_file_line_column():
    errors = errors_of(
        with_reviews(
            "SCR-1,E08000025,,Review of Child A,,,,,,,",
            "SCR-2,E08000025,,Review \uffff of Child B,,,,,,,What \ufffehappened",
        )
    )
    assert errors == [
        "reviews.csv:3: title: contains the character U+FFFF (character 8), which cannot be stored",
        "reviews.csv:3: summary: contains the character U+FFFE (character 6), which cannot be stored",
    ]
    assert not Review.objects.exists()


def test_the_import_reports_an_illegal_character_in_findings_and_evaluations():
    files = with_reviews("SCR-1,E08000025,,Review of Child A,,,,2008-06-01,,,")
    files["findings.csv"] = "review,category,agency,description\nSCR-1,other,,Seen\x02once\n"
    files["evaluations.csv"] = (
        "review,sequence,received_date,completed_date,judgement,summary\n"
        "SCR-1,1,2008-06-20,2008-08-01,good,Good\uffff\n"
    )
    assert errors_of(files) == [
        "findings.csv:2: description: contains the character U+0002 (character 5), which cannot be stored",
        "evaluations.csv:2: summary: contains the character U+FFFF (character 5), which cannot be stored",
    ]


def _store_directly(review, **fields):
    """Text written as an older release (or raw SQL) could: no validation on the way."""
    Review.objects.filter(pk=review.pk).update(**fields)


@pytest.mark.usefixtures("reporting_shares_default")
def test_an_xlsx_export_is_a_valid_workbook_whatever_illegal_characters_are_stored(an_inspector, birmingham):
    review = ReviewFactory(board=birmingham, reference="SCR-X1", submitted_date=datetime.date(2008, 6, 10))
    _store_directly(review, title="Child A\uffff and\ufffe B\x01", reference="SCR-X1\uffff")

    response = an_inspector.get("/reviews/export.xlsx")
    assert response.status_code == 200
    content = b"".join(response.streaming_content)

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert not ILLEGAL_XML_CHARACTERS.search(sheet_xml)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    values = [cell.value for cell in sheet[2]]
    assert "SCR-X1\ufffd" in values
    assert "Child A\ufffd and\ufffd B_x0001_" in values


@pytest.mark.usefixtures("reporting_shares_default")
def test_a_csv_export_holds_no_illegal_character_whatever_is_stored(an_inspector, birmingham):
    review = ReviewFactory(board=birmingham, reference="SCR-X2", submitted_date=datetime.date(2008, 6, 10))
    _store_directly(review, title="Child A\uffff and B\x01")

    response = an_inspector.get("/reviews/export.csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    assert not ILLEGAL_XML_CHARACTERS.search(body)
    [row] = csv_rows(an_inspector.get("/reviews/export.csv"))
    assert row["title"] == "Child A\ufffd and B\ufffd"


# Length limits -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"summary": "x" * 5001}, "Summary must be 5,000 characters or fewer"),
        (
            {"children": [child_row()], "agencies": [agency_row(notes="x" * 2001)]},
            "Notes must be 2,000 characters or fewer",
        ),
        (
            {"children": [child_row()], "findings": [finding_row(description="x" * 2001)]},
            "Description must be 2,000 characters or fewer",
        ),
    ],
)
def test_text_over_its_limit_is_refused_with_a_govuk_message(board_staff, birmingham, fields, message):
    response = board_staff.post(NEW, review_data(birmingham, **fields), headers=ORIGIN)
    assert response.status_code == 200
    assert message in error_messages(response)
    assert not Review.objects.exists()


def test_a_summary_over_the_limit_comes_back_as_typed(board_staff, birmingham):
    summary = "An account of what happened. " * 200  # 5,800 characters
    response = board_staff.post(NEW, review_data(birmingham, summary=summary), headers=ORIGIN)
    assert html.escape(summary.strip(), quote=False) in response.content.decode()


def test_a_summary_of_exactly_5000_characters_typed_with_line_breaks_is_saved(board_staff, birmingham):
    # Browsers send each line break as CR LF; the character count (and the user) count it as one character.
    paragraph = "x" * 999
    typed = "\r\n".join([paragraph] * 5)  # 4,995 characters and 4 line breaks: 5,000 as the page counts
    response = board_staff.post(NEW, review_data(birmingham, summary=typed), headers=ORIGIN)
    assert response.status_code == 302
    assert Review.objects.get().summary == "\n".join([paragraph] * 5)


def test_an_inspector_cannot_save_an_evaluation_summary_over_5000_characters(an_inspector, submitted):
    response = an_inspector.post(evaluate_url(submitted), evaluation_data(summary="x" * 5001), headers=ORIGIN)
    assert response.status_code == 200
    assert "Summary of the evaluation must be 5,000 characters or fewer" in error_messages(response)
    assert not Evaluation.objects.exists()


@pytest.mark.parametrize(
    ("file_name", "content", "error"),
    [
        (
            "reviews.csv",
            f"{REVIEWS_HEADER}\nSCR-1,E08000025,,Review of Child A,,,,,,,{'x' * 5001}\n",
            "reviews.csv:2: summary: must be at most 5000 characters (this has 5001)",
        ),
        (
            "findings.csv",
            f"review,category,agency,description\nSCR-1,other,,{'x' * 2001}\n",
            "findings.csv:2: description: must be at most 2000 characters (this has 2001)",
        ),
        (
            "evaluations.csv",
            "review,sequence,received_date,completed_date,judgement,summary\n"
            f"SCR-1,1,2008-06-20,2008-08-01,good,{'x' * 5001}\n",
            "evaluations.csv:2: summary: must be at most 5000 characters (this has 5001)",
        ),
    ],
)
def test_the_import_reports_text_over_its_limit_as_file_line_column(file_name, content, error):
    files = with_reviews("SCR-1,E08000025,,Review of Child A,,,2008-06-01,2008-06-10,,,")
    files[file_name] = content
    assert errors_of(files) == [error]
    assert not Review.objects.exists()


@pytest.mark.parametrize(
    ("make", "table", "column", "limit", "constraint"),
    [
        (lambda: ReviewFactory(), "reviews_review", "summary", 5000, "review_summary_max_length"),
        (lambda: EvaluationFactory(), "reviews_evaluation", "summary", 5000, "evaluation_summary_max_length"),
        (lambda: FindingFactory(), "reviews_finding", "description", 2000, "finding_description_max_length"),
        (
            lambda: AgencyInvolvement.objects.create(review=ReviewFactory(), agency="police"),
            "reviews_agencyinvolvement",
            "notes",
            2000,
            "agency_involvement_notes_max_length",
        ),
    ],
)
def test_the_database_refuses_text_over_the_limit_even_from_a_bulk_update(make, table, column, limit, constraint):
    row = make()
    rows = type(row).objects.filter(pk=row.pk)
    rows.update(**{column: "x" * limit})  # at the limit
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        rows.update(**{column: "x" * (limit + 1)})


def test_the_migration_stops_and_names_the_rows_when_stored_text_is_already_over_a_limit():
    with connection.cursor() as cursor:  # as the database was before 0014 (rolled back with the test)
        cursor.execute('ALTER TABLE "reviews_review" DROP CONSTRAINT "review_summary_max_length"')
    review = ReviewFactory(summary="x" * 5001)
    migration = importlib.import_module("reviews.migrations.0015_text_limits")
    with pytest.raises(RuntimeError, match=rf"reviews_review.summary of id {review.pk}: 5001 characters, limit 5000"):
        migration.refuse_text_over_the_limits(apps, connection.schema_editor())


def test_model_validation_refuses_a_summary_over_the_limit_so_the_admin_does_too(birmingham):
    review = ReviewFactory.build(board=birmingham, summary="x" * 5001)
    with pytest.raises(ValidationError) as refused:
        review.full_clean()
    assert "Summary must be 5,000 characters or fewer" in refused.value.messages


# GOV.UK character count ----------------------------------------------------------------------------------


def character_count(page, field_id, limit):
    """Assert the GOV.UK character count around the textarea ``field_id`` (whichever engine wrote the markup)."""
    soup = BeautifulSoup(page.content, "html.parser")
    textarea = soup.find("textarea", id=field_id)
    group = textarea.find_parent("div", class_="govuk-character-count")
    assert group, f"no character count around {field_id}"
    assert "govuk-form-group" in group["class"]
    assert (group["data-module"], group["data-maxlength"]) == ("govuk-character-count", str(limit))
    assert {"govuk-textarea", "govuk-js-character-count"} <= set(textarea["class"])
    assert not textarea.has_attr("maxlength")  # a browser would cut pasted text short without a word
    assert f"{field_id}-info" in textarea["aria-describedby"].split()
    info = soup.find(id=f"{field_id}-info")
    assert {"govuk-hint", "govuk-character-count__message"} <= set(info["class"])
    assert info.get_text(strip=True) == f"You can enter up to {limit:,} characters"
    return textarea


def test_the_review_form_shows_a_character_count_on_each_long_text(board_staff, birmingham):
    data = review_data(birmingham, children=[child_row()], agencies=[agency_row()], findings=[finding_row()])
    page = board_staff.post(NEW, {**data, "action": "add-findings"}, headers=ORIGIN)
    character_count(page, "id_summary", 5000)
    character_count(page, "id_agencies-0-notes", 2000)
    character_count(page, "id_findings-0-description", 2000)
    assert 'data-module="govuk-character-count"' in board_staff.get(NEW).content.decode()


def test_the_evaluate_form_shows_a_character_count_on_its_summary(an_inspector, submitted):
    character_count(an_inspector.get(evaluate_url(submitted)), "id_summary", 5000)


def test_a_summary_over_the_limit_keeps_the_character_count_and_its_error(board_staff, birmingham):
    page = board_staff.post(NEW, review_data(birmingham, summary="x" * 5001), headers=ORIGIN)
    content = page.content.decode()
    assert (
        '<div class="govuk-form-group govuk-form-group--error govuk-character-count" id="id_summary-group" '
        'data-module="govuk-character-count" data-maxlength="5000">' in content
    )
    textarea = re.search(r'<textarea[^>]*id="id_summary"[^>]*>', content).group(0)
    assert "govuk-textarea--error" in textarea
    assert re.search(r'aria-describedby="id_summary-info id_summary_helptext id_summary_error"', textarea)
    assert "Summary must be 5,000 characters or fewer" in text_of(page)
