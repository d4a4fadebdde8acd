"""The register at /reviews/: every filter against answers worked out by hand (tests/register_data.py),
sorting, paging, invalid input, board scoping, htmx, query counts, and random query strings."""

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviews.models import Child, Contribution, Review
from reviews.register import filters, pages
from tests.factories import ChildFactory, EvaluationFactory, ReviewFactory, UserFactory, board
from tests.register_data import (
    BIRMINGHAM,
    BIRMINGHAM_STAFF_SEE,
    COVENTRY,
    INSPECTOR_SEES,
    KENT,
    LEEDS,
    SOUTH_EAST,
    WEST_MIDLANDS,
    YORKSHIRE,
    build_register,
    csv_rows,
    fresh_register_options,  # noqa: F401 (autouse fixture)
    listed,
    soup,
)

pytestmark = pytest.mark.django_db


def refs(*numbers):
    return [f"SCR-A{n}" for n in numbers]


@pytest.fixture
def register(db):
    return build_register()


@pytest.fixture
def as_inspector(client, inspector, register):
    client.force_login(inspector)
    return client


@pytest.fixture
def as_board_staff(client, board_user, register):
    client.force_login(board_user)
    return client


# Who sees what ------------------------------------------------------------------------------------------


def test_inspector_sees_every_submitted_review_and_no_drafts(as_inspector):
    response = as_inspector.get("/reviews/")
    assert response.status_code == 200
    assert listed(response) == INSPECTOR_SEES
    assert "Showing 1 to 7 of 7 reviews" in response.content.decode()


def test_board_staff_see_their_own_boards_reviews_with_drafts_and_submitted_ones_they_contributed_to(
    as_board_staff,
):
    assert listed(as_board_staff.get("/reviews/")) == BIRMINGHAM_STAFF_SEE


def test_board_staff_never_see_another_boards_review_even_when_filtering_for_that_board(as_board_staff):
    # Coventry leads A2 (submitted, Birmingham contributed) and A8; A9 is a draft Birmingham contributed to.
    assert listed(as_board_staff.get("/reviews/", {"board": COVENTRY})) == refs(2)
    assert listed(as_board_staff.get("/reviews/", {"q": "SCR-A8"})) == []
    assert listed(as_board_staff.get("/reviews/", {"status": "draft"})) == refs(7)


def test_manager_reads_the_register_too(client, manager, register):
    client.force_login(manager)
    assert listed(client.get("/reviews/")) == INSPECTOR_SEES


def test_a_user_without_a_role_is_refused(client, register):
    client.force_login(UserFactory())
    assert client.get("/reviews/").status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/reviews/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# Each filter alone ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"judgement": "inadequate"}, refs(1, 2, 3, 4)),  # A5's latest evaluation is good
        ({"judgement": "good"}, refs(5)),
        ({"judgement": "adequate"}, refs(8)),
        ({"judgement": "outstanding"}, []),
        ({"year": "2008-09"}, refs(1, 2, 3)),  # A5's latest evaluation is in 2009-10
        ({"year": "2009-10"}, refs(4, 5)),
        ({"year": "2007-08"}, refs(8)),
        ({"board": BIRMINGHAM}, refs(1, 4, 5)),
        ({"board": COVENTRY}, refs(2, 8)),
        ({"region": WEST_MIDLANDS}, refs(1, 2, 4, 5, 8)),
        ({"region": YORKSHIRE}, refs(3)),
        ({"category": "weak_management"}, refs(1, 3, 4, 5)),
        ({"category": "risk_assessment"}, refs(8)),
        ({"outcome": "died"}, refs(1, 3, 8)),
        ({"outcome": "serious_harm"}, refs(2, 5)),
        ({"known_to_social_care": "yes"}, refs(1, 5, 8)),
        ({"known_to_social_care": "no"}, refs(2, 3, 4, 6)),  # no child known: unknown and no children count
        ({"cross_area": "yes"}, refs(2)),
        ({"cross_area": "no"}, refs(1, 3, 4, 5, 6, 8)),
        ({"status": "submitted"}, refs(6)),
        ({"status": "evaluated"}, refs(1, 2, 3, 4, 5, 8)),
    ],
)
def test_each_filter_alone_gives_the_hand_computed_reviews(as_inspector, query, expected):
    assert listed(as_inspector.get("/reviews/", query)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("drift", refs(1)),  # a word of a summary
        ("Neglect", refs(4, 5)),  # any case
        ("neglected", refs(4, 5)),  # stemmed: neglected, neglect
        ("supervis", refs(3)),  # the start of a word
        ("childr", refs(1, 8)),  # "Children H and J" (title), "children's social care" (summary)
        ("ildren", []),  # words are found by their start, not their middle
        ("scr-a3", refs(3)),  # a reference, in any case
        ("SCR-A", INSPECTOR_SEES),  # the start of a reference
        ("SCR-A3", refs(3)),  # a reference
        ("serious harm child", refs(5)),  # every word, in any field
        ("nothing like this", []),
        ("!!", []),  # punctuation alone matches nothing
    ],
)
def test_search_finds_words_stems_and_parts_of_words_in_reference_title_and_summary(as_inspector, text, expected):
    assert listed(as_inspector.get("/reviews/", {"q": text})) == expected


