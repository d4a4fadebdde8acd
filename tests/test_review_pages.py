"""Logging, reading, editing and submitting a review: what board staff see and rely on."""

import datetime
import html
import re

import pytest
from django.urls import reverse

from reviews.models import AgencyInvolvement, Child, Contribution, Finding, ReadEvent, Review
from tests.factories import (
    ChildFactory,
    DocumentFactory,
    EvaluationFactory,
    FindingFactory,
    ReviewFactory,
    UserFactory,
)
from tests.review_pages import (
    ORIGIN,
    agency_row,
    child_row,
    edit_data,
    edit_url,
    finding_row,
    posted_value,
    review_data,
    soup,
    text_of,
)

NEW = "/reviews/new/"


@pytest.fixture
def draft(birmingham):
    review = ReviewFactory(
        board=birmingham,
        status=Review.Status.DRAFT,
        submitted_date=None,
        summary="What happened.",
        independent_chair=True,
    )
    ChildFactory(review=review, pseudonym="Child A")
    FindingFactory(review=review)
    return review


@pytest.fixture
def signed_in(client, board_user):
    client.force_login(board_user)
    return client


def labels_for(html):
    return set(re.findall(r'<label[^>]* for="([^"]+)"', html))


def ids_of_inputs(html):
    return set(re.findall(r'<(?:input|select|textarea)[^>]* id="([^"]+)"', html))


# The form's markup ------------------------------------------------------------------------------------------


def test_the_new_review_page_ties_every_visible_input_to_a_label(signed_in):
    html = signed_in.get(NEW).content.decode()
    visible = {
        id_
        for id_ in ids_of_inputs(html)
        if not re.search(rf'type="hidden"[^>]*id="{re.escape(id_)}"|id="{re.escape(id_)}"[^>]*type="hidden"', html)
    }
    assert visible, "the page has inputs"
    assert visible <= labels_for(html)


def test_dates_are_gov_uk_three_field_date_inputs(signed_in):
    html = signed_in.get(NEW).content.decode()
    for name in ("incident_date", "decision_date", "completed_date"):
        assert f'name="{name}_day"' in html
        assert f'name="{name}_month"' in html
        assert f'name="{name}_year"' in html
    assert html.count('class="govuk-date-input"') == 3


def test_the_child_pseudonym_hint_says_never_to_enter_a_name(signed_in):
    page = soup(signed_in.get(NEW))
    field = page.find("input", id="id_children-0-pseudonym")
    hints = [page.find(id=described) for described in field["aria-describedby"].split()]
    assert any(hint and "Never enter a child's name" in hint.get_text() for hint in hints)


def test_the_lead_board_select_offers_only_the_users_own_boards(client, birmingham, coventry):
    user = UserFactory(role="board_staff", boards=["E08000025", "E08000026"])
    client.force_login(user)
    html = client.get(NEW).content.decode()
    select = re.search(r'<select[^>]* name="board".*?</select>', html, flags=re.S).group(0)
    assert set(re.findall(r'value="(\d+)"', select)) == {str(birmingham.pk), str(coventry.pk)}


def test_errors_are_listed_in_a_summary_that_links_to_each_field(signed_in, birmingham):
    data = review_data(birmingham, title="", decision=None, children=[child_row(pseudonym="")])
    response = signed_in.post(NEW, data, headers=ORIGIN)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in html
    summary = re.search(r'class="govuk-error-summary".*?</ul>', html, flags=re.S).group(0)
    links = {text: href for href, text in re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)}
    assert links["Enter the title of the review"] == "id_title"
    assert links["Enter the date of the decision to hold the review"] == "id_decision_date_0"
    assert links["Enter a pseudonym for the child, for example Child A"] == "id_children-0-pseudonym"
    for field_id in links.values():
        assert f'id="{field_id}"' in html
    title = soup(response).find("input", id="id_title")
    error = soup(response).find(id=title["aria-describedby"].split()[-1])
    assert "Enter the title of the review" in error.get_text()


