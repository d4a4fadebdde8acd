"""The review form's rows (inline formsets) without JavaScript: add a row, remove one, each value once; and
what the edit page costs."""

import pytest
from django.urls import reverse

from reviews.models import Agency, AgencyInvolvement, Child, ChildEvent, Contribution, Review
from tests.factories import ChildFactory, FindingFactory, ReviewFactory, board
from tests.review_pages import ORIGIN, agency_row, child_row, edit_data, edit_url, finding_row, review_data, soup


@pytest.fixture
def draft(birmingham):
    review = ReviewFactory(board=birmingham, status=Review.Status.DRAFT, submitted_date=None, title="First title")
    ChildFactory(review=review, pseudonym="Child A")
    ChildFactory(review=review, pseudonym="Child B")
    return review


@pytest.fixture
def signed_in(client, board_user):
    client.force_login(board_user)
    return client


def error_summary(response):
    page = response.content.decode()
    assert 'class="govuk-error-summary"' in page
    return page.split('class="govuk-list govuk-error-summary__list"')[1].split("</ul>")[0]


def test_each_saved_child_has_a_remove_checkbox(signed_in, draft):
    page = soup(signed_in.get(edit_url(draft)))
    for index in (0, 1):
        box = page.find("input", attrs={"name": f"children-{index}-DELETE"})
        assert box["type"] == "checkbox" and not box.has_attr("checked")
        label = page.find("label", attrs={"for": box["id"]})
        assert label.get_text(strip=True) == "Remove this child"
        assert box.find_parent("fieldset").legend.get_text(strip=True) == f"Child {index + 1}"


def test_removing_a_child_without_javascript_deletes_only_that_child_and_records_it(signed_in, draft):
    data = edit_data(draft)
    gone = draft.children.get(pseudonym="Child B")
    index = next(i for i in range(2) if data[f"children-{i}-id"] == str(gone.pk))
    data[f"children-{index}-DELETE"] = "on"
    response = signed_in.post(edit_url(draft), data, headers=ORIGIN)
    assert response.status_code == 302
    assert list(Child.objects.filter(review=draft).values_list("pseudonym", flat=True)) == ["Child A"]
    assert ChildEvent.objects.get(pgh_obj_id=gone.pk, pgh_label="delete").pseudonym == "Child B"
    draft.refresh_from_db()
    assert draft.version == 2


def test_a_row_ticked_for_removal_is_not_checked_and_the_others_are(signed_in, birmingham):
    rows = [finding_row(category="made_up", description="wrong"), finding_row(category="", description="kept")]
    rows[0]["DELETE"] = "on"
    response = signed_in.post(reverse("reviews:new"), review_data(birmingham, findings=rows), headers=ORIGIN)
    assert response.status_code == 200
    assert not Review.objects.exists()
    summary = error_summary(response)
    assert "Select the category of the finding" in summary  # the kept row
    assert summary.count("<li>") == 1  # nothing about the removed row's made-up category


def test_adding_a_row_without_javascript_shows_one_more_and_saves_nothing(signed_in, draft):
    data = edit_data(draft, title="Typed, not saved", action="add-agencies")
    response = signed_in.post(edit_url(draft), data, headers=ORIGIN)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="agencies-TOTAL_FORMS" value="1"' in page
    assert 'name="agencies-0-agency"' in page
    assert 'value="Typed, not saved"' in page
    assert "govuk-error-summary" not in page
    draft.refresh_from_db()
    assert (draft.title, draft.version) == ("First title", 1)


def test_the_added_row_is_saved_with_the_review(signed_in, draft):
    data = edit_data(draft, action="add-agencies")
    page = signed_in.post(edit_url(draft), data, headers=ORIGIN)
    assert 'name="agencies-TOTAL_FORMS" value="1"' in page.content.decode()
    data.update({f"agencies-0-{name}": value for name, value in agency_row().items()})
    data.update({"action": "save", "agencies-TOTAL_FORMS": "1"})
    assert signed_in.post(edit_url(draft), data, headers=ORIGIN).status_code == 302
    assert list(draft.agencies.values_list("agency", flat=True)) == ["police"]


def test_an_agency_listed_twice_is_a_govuk_error_and_nothing_is_written(signed_in, draft):
    data = edit_data(draft, title="Not saved", agencies=[agency_row("police"), agency_row("police", notes="Again")])
    response = signed_in.post(edit_url(draft), data, headers=ORIGIN)
    assert response.status_code == 200
    assert '<a href="#id_agencies-1-agency">Police is already listed. List each agency once.</a>' in error_summary(
        response
    )
    select = soup(response).find("select", id="id_agencies-1-agency")
    error = soup(response).find(id=select["aria-describedby"].split()[-1])
    assert "Police is already listed" in error.get_text()  # on the field, too
    assert not AgencyInvolvement.objects.filter(review=draft).exists()
    draft.refresh_from_db()
    assert (draft.title, draft.version) == ("First title", 1)


def test_a_pseudonym_used_twice_in_any_case_is_refused(signed_in, draft):
    data = edit_data(draft, children=[*edit_data_rows(draft), child_row("child a")])
    response = signed_in.post(edit_url(draft), data, headers=ORIGIN)
    assert "Each child needs a different pseudonym" in error_summary(response)
    assert draft.children.count() == 2


def test_an_agency_added_by_someone_else_since_is_not_added_twice(signed_in, draft):
    data = edit_data(draft, agencies=[agency_row("health")])
    AgencyInvolvement.objects.create(review=draft, agency="health")  # saved after the page was loaded
    Review.objects.filter(pk=draft.pk).update(version=1)  # as if that save had not moved the version
    response = signed_in.post(edit_url(draft), data, headers=ORIGIN)
    assert "Health is already listed" in error_summary(response)
    assert draft.agencies.count() == 1


def test_the_lead_board_cannot_contribute_and_a_board_is_listed_once(signed_in, draft, birmingham, coventry):
    data = edit_data(draft, contributions=[birmingham, coventry, coventry])
    response = signed_in.post(edit_url(draft), data, headers=ORIGIN)
    summary = error_summary(response)
    assert "The lead board is not a contributing board" in summary
    assert "This board is already listed" in summary
    assert not Contribution.objects.filter(review=draft).exists()


def test_a_board_can_be_swapped_for_another(signed_in, draft, coventry):
    Contribution.objects.create(review=draft, board=coventry)
    solihull = board("E08000029")
    data = edit_data(draft, contributions=[solihull])
    assert signed_in.post(edit_url(draft), data, headers=ORIGIN).status_code == 302
    assert list(Contribution.objects.filter(review=draft).values_list("board", flat=True)) == [solihull.pk]


def edit_data_rows(review):
    return [{"id": str(child.pk), **child_row(child.pseudonym)} for child in review.children.order_by("pk")]


def test_the_edit_page_costs_the_same_few_queries_however_many_rows(signed_in, draft, django_assert_num_queries):
    signed_in.get(edit_url(draft))  # the session and the user's permissions, as on any page after the first
    # Session, user, permissions and OTP device (5), the review, may-edit (2), the read record, the boards (2),
    # the four kinds of rows (4).
    with django_assert_num_queries(15) as first:
        assert signed_in.get(edit_url(draft)).status_code == 200
    for agency in Agency.values:
        ChildFactory(review=draft)
        FindingFactory(review=draft)
        AgencyInvolvement.objects.create(review=draft, agency=agency)
    with django_assert_num_queries(len(first.captured_queries)):
        page = signed_in.get(edit_url(draft)).content.decode()
    assert f'name="children-TOTAL_FORMS" value="{2 + len(Agency.values)}"' in page