def test_search_follows_every_change_to_a_review_however_it_is_written(as_inspector, register):
    review = register["SCR-A6"]
    review.title = "Serious case review: Child F in private fostering"
    review.save()
    assert listed(as_inspector.get("/reviews/", {"q": "fostering"})) == refs(6)
    Review.objects.filter(pk=review.pk).update(summary="Domestic abuse was not recognised.")  # SQL, no save()
    assert listed(as_inspector.get("/reviews/", {"q": "domestic abuse"})) == refs(6)
    assert listed(as_inspector.get("/reviews/", {"q": "awaiting"})) == []  # the old summary is gone
    ReviewFactory(reference="SCR-Q1", title="Serious case review: a quarry accident")
    assert listed(as_inspector.get("/reviews/", {"q": "quarry"})) == ["SCR-Q1"]


def test_yes_no_filters_follow_children_and_contributing_boards_however_they_are_written(as_inspector, register):
    a6 = register["SCR-A6"]
    assert "SCR-A6" in listed(as_inspector.get("/reviews/", {"known_to_social_care": "no", "cross_area": "no"}))
    child = ChildFactory(review=a6, known_to_social_care=False)
    Contribution.objects.create(review=a6, board=board(LEEDS))
    assert "SCR-A6" in listed(as_inspector.get("/reviews/", {"cross_area": "yes"}))
    Child.objects.filter(pk=child.pk).update(known_to_social_care=True)  # SQL, no save()
    assert "SCR-A6" in listed(as_inspector.get("/reviews/", {"known_to_social_care": "yes"}))
    child.delete()
    Contribution.objects.filter(review=a6).delete()
    assert "SCR-A6" in listed(as_inspector.get("/reviews/", {"known_to_social_care": "no", "cross_area": "no"}))


def test_a_board_can_be_given_by_code_in_any_case_by_name_or_as_the_type_ahead_lists_it(as_inspector):
    for value in (BIRMINGHAM, BIRMINGHAM.lower(), "Birmingham", "birmingham", f"Birmingham ({BIRMINGHAM})"):
        assert listed(as_inspector.get("/reviews/", {"board": value})) == refs(1, 4, 5), value