# Validation in plain words -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dates", "message"),
    [
        ({"decision": None}, "Enter the date of the decision to hold the review"),
        (
            {"decision": datetime.date(2008, 5, 1), "completed": datetime.date(2008, 4, 30)},
            "The date the review was completed must be the same as or after the date of the decision",
        ),
        (
            {"incident": datetime.date(2008, 3, 1), "decision": datetime.date(2008, 2, 1)},
            "The date of the decision to hold the review must be the same as or after the date of the incident",
        ),
        (
            {"completed": datetime.date.today() + datetime.timedelta(days=1)},
            "Date the review was completed must be today or in the past",
        ),
    ],
)
def test_dates_out_of_order_or_missing_are_refused_in_plain_words(signed_in, birmingham, dates, message):
    response = signed_in.post(NEW, review_data(birmingham, children=[child_row()], **dates), headers=ORIGIN)
    assert message in text_of(response)
    assert not Review.objects.exists()


def test_an_impossible_date_is_refused_and_shown_as_typed(signed_in, birmingham):
    data = review_data(birmingham)
    data.update(decision_date_day="31", decision_date_month="2", decision_date_year="2008")
    response = signed_in.post(NEW, data, headers=ORIGIN)
    assert "Date of the decision to hold the review must be a real date" in text_of(response)
    assert posted_value(response, "decision_date_day") == "31"


def test_two_children_with_the_same_pseudonym_are_refused(signed_in, birmingham):
    data = review_data(birmingham, children=[child_row("Child A"), child_row("child a")])
    response = signed_in.post(NEW, data, headers=ORIGIN)
    assert "Each child needs a different pseudonym" in text_of(response)
    assert not Review.objects.exists()


def test_an_agency_listed_twice_is_refused(signed_in, birmingham):
    data = review_data(birmingham, agencies=[agency_row("police"), agency_row("police")])
    response = signed_in.post(NEW, data, headers=ORIGIN)
    assert "Police is already listed" in text_of(response)


def test_a_chosen_reference_must_include_the_lead_boards_code(signed_in, birmingham):
    response = signed_in.post(NEW, review_data(birmingham, reference="SCR-2008-0001"), headers=ORIGIN)
    assert "The reference must include the lead board's GSS code, E08000025" in text_of(response)


def test_a_reference_already_used_is_refused(signed_in, birmingham, draft):
    draft.reference = "SCR-2008-E08000025-0007"
    draft.save()
    response = signed_in.post(NEW, review_data(birmingham, reference="scr-2008-e08000025-0007"), headers=ORIGIN)
    assert "This reference is already in use" in text_of(response)
    assert Review.objects.count() == 1


def test_a_review_logged_on_the_new_review_page_is_a_serious_case_review(signed_in, birmingham):
    response = signed_in.post(NEW, review_data(birmingham), headers=ORIGIN)
    assert response.status_code == 302
    assert Review.objects.get().review_type == Review.ReviewType.SCR


def test_a_blank_reference_is_given_the_next_free_one(signed_in, birmingham):
    ReviewFactory(board=birmingham, reference="SCR-2008-E08000025-0001")
    response = signed_in.post(NEW, review_data(birmingham, reference=""), headers=ORIGIN)
    assert response.status_code == 302
    assert Review.objects.filter(reference="SCR-2008-E08000025-0002", status="draft").exists()


# Rows without JavaScript ----------------------------------------------------------------------------------


def test_add_another_child_shows_one_more_row_and_keeps_everything_typed(signed_in, birmingham):
    data = review_data(birmingham, title="Typed title", children=[child_row("Child A")], action="add-children")
    response = signed_in.post(NEW, data, headers=ORIGIN)
    html = response.content.decode()
    assert response.status_code == 200
    assert not Review.objects.exists()
    assert 'name="children-TOTAL_FORMS" value="2"' in html
    assert posted_value(response, "title") == "Typed title"
    assert posted_value(response, "children-0-pseudonym") == "Child A"
    assert posted_value(response, "children-1-pseudonym") == ""
    assert "govuk-error-message" not in html  # a new empty row is not an error