# Several values and several filters -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"judgement": ["good", "adequate"]}, refs(5, 8)),
        ({"year": ["2007-08", "2009-10"]}, refs(4, 5, 8)),
        ({"board": [BIRMINGHAM, LEEDS]}, refs(1, 3, 4, 5)),
        ({"region": [YORKSHIRE, SOUTH_EAST]}, refs(3, 6)),
        ({"category": ["child_focus", "risk_assessment"]}, refs(2, 8)),
        ({"outcome": ["died", "serious_harm"]}, refs(1, 2, 3, 5, 8)),
        ({"status": ["submitted", "evaluated"]}, INSPECTOR_SEES),
        ({"board": [BIRMINGHAM, BIRMINGHAM]}, refs(1, 4, 5)),  # a repeat changes nothing
    ],
)
def test_repeated_values_mean_any_of(as_inspector, query, expected):
    assert listed(as_inspector.get("/reviews/", query)) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"board": BIRMINGHAM, "judgement": "inadequate"}, refs(1, 4)),
        ({"outcome": "died", "known_to_social_care": "no"}, refs(3)),
        ({"status": "evaluated", "cross_area": "yes", "region": WEST_MIDLANDS}, refs(2)),
        ({"year": "2008-09", "category": "weak_management"}, refs(1, 3)),
        ({"q": "Serious case review", "board": KENT}, refs(6)),
        (
            {"region": WEST_MIDLANDS, "judgement": ["inadequate", "adequate"], "year": ["2007-08", "2008-09"]},
            refs(1, 2, 8),
        ),
    ],
)
def test_different_filters_must_all_hold(as_inspector, query, expected):
    assert listed(as_inspector.get("/reviews/", query)) == expected


def test_the_year_runs_from_1_april_so_31_march_and_1_april_fall_in_different_years(as_inspector, register):
    # A8 was evaluated on 31 March 2008, A2 on 1 April 2008; A1 on 31 March 2009, A4 on 1 April 2009.
    assert "SCR-A8" in listed(as_inspector.get("/reviews/", {"year": "2007-08"}))
    assert "SCR-A8" not in listed(as_inspector.get("/reviews/", {"year": "2008-09"}))
    assert "SCR-A2" in listed(as_inspector.get("/reviews/", {"year": "2008-09"}))
    assert "SCR-A1" in listed(as_inspector.get("/reviews/", {"year": "2008-09"}))
    assert "SCR-A4" not in listed(as_inspector.get("/reviews/", {"year": "2008-09"}))
    assert "SCR-A4" in listed(as_inspector.get("/reviews/", {"year": "2009-10"}))


def test_judgement_and_year_are_those_of_the_latest_evaluation(as_inspector, register):
    # A5 was inadequate in 2008-09 and good in 2009-10: only the latest counts.
    assert "SCR-A5" not in listed(as_inspector.get("/reviews/", {"judgement": "inadequate", "year": "2008-09"}))
    EvaluationFactory(
        review=register["SCR-A5"],
        sequence=3,
        received_date=datetime.date(2010, 1, 1),
        completed_date=datetime.date(2010, 2, 1),
        judgement="adequate",
    )
    assert listed(as_inspector.get("/reviews/", {"judgement": "adequate", "year": "2009-10"})) == refs(5)


# The question the register exists to answer ------------------------------------------------------------


@pytest.mark.usefixtures("reporting_shares_default")
def test_an_inspector_finds_the_2008_09_inadequate_west_midlands_reviews_that_found_weak_management_and_downloads_them(
    as_inspector,
):
    page = as_inspector.get(
        "/reviews/",
        {"year": "2008-09", "judgement": "inadequate", "region": WEST_MIDLANDS, "category": "weak_management"},
    )
    assert listed(page) == ["SCR-A1"]
    assert "Showing 1 to 1 of 1 review" in page.content.decode()
    download = soup(page).find("a", string="Download this list (CSV)")["href"]
    rows = csv_rows(as_inspector.get(download))
    assert [(row["reference"], row["lead_board_name"], row["latest_judgement"]) for row in rows] == [
        ("SCR-A1", "Birmingham", "inadequate")
    ]
    assert rows[0]["latest_evaluation_reporting_year"] == "2008-09"
    assert rows[0]["region_name"] == "West Midlands"