def test_remove_takes_out_only_that_row_and_keeps_the_rest(signed_in, birmingham):
    # Adapted: a row's "Remove" is now its formset's DELETE checkbox, acted on when the review is saved.
    rows = [finding_row(description=text) for text in ("first", "second", "third")]
    rows[1]["DELETE"] = "on"
    response = signed_in.post(NEW, review_data(birmingham, findings=rows), headers=ORIGIN)
    assert response.status_code == 302
    findings = Review.objects.get().findings.order_by("pk")
    assert list(findings.values_list("description", flat=True)) == ["first", "third"]


def test_empty_rows_are_ignored_when_saving(signed_in, birmingham):
    data = review_data(
        birmingham,
        children=[child_row("Child A"), {"sex": "not_known", "age_band": "not_known"}],
        findings=[{"category": "", "agency": "", "description": ""}],
    )
    assert signed_in.post(NEW, data, headers=ORIGIN).status_code == 302
    review = Review.objects.get()
    assert list(review.children.values_list("pseudonym", flat=True)) == ["Child A"]
    assert not review.findings.exists()


def test_editing_updates_changed_rows_adds_new_ones_and_removes_the_rest(signed_in, draft, coventry):
    child = draft.children.get()
    finding = draft.findings.get()
    data = edit_data(
        draft,
        children=[
            {"id": str(child.pk), **child_row("Child A", outcome="serious_harm")},
            child_row("Child B"),
        ],
        findings=[],
        agencies=[agency_row("health")],
        contributions=[coventry],
    )
    response = signed_in.post(edit_url(draft), data, headers=ORIGIN)
    assert response.status_code == 302
    assert Child.objects.get(pk=child.pk).outcome == "serious_harm"
    assert sorted(draft.children.values_list("pseudonym", flat=True)) == ["Child A", "Child B"]
    assert not Finding.objects.filter(pk=finding.pk).exists()
    assert list(draft.agencies.values_list("agency", "imr_submitted")) == [("health", True)]
    assert list(Contribution.objects.filter(review=draft).values_list("board", flat=True)) == [coventry.pk]
    draft.refresh_from_db()
    assert draft.version == 2


def test_the_edit_page_shows_the_saved_answers(signed_in, draft):
    page = signed_in.get(edit_url(draft))
    assert posted_value(page, "title") == draft.title
    assert posted_value(page, "children-0-pseudonym") == "Child A"
    assert posted_value(page, "version") == str(draft.version)
    assert posted_value(page, "decision_date_day") == "1"


# Reading -------------------------------------------------------------------------------------------------


def test_the_review_page_shows_the_review_and_records_the_read(signed_in, board_user, draft):
    response = signed_in.get(draft.get_absolute_url())
    page = text_of(response)
    assert draft.title in page
    assert "Child A" in page
    assert "Weak management" in page
    assert "Change the review" in page
    assert ReadEvent.objects.filter(user=board_user, review=draft, kind="view").count() == 1


def test_the_review_page_shows_every_evaluation_in_order(client, inspector):
    review = ReviewFactory(status=Review.Status.EVALUATED)
    EvaluationFactory(review=review, sequence=2, judgement="good", completed_date=datetime.date(2009, 1, 5))
    EvaluationFactory(review=review, sequence=1, judgement="inadequate")
    client.force_login(inspector)
    page = text_of(client.get(review.get_absolute_url()))
    assert page.index("Evaluation 1: Inadequate") < page.index("Evaluation 2: Good")


def test_the_review_page_runs_a_fixed_number_of_queries(client, inspector, django_assert_max_num_queries):
    review = ReviewFactory()
    for letter in "ABCDEF":
        ChildFactory(review=review, pseudonym=f"Child {letter}")
        FindingFactory(review=review)
    EvaluationFactory(review=review, sequence=1, judgement="inadequate")
    EvaluationFactory(review=review, sequence=2, judgement="adequate", completed_date=datetime.date(2009, 1, 5))
    client.force_login(inspector)
    client.get(review.get_absolute_url())  # warm the session
    DocumentFactory(review=review)
    DocumentFactory(review=review, kind="overview_report")
    # Measured: 15, whatever the number of rows (the count of the review's documents and its published ones
    # among them).
    with django_assert_max_num_queries(15):
        response = client.get(review.get_absolute_url())
    assert response.status_code == 200