# Sorting ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("reference", refs(1, 2, 3, 4, 5, 6, 8)),
        ("-reference", refs(8, 6, 5, 4, 3, 2, 1)),
        ("board", refs(1, 4, 5, 2, 8, 6, 3)),  # Birmingham, Coventry, Kent, Leeds; then reference
        ("-board", refs(3, 6, 2, 8, 1, 4, 5)),
        ("completed", refs(8, 2, 5, 3, 1, 4, 6)),
        ("-completed", refs(6, 4, 1, 3, 5, 2, 8)),
        ("evaluated", refs(8, 2, 3, 1, 4, 5, 6)),  # not yet evaluated (A6) last
        ("-evaluated", refs(5, 4, 1, 3, 2, 8, 6)),  # ... in both directions
        ("judgement", refs(5, 8, 1, 2, 3, 4, 6)),  # good, adequate, inadequate, none
        ("-judgement", refs(1, 2, 3, 4, 8, 5, 6)),  # inadequate, adequate, good, none
    ],
)
def test_every_sort_key_orders_the_list(as_inspector, key, expected):
    assert listed(as_inspector.get("/reviews/", {"o": key})) == expected


def test_sorted_column_says_so_with_aria_sort_and_its_link_reverses_it_keeping_filters(as_inspector):
    page = soup(as_inspector.get("/reviews/", {"o": "completed", "judgement": "inadequate", "page": "1"}))
    headers = {(th.find("a") or th).contents[0].strip(): th for th in page.select("thead th")}
    assert headers["Completed"]["aria-sort"] == "ascending"
    assert headers["Reference"]["aria-sort"] == "none"
    link = headers["Completed"].find("a")["href"]
    assert "o=-completed" in link and "judgement=inadequate" in link and "page=" not in link


# Paging -------------------------------------------------------------------------------------------------


@pytest.fixture
def many_inadequate(register):
    """30 more inadequate reviews evaluated in 2008-09: 34 inadequate in all."""
    for n in range(30):
        EvaluationFactory(
            review=ReviewFactory(reference=f"SCR-B{n:02d}", status=Review.Status.EVALUATED),
            completed_date=datetime.date(2008, 9, 1),
            judgement="inadequate",
        )


@pytest.mark.usefixtures("many_inadequate")
def test_pages_show_a_count_and_links_that_keep_every_filter(as_inspector):
    first = as_inspector.get("/reviews/", {"judgement": "inadequate", "o": "-reference"})
    assert "Showing 1 to 25 of 34 reviews" in first.content.decode()
    next_link = soup(first).find("a", rel="next")["href"]
    assert "judgement=inadequate" in next_link and "o=-reference" in next_link and "page=2" in next_link
    second = as_inspector.get(f"/reviews/{next_link}")
    assert "Showing 26 to 34 of 34 reviews" in second.content.decode()
    assert len(listed(second)) == 9
    assert set(listed(first)).isdisjoint(listed(second))
    # The pagination's markup (kept in the cache under its parameters) follows the page shown.
    current = [soup(page).select_one(".govuk-pagination__item--current") for page in (first, second)]
    assert [item.get_text(strip=True) for item in current] == ["1", "2"]
    # The export link carries the filters and sort, not the page.
    export = soup(second).find("a", string="Download this list (CSV)")["href"]
    assert export == "/reviews/export.csv?judgement=inadequate&o=-reference"


@pytest.mark.usefixtures("many_inadequate")
def test_page_size_can_be_25_50_or_100(as_inspector):
    assert len(listed(as_inspector.get("/reviews/", {"judgement": "inadequate"}))) == 25
    assert len(listed(as_inspector.get("/reviews/", {"judgement": "inadequate", "per_page": "50"}))) == 34


@pytest.mark.usefixtures("many_inadequate")
def test_changing_a_filter_drops_the_page_number(as_inspector):
    page = soup(as_inspector.get("/reviews/", {"judgement": "inadequate", "page": "2"}))
    form = page.find("form", id="register-filters")
    assert not form.find("input", attrs={"name": "page"})
    for tag in page.select("a.moj-filter__tag"):
        assert "page=" not in tag["href"]