# Submitting ----------------------------------------------------------------------------------------------


def test_check_your_answers_lists_everything_with_change_links(signed_in, draft):
    html = signed_in.get(reverse("reviews:submit", args=[draft.pk])).content.decode()
    page = text_of_html(html)
    assert "Check your answers before submitting the review" in page
    assert draft.reference in page and "Child A" in page and "Weak management" in page
    assert f'href="/reviews/{draft.pk}/edit/#id_completed_date_0"' in html
    assert f'href="/reviews/{draft.pk}/edit/#children"' in html
    assert "govuk-summary-list__key" in html


def test_submitting_a_complete_draft_sends_it_to_ofsted_today(signed_in, draft):
    response = signed_in.post(reverse("reviews:submit", args=[draft.pk]), {"version": draft.version}, headers=ORIGIN)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Review.Status.SUBMITTED
    assert draft.submitted_date == datetime.date.today()


def test_an_incomplete_draft_is_not_submitted_and_says_what_is_missing(signed_in, birmingham):
    review = ReviewFactory(board=birmingham, status="draft", completed_date=None, submitted_date=None, summary="")
    response = signed_in.post(reverse("reviews:submit", args=[review.pk]), {"version": review.version}, headers=ORIGIN)
    page = text_of(response)
    assert "Enter the date the review was completed" in page
    assert "Add at least one child" in page
    assert "Enter a summary of the review" in page
    assert f'href="/reviews/{review.pk}/edit/#id_completed_date_0"' in response.content.decode()
    review.refresh_from_db()
    assert review.status == Review.Status.DRAFT


def test_after_submission_the_board_can_read_but_not_change_or_resubmit(signed_in, draft):
    signed_in.post(reverse("reviews:submit", args=[draft.pk]), {"version": draft.version}, headers=ORIGIN)
    draft.refresh_from_db()
    assert signed_in.get(draft.get_absolute_url()).status_code == 200
    assert "Change the review" not in text_of(signed_in.get(draft.get_absolute_url()))
    refused = signed_in.get(edit_url(draft))
    assert refused.status_code == 403
    assert "It can no longer be changed" in text_of(refused)
    assert signed_in.post(edit_url(draft), edit_data(draft, title="Later"), headers=ORIGIN).status_code == 403
    assert signed_in.post(reverse("reviews:submit", args=[draft.pk]), {"version": draft.version}).status_code == 403
    draft.refresh_from_db()
    assert draft.title != "Later"


def test_submitting_with_an_old_version_asks_to_check_again(signed_in, draft):
    response = signed_in.post(reverse("reviews:submit", args=[draft.pk]), {"version": 0}, headers=ORIGIN)
    assert "Someone changed this review since you opened this page" in text_of(response)
    draft.refresh_from_db()
    assert draft.status == Review.Status.DRAFT


def text_of_html(html):
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# Rows left without their required choice -----------------------------------------------------------------


@pytest.mark.parametrize("action", ["save", "add-agencies"])
def test_agency_rows_left_at_select_an_agency_are_errors_and_keep_what_was_typed(signed_in, birmingham, action):
    data = review_data(
        birmingham,
        title="Typed title",
        agencies=[agency_row("", notes="First note"), agency_row("", notes="Second note")],
        action=action,
    )
    response = signed_in.post(NEW, data, headers=ORIGIN)
    html = response.content.decode()
    assert response.status_code == 200
    assert not Review.objects.exists()
    assert posted_value(response, "title") == "Typed title"
    assert posted_value(response, "agencies-0-notes") == "First note"
    assert posted_value(response, "agencies-1-notes") == "Second note"
    if action == "save":
        assert "<title>Error: " in html
        assert text_of(response).count("Select the agency") == 4  # the summary and each row, twice
        assert 'href="#id_agencies-0-agency"' in html
        assert 'href="#id_agencies-1-agency"' in html