@pytest.mark.usefixtures("many_inadequate")
def test_deep_pages_beyond_those_offered_are_refused_with_a_way_forward(as_inspector, monkeypatch):
    monkeypatch.setattr(pages, "MAX_BROWSABLE_ROWS", 25)
    first = as_inspector.get("/reviews/", {"judgement": "inadequate"})
    assert not soup(first).find("a", rel="next")
    # Counting stops after the rows offered: 34 reviews match.
    assert "Showing 1 to 25 of more than 25 reviews" in first.content.decode()
    assert "Only the first 25 reviews can be shown page by page" in first.content.decode()
    second = as_inspector.get("/reviews/", {"judgement": "inadequate", "page": "2"})
    assert listed(second) == []
    assert "Only the first 25 reviews can be shown page by page" in second.content.decode()


def test_selected_filters_are_tags_each_removing_only_itself(as_inspector):
    page = soup(as_inspector.get("/reviews/", {"judgement": ["inadequate", "good"], "board": BIRMINGHAM}))
    tags = {
        tag.get_text(" ", strip=True).replace("Remove this filter: ", ""): tag["href"]
        for tag in page.select("a.moj-filter__tag")
    }
    assert tags == {
        "Inadequate": f"?judgement=good&board={BIRMINGHAM}",
        "Good": f"?judgement=inadequate&board={BIRMINGHAM}",
        "Birmingham": "?judgement=inadequate&judgement=good",
    }
    assert page.find("a", string="Clear filters")["href"] == "/reviews/"


# Invalid input: an error summary and no rows, never the unfiltered list ----------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"judgement": "excellent"}, "Choose a judgement from the list: “excellent” is not one"),
        ({"year": "2008"}, "Enter a reporting year like 2008-09: “2008” is not one"),
        ({"year": "2008-10"}, "Enter a reporting year like 2008-09"),
        ({"board": "E99999999"}, "Choose a lead board from the list: “E99999999” is not a board"),
        ({"board": "Atlantis"}, "Choose a lead board from the list: “Atlantis” is not a board"),
        ({"region": "E12999999"}, "Choose a region from the list"),
        ({"category": "bad_luck"}, "Choose a weakness from the list"),
        ({"outcome": "alive"}, "Choose an outcome from the list"),
        ({"known_to_social_care": "maybe"}, "Select yes, no or either for known to social care"),
        ({"cross_area": "perhaps"}, "Select yes, no or either for other boards contributing"),
        ({"status": "lost"}, "Choose a status from the list"),
        ({"o": "title"}, "Sort by one of the columns offered: “title” is not one"),
        ({"o": "-summary"}, "Sort by one of the columns offered"),
        ({"page": "two"}, "Enter a page number, like 2"),
        ({"page": "0"}, "Enter a page number, like 2"),
        ({"page": "9"}, "There is no page 9: these results fill 1 page"),
        ({"per_page": "30"}, "Show 25, 50 or 100 reviews per page"),
        ({"q": "x" * 201}, "Search text must be 200 characters or fewer"),
        ({"judgement": ["inadequate", "excellent"]}, "Choose a judgement from the list"),  # one bad value is enough
    ],
)
def test_invalid_input_shows_an_error_summary_and_no_rows(as_inspector, query, message):
    response = as_inspector.get("/reviews/", query)
    assert response.status_code == 200
    page = soup(response)
    summary = page.select_one(".govuk-error-summary")
    assert summary is not None and message in summary.get_text()
    assert listed(response) == []
    assert not any(reference in response.content.decode() for reference in INSPECTOR_SEES)
    assert page.title.get_text().startswith("Error: ")
    # Every error links to something on the page.
    for link in summary.select("a"):
        assert page.find(id=link["href"].removeprefix("#")), link["href"]


DOWNLOADS = ("Download this list (CSV)", "Download this list (Excel)")


def test_filters_that_match_nothing_offer_no_downloads_but_a_way_to_clear_them(as_inspector):
    response = as_inspector.get("/reviews/", {"q": "no such review anywhere"})
    assert listed(response) == []
    page = soup(response)
    assert page.find(id="register-count").get_text() == "No reviews match these filters"
    assert not [link for link in page.select("#register-results a") if link.get_text() in DOWNLOADS]
    clear = page.select_one("#register-results").find("a", string="clear the filters")
    assert clear["href"] == "/reviews/"