def test_agency_rows_left_blank_on_the_edit_page_are_errors_not_a_server_error(signed_in, draft):
    data = edit_data(draft, agencies=[agency_row("", notes="First note"), agency_row("", notes="Second note")])
    response = signed_in.post(edit_url(draft), data, headers=ORIGIN)
    assert response.status_code == 200
    assert "Select the agency" in text_of(response)
    notes = [posted_value(response, f"agencies-{index}-notes") for index in range(2)]
    assert "Second note" in notes


def test_children_left_without_a_pseudonym_are_asked_for_one_not_told_they_share_it(signed_in, birmingham):
    data = review_data(birmingham, children=[child_row(""), child_row("")])
    page = text_of(signed_in.post(NEW, data, headers=ORIGIN))
    assert page.count("Enter a pseudonym for the child, for example Child A") == 4
    assert "Each child needs a different pseudonym" not in page


# One order for rows everywhere ----------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["reviews:detail", "reviews:submit"])
def test_agencies_and_findings_are_listed_in_the_order_they_were_entered_on_the_review_and_check_pages(
    signed_in, draft, page
):
    for agency in ("police", "health", "education"):
        AgencyInvolvement.objects.create(review=draft, agency=agency)
    for category in ("risk_assessment", "child_focus"):
        FindingFactory(review=draft, category=category)
    entered = ["Police", "Health", "Education", "Weak management"]
    entered += ["Not making adequate risk assessments", "Failure to focus on the needs of the child"]
    page_text = text_of(signed_in.get(reverse(page, args=[draft.pk])))
    positions = [page_text.index(label) for label in entered]
    assert positions == sorted(positions)


# References tell board staff nothing about another board's reviews -------------------------------------------


def reference_answer(client, board, reference):
    """What board staff learn from choosing ``reference`` on the new review page: status and messages."""
    response = client.post(NEW, review_data(board, reference=reference, children=[child_row()]), headers=ORIGIN)
    messages = re.findall(r'class="govuk-error-message"[^>]*>(.*?)</p>', response.content.decode(), flags=re.S)
    return response.status_code, [html.unescape(re.sub(r"<[^>]+>", "", message)).strip() for message in messages]


def test_board_staff_cannot_tell_a_reference_another_board_holds_from_a_free_one(signed_in, birmingham, coventry):
    # Coventry's reviews: one in its own namespace, and one an import gave Birmingham's code before the rule.
    ReviewFactory(board=coventry, status="draft", submitted_date=None, reference="SCR-2008-E08000026-0007")
    ReviewFactory(board=coventry, status="draft", submitted_date=None, reference="SCR-2008-E08000025-0007")
    taken = reference_answer(signed_in, birmingham, "SCR-2008-E08000026-0007")
    free = reference_answer(signed_in, birmingham, "SCR-2008-E08000026-0008")
    taken_in_own_namespace = reference_answer(signed_in, birmingham, "scr-2008-e08000025-0007")
    assert taken == free == taken_in_own_namespace
    status, messages = free
    assert status == 200
    assert len(messages) == 1 and "must include the lead board's GSS code, E08000025" in messages[0]
    assert "already in use" not in messages[0]
    assert Review.objects.filter(board=birmingham).count() == 0


def test_a_reference_holding_another_boards_code_is_refused_even_with_the_lead_boards(signed_in, birmingham):
    status, messages = reference_answer(signed_in, birmingham, "SCR-E08000025-E08000026-1")
    assert status == 200
    assert "and no other board's code" in messages[0]