def test_an_empty_register_offers_no_downloads(client, board_user):
    client.force_login(board_user)
    page = soup(client.get("/reviews/"))
    assert page.find(id="register-count").get_text() == "There are no reviews to show"
    assert not [link for link in page.select("#register-results a") if link.get_text() in DOWNLOADS]


@pytest.mark.parametrize("query", [{"judgement": "excellent"}, {"page": "9"}])
def test_invalid_input_offers_no_downloads(as_inspector, query):
    page = soup(as_inspector.get("/reviews/", query))
    assert page.select_one(".govuk-error-summary") is not None
    assert not [link for link in page.select("a") if link.get_text() in DOWNLOADS]


def test_inspectors_are_not_offered_drafts_and_asking_for_them_is_an_error(as_inspector):
    page = soup(as_inspector.get("/reviews/"))
    assert not page.find("input", attrs={"name": "status", "value": "draft"})
    assert "Choose a status from the list" in as_inspector.get("/reviews/", {"status": "draft"}).content.decode()


# Without and with JavaScript ------------------------------------------------------------------------------


def test_blank_parameters_from_the_form_are_dropped_by_a_redirect(as_inspector):
    response = as_inspector.get("/reviews/?q=&board=&judgement=good")
    assert response.status_code == 302
    assert response["Location"] == "/reviews/?judgement=good"