def test_changing_the_lead_board_needs_a_reference_without_the_old_boards_code(client, birmingham, coventry):
    user = UserFactory(role="board_staff", boards=["E08000025", "E08000026"])
    client.force_login(user)
    review = ReviewFactory(board=birmingham, status="draft", submitted_date=None, reference="SCR-2008-E08000025-0001")
    data = edit_data(review)
    data["board"] = str(coventry.pk)
    response = client.post(edit_url(review), data, headers=ORIGIN)
    assert "must include the lead board's GSS code, E08000026" in text_of(response)
    review.refresh_from_db()
    assert review.board == birmingham
    data["reference"] = "SCR-2008-E08000026-0001"
    assert client.post(edit_url(review), data, headers=ORIGIN).status_code == 302


def test_changing_the_lead_board_keeps_a_reference_that_names_no_board(client, birmingham, coventry):
    user = UserFactory(role="board_staff", boards=["E08000025", "E08000026"])
    client.force_login(user)
    review = ReviewFactory(board=birmingham, status="draft", submitted_date=None, reference="SCR-2008-001")
    data = edit_data(review)
    data["board"] = str(coventry.pk)
    assert client.post(edit_url(review), data, headers=ORIGIN).status_code == 302
    review.refresh_from_db()
    assert (review.board, review.reference) == (coventry, "SCR-2008-001")


# From check-your-answers to the field that needs an answer ------------------------------------------------


def test_each_missing_answer_links_to_the_edit_page_showing_that_fields_error_at_its_form_group(signed_in, birmingham):
    review = ReviewFactory(board=birmingham, status="draft", completed_date=None, submitted_date=None, summary="")
    response = signed_in.post(reverse("reviews:submit", args=[review.pk]), {"version": review.version}, headers=ORIGIN)
    found = re.findall(r'<li>\s*<a href="([^"]+)">([^<]+)</a>\s*</li>', response.content.decode())
    links = {text: href for href, text in found}
    edit = f"/reviews/{review.pk}/edit/?check=submission"
    assert links == {
        "Enter the date the review was completed": f"{edit}#id_completed_date-group",
        "Enter a summary of the review": f"{edit}#id_summary",  # the character count's group has no id
        "Add at least one child": f"{edit}#children",
    }
    page = signed_in.get(links["Enter the date the review was completed"].split("#")[0])
    html_ = page.content.decode()
    assert page.status_code == 200
    assert "<title>Error: " in html_
    summary = re.search(r'class="govuk-error-summary".*?</ul>', html_, flags=re.S).group(0)
    assert '<a href="#id_completed_date_0">Enter the date the review was completed</a>' in summary
    assert '<a href="#id_summary">Enter a summary of the review</a>' in summary
    assert '<a href="#children">Add at least one child</a>' in summary
    page_ = soup(page)
    assert "govuk-form-group--error" in page_.find(id="id_completed_date-group")["class"]
    summary_group = page_.find(id="id_summary").find_parent("div", class_="govuk-form-group")
    assert "govuk-form-group--error" in summary_group["class"]
    assert page_.find(id="id_completed_date-error") and page_.find(id="id_summary-error")
    assert 'id="children_error"' in html_
    assert 'data-disable-auto-focus="true"' in summary  # the browser stays at the linked field


def test_the_edit_page_shows_no_errors_without_the_check(signed_in, birmingham):
    review = ReviewFactory(board=birmingham, status="draft", completed_date=None, submitted_date=None, summary="")
    html_ = signed_in.get(edit_url(review)).content.decode()
    assert "govuk-error-summary" not in html_ and "govuk-error-message" not in html_


def test_add_another_agency_gives_the_new_rows_first_field_the_focus(signed_in, birmingham):
    data = review_data(birmingham, agencies=[agency_row("police")], action="add-agencies")
    html_ = signed_in.post(NEW, data, headers=ORIGIN).content.decode()
    assert html_.count("autofocus") == 1
    assert re.search(r'<select[^>]* name="agencies-1-agency"[^>]* autofocus[^>]*>', html_)
    button = re.search(r'<button[^>]* value="add-agencies"[^>]*>', html_).group(0)
    assert "formaction" not in button  # no #fragment: it would cancel the autofocus