def test_htmx_gets_only_the_results_and_the_selected_filters_and_a_clean_url_to_push(as_inspector):
    response = as_inspector.get("/reviews/?q=&judgement=good", headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and 'id="register-filters"' not in html
    assert listed(response) == refs(5)
    assert 'id="register-selected" hx-swap-oob="true"' in html
    assert response["HX-Push-Url"] == "/reviews/?judgement=good"


def test_htmx_shows_errors_inside_the_results(as_inspector):
    response = as_inspector.get("/reviews/", {"judgement": "bad"}, headers={"HX-Request": "true"})
    assert "govuk-error-summary" in response.content.decode()
    assert listed(response) == []


def test_the_filter_form_works_without_javascript_and_asks_htmx_for_results_on_change(as_inspector):
    form = soup(as_inspector.get("/reviews/")).find("form", id="register-filters")
    assert form["method"] == "get" and form["action"] == "/reviews/"
    assert form["hx-get"] == "/reviews/" and "change" in form["hx-trigger"] and form["hx-push-url"] == "true"
    assert form.find("button", string=lambda text: text and text.strip() == "Apply filters")
    # The board type-ahead: a text input with a datalist of every board.
    typeahead = form.find("input", id="id_board")
    options = form.find("datalist", id=typeahead["list"]).find_all("option")
    assert len(options) == 170
    assert any(option["value"] == f"Birmingham ({BIRMINGHAM})" for option in options)


def test_chosen_boards_stay_ticked_and_typed_text_that_is_no_board_is_kept_with_its_error(as_inspector):
    page = soup(as_inspector.get("/reviews/", {"board": [BIRMINGHAM, "Atlantis"]}))
    assert page.find("input", attrs={"name": "board", "value": BIRMINGHAM, "type": "checkbox"}).has_attr("checked")
    assert page.find("input", id="id_board")["value"] == "Atlantis"


# Speed: the number of queries does not grow with the page ------------------------------------------------


@pytest.fixture
def hundred_and_twenty(register):
    for n in range(120):
        EvaluationFactory(review=ReviewFactory(reference=f"SCR-C{n:03d}", status=Review.Status.EVALUATED))


@pytest.mark.usefixtures("hundred_and_twenty")
@pytest.mark.parametrize("per_page", ["25", "100"])
@pytest.mark.parametrize(
    "query",
    [{}, {"judgement": "adequate"}, {"category": "weak_management"}, {"q": "child"}, {"o": "-board"}],
)
def test_the_list_takes_at_most_six_queries_whatever_the_page_size(
    client, inspector, django_assert_max_num_queries, per_page, query
):
    client.force_login(inspector)
    client.get("/reviews/")  # the session's clocks and the cached board list are set up once
    # The session, the user, their own and their groups' permissions (ModelBackend's two), the second
    # factor's device, and the page with its count.
    with django_assert_max_num_queries(6):
        response = client.get("/reviews/", {**query, "per_page": per_page})
    assert response.status_code == 200
    assert listed(response)


@pytest.mark.usefixtures("hundred_and_twenty")
@pytest.mark.parametrize("per_page", ["25", "100"])
def test_board_staff_list_takes_at_most_six_queries_too(client, django_assert_max_num_queries, per_page):
    staff = UserFactory(role="board_staff", boards=[BIRMINGHAM])  # the 120 reviews are Birmingham's
    client.force_login(staff)
    client.get("/reviews/")
    with django_assert_max_num_queries(6):
        response = client.get("/reviews/", {"per_page": per_page})
    assert len(listed(response)) == int(per_page)


def test_the_capped_count_reads_the_filtered_reviews_without_the_columns_joins(as_inspector):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = as_inspector.get("/reviews/", {"status": "submitted"})
    assert listed(response) == refs(6)
    (data,) = [query["sql"] for query in captured.captured_queries if "capped_count" in query["sql"]]
    count = data[data.index("(SELECT COUNT(*)") : data.index("AS capped_count")]
    # The board's name is a column of the page, not a filter: joining it would read each review's row.
    assert "reviews_board" not in count
    assert "reviews_board" in data


# Random query strings never break the page ----------------------------------------------------------------

PARAMETERS = [
    "q",
    "judgement",
    "year",
    "board",
    "region",
    "category",
    "outcome",
    "known_to_social_care",
    "cross_area",
    "status",
    "o",
    "page",
    "per_page",
    "other",
]
SAMPLES = [
    "inadequate",
    "good",
    "2008-09",
    "2008",
    "-1",
    "0",
    "99999999999999999999",
    BIRMINGHAM,
    WEST_MIDLANDS,
    "weak_management",
    "died",
    "yes",
    "no",
    "draft",
    "-judgement",
    "reference",
    "25",
    "%",
    "_",
    "' OR 1=1 --",
    "\x00",
    "",
]
VALUES = st.one_of(st.sampled_from(SAMPLES), st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pairs=st.lists(st.tuples(st.sampled_from(PARAMETERS), VALUES), max_size=6), htmx=st.booleans())
def test_random_query_strings_never_give_a_server_error(as_inspector, pairs, htmx):
    query = {}
    for key, value in pairs:
        query.setdefault(key, []).append(value)
    headers = {"HX-Request": "true"} if htmx else {}
    response = as_inspector.get("/reviews/", query, headers=headers)
    assert response.status_code in (200, 302)


@pytest.mark.usefixtures("reporting_shares_default")
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pairs=st.lists(st.tuples(st.sampled_from(PARAMETERS), VALUES), max_size=4))
def test_random_query_strings_never_break_the_export(as_inspector, pairs):
    query = {}
    for key, value in pairs:
        query.setdefault(key, []).append(value)
    response = as_inspector.get("/reviews/export.csv", query)
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        csv_rows(response)


def test_board_filter_options_follow_changes_to_the_reference_data(as_inspector):
    kent = board(KENT)
    kent.name = "Kent County"
    kent.save()
    assert listed(as_inspector.get("/reviews/", {"board": "Kent County"})) == refs(6)


def test_choices_offered_to_one_user_never_reach_another(inspector, board_user):
    """Choices are built for each FilterSet: board staff are offered drafts, inspectors never, whoever came
    first, and one FilterSet's choices or values never change another's."""
    from django.http import QueryDict

    def filterset(user):
        return filters.ReviewFilter(QueryDict("status=draft"), queryset=Review.objects.for_user(user), user=user)

    staff, inspecting, staff_again = filterset(board_user), filterset(inspector), filterset(board_user)

    assert staff.is_valid() and staff_again.is_valid()
    assert not inspecting.is_valid() and "Choose a status from the list" in str(inspecting.errors["status"])
    assert [value for value, _ in inspecting.form.fields["status"].choices] == ["submitted", "evaluated"]
    assert "draft" in [value for value, _ in staff_again.form.fields["status"].choices]
