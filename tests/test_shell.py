"""The shell every page shares: GOV.UK template, navigation by role, error pages, and GOV.UK form markup."""

import datetime
import html

import pytest
from bs4 import BeautifulSoup
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.template import engines
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.views import defaults

from govuk.forms import GOVUKDateField
from tests.factories import UserFactory


def soup(response_or_html):
    html = response_or_html if isinstance(response_or_html, str) else response_or_html.content.decode()
    return BeautifulSoup(html, "html.parser")


def render_page(user, path="/somewhere/", template="404.html"):
    """A page rendered for ``user`` as if they had asked for ``path``."""
    request = RequestFactory().get(path)
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return soup(render_to_string(template, request=request))


# The page template -----------------------------------------------------------------------------------


@pytest.fixture
def board_page(client, board_user):
    client.force_login(board_user)
    return soup(client.get("/no-such-page/"))


def test_every_page_starts_with_a_skip_link_to_the_main_content(board_page):
    skip = board_page.body.find("a")
    assert "govuk-skip-link" in skip["class"]
    assert skip["href"] == "#main-content"
    assert board_page.find("main", id="main-content")


def test_header_names_the_service_and_shows_no_crown_or_gov_uk_logo(board_page):
    header = board_page.find("header")
    assert header.select_one(".govuk-service-navigation__service-name").get_text(strip=True) == "SCR Register"
    html = str(board_page).lower()
    assert "crown" not in html.replace("crown copyright", "")
    assert not board_page.select(
        ".govuk-header__logo, .govuk-logo, .govuk-footer__crown, .govuk-footer__copyright-logo"
    )
    assert "gds transport" not in html


def test_phase_banner_says_the_service_is_in_beta(board_page):
    banner = board_page.select_one(".govuk-phase-banner")
    assert banner.select_one(".govuk-tag").get_text(strip=True) == "Beta"
    assert "new service" in banner.get_text()


def test_phase_banner_asks_for_feedback_with_a_link_to_the_feedback_address(board_page):
    link = board_page.select_one(".govuk-phase-banner__text a")
    assert link.get_text(strip=True) == "feedback"
    assert "govuk-link" in link["class"]
    assert link["href"] == "mailto:scr-register@example.org"


def test_the_feedback_link_goes_where_the_setting_says_even_on_the_server_error_page(db, settings):
    settings.FEEDBACK_URL = "https://forms.example.org/scr-register-feedback"
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    page = soup(defaults.server_error(request))
    assert page.select_one(".govuk-phase-banner__text a")["href"] == "https://forms.example.org/scr-register-feedback"


def test_footer_carries_the_open_government_licence(board_page):
    footer = board_page.select_one(".govuk-footer")
    licence = footer.find("a", rel="license")
    assert licence.get_text(strip=True) == "Open Government Licence v3.0"
    assert "open-government-licence/version/3" in licence["href"]


def test_page_loads_the_compiled_styles_and_scripts_from_this_site_only(board_page):
    sources = [tag.get("src") or tag.get("href") for tag in board_page.select("script[src], link[rel=stylesheet]")]
    assert "/static/css/application.css" in sources
    assert "/static/js/application.js" in sources
    assert all(source.startswith("/static/") for source in sources)


def test_the_only_inline_script_carries_the_csp_nonce(client, board_user):
    client.force_login(board_user)
    response = client.get("/no-such-page/")
    inline = [tag for tag in soup(response).find_all("script") if not tag.get("src")]
    assert len(inline) == 1
    nonce = inline[0]["nonce"]
    assert f"'nonce-{nonce}'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("board_staff", [("Our reviews", "/reviews/"), ("Log a review", "/reviews/new/"), ("Actions", "/actions/")]),
        ("inspector", [("Register", "/reviews/"), ("Actions", "/actions/"), ("Dashboard", "/dashboard/")]),
        ("manager", [("Dashboard", "/dashboard/"), ("Register", "/reviews/"), ("Actions", "/actions/")]),
        (
            "admin",
            [("Register", "/reviews/"), ("Actions", "/actions/"), ("Dashboard", "/dashboard/"), ("Admin", "/admin/")],
        ),
    ],
)
def test_service_navigation_shows_the_links_for_the_users_role(db, client, role, expected):
    client.force_login(UserFactory(role=role))
    page = soup(client.get("/no-such-page/"))
    links = page.select(".govuk-service-navigation__list a")
    assert [(link.get_text(strip=True), link["href"]) for link in links] == expected


def test_user_with_no_role_gets_no_navigation_links(db):
    page = render_page(UserFactory())
    assert not page.select(".govuk-service-navigation__list")


def test_navigation_marks_the_current_page_and_section(board_user):
    page = render_page(board_user, path="/reviews/new/")
    log = page.find("a", string="Log a review") or page.find("a", href="/reviews/new/")
    ours = page.find("a", href="/reviews/")
    assert log["aria-current"] == "page"
    assert "govuk-service-navigation__item--active" in log.parent["class"]
    assert not ours.has_attr("aria-current")

    page = render_page(board_user, path="/reviews/12/edit/")
    assert page.find("a", href="/reviews/")["aria-current"] == "true"


def test_signed_in_user_sees_their_name_and_a_sign_out_button_that_posts(db):
    user = UserFactory(first_name="Priya", last_name="Shah", role="inspector")
    page = render_page(user)
    assert "Priya Shah" in page.select_one(".app-account").get_text()
    form = page.select_one(".app-account form")
    assert form["method"] == "post"
    assert form["action"] == "/accounts/logout/"
    assert form.find("input", attrs={"name": "csrfmiddlewaretoken"})
    assert form.find("button").get_text(strip=True) == "Sign out"


def test_signed_out_visitors_see_no_navigation_or_account(client):
    page = soup(client.get("/accounts/login/"))
    assert not page.select(".govuk-service-navigation__list, .app-account")
    assert page.select_one(".govuk-service-navigation__service-name")


def test_messages_appear_as_notification_banners(board_user):
    request = RequestFactory().get("/")
    request.user = board_user
    request.session = {}
    request._messages = FallbackStorage(request)
    request._messages.add(25, "Review SCR-1 saved")  # success
    request._messages.add(20, "Nothing to export")  # info
    page = soup(render_to_string("404.html", request=request))
    banners = page.select(".govuk-notification-banner")
    assert [banner.select_one(".govuk-notification-banner__heading").get_text(strip=True) for banner in banners] == [
        "Review SCR-1 saved",
        "Nothing to export",
    ]
    assert "govuk-notification-banner--success" in banners[0]["class"]
    assert banners[0]["role"] == "alert"
    assert banners[1]["role"] == "region"


# Error pages ---------------------------------------------------------------------------------------


def test_unknown_page_answers_404_with_the_gov_uk_page_not_found_pattern(client, board_user):
    client.force_login(board_user)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = soup(response)
    assert page.h1.get_text(strip=True) == "Page not found"
    assert page.title.get_text(strip=True) == "Page not found - SCR Register"


def test_permission_denied_page_is_gov_uk_styled(board_user):
    request = RequestFactory().get("/reviews/1/evaluate/")
    request.user = board_user
    request.session = {}
    request._messages = FallbackStorage(request)
    response = defaults.permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    assert soup(response).h1.get_text(strip=True) == "You do not have permission to do this"


def test_bad_request_page_is_gov_uk_styled(board_user):
    request = RequestFactory().get("/")
    request.user = board_user
    request.session = {}
    request._messages = FallbackStorage(request)
    response = defaults.bad_request(request, Exception())
    assert response.status_code == 400
    assert soup(response).h1.get_text(strip=True) == "There is a problem with your request"


def test_server_error_page_renders_without_a_request_context_or_database(db, django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        response = defaults.server_error(request)
    assert response.status_code == 500
    page = soup(response)
    assert page.h1.get_text(strip=True) == "Sorry, there is a problem with the service"
    assert page.select_one(".govuk-service-navigation__service-name")
    assert not page.select(".app-account, .govuk-service-navigation__list")


def test_service_unavailable_page_renders_without_touching_the_database(board_user, django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = board_user
    with django_assert_num_queries(0):
        html = render_to_string("503.html", request=request)
    assert soup(html).h1.get_text(strip=True) == "Sorry, the service is unavailable"


# Forms: every Django form renders GOV.UK markup ----------------------------------------------------


class ExampleForm(forms.Form):
    govuk_mark_optional = True

    title = forms.CharField(help_text="Never include a child's name.")
    judgement = forms.ChoiceField(
        choices=[("good", "Good"), ("adequate", "Adequate"), ("inadequate", "Inadequate")],
        widget=forms.RadioSelect,
        help_text="The latest judgement.",
    )
    categories = forms.MultipleChoiceField(
        choices=[("weak_management", "Weak management"), ("child_focus", "Child focus")],
        widget=forms.CheckboxSelectMultiple,
    )
    board = forms.ChoiceField(choices=[("", "Choose a board"), ("E08000025", "Birmingham")])
    summary = forms.CharField(widget=forms.Textarea, required=False)
    independent_chair = forms.BooleanField(label="The chair was independent", required=False)
    decision_date = GOVUKDateField(label="Date of decision", help_text="For example, 27 3 2008")


def render_form(form):
    """A form as the pages render one: the error summary, then every field through the GOV.UK macros."""
    template = engines["jinja2"].from_string(
        '{% import "govuk/forms.html" as govuk_forms %}{{ govuk_forms.error_summary(form) }}'
        '<form method="post" novalidate>{{ govuk_forms.fields(form) }}</form>'
    )
    return soup(template.render({"form": form}))


def test_labels_are_tied_to_their_inputs_and_hints_are_announced():
    page = render_form(ExampleForm())
    label = next(label for label in page.find_all("label") if label.get_text(strip=True) == "Title")
    field = page.find(id=label["for"])
    assert field.name == "input"
    assert field["name"] == "title"
    assert "govuk-label" in label["class"]
    assert "govuk-input" in field["class"]
    hint = page.find(id=field["aria-describedby"])
    assert "govuk-hint" in hint["class"]
    assert hint.get_text(strip=True) == "Never include a child's name."


def test_fields_get_gov_uk_classes_and_optional_fields_say_so():
    page = render_form(ExampleForm())
    assert "govuk-select" in page.find("select", attrs={"name": "board"})["class"]
    assert "govuk-textarea" in page.find("textarea", attrs={"name": "summary"})["class"]
    assert page.find("label", attrs={"for": "id_summary"}).get_text(strip=True) == "Summary (optional)"
    checkbox = page.find("input", attrs={"name": "independent_chair"})
    assert "govuk-checkboxes__input" in checkbox["class"]
    assert page.find("label", attrs={"for": checkbox["id"]}).get_text(strip=True) == "The chair was independent"
    # The server validates with GOV.UK's messages; browsers' own pop-ups would get in the way.
    assert not page.select("[required]")


def test_radios_and_checkboxes_sit_in_a_fieldset_with_a_legend():
    page = render_form(ExampleForm())
    radios = page.select_one(".govuk-radios")
    fieldset = radios.find_parent("fieldset")
    assert "govuk-fieldset" in fieldset["class"]
    assert fieldset.legend.get_text(strip=True) == "Judgement"
    assert fieldset["aria-describedby"] == "id_judgement-hint"
    first = radios.select_one("input.govuk-radios__input")
    assert first["type"] == "radio"
    assert page.find("label", attrs={"for": first["id"]}).get_text(strip=True) == "Good"

    checkboxes = page.select_one(".govuk-checkboxes[data-module]")
    assert checkboxes.find_parent("fieldset").legend.get_text(strip=True) == "Categories"
    assert len(checkboxes.select("input.govuk-checkboxes__input[type=checkbox]")) == 2


def test_errors_are_shown_by_the_field_and_announced_with_it():
    form = ExampleForm(data={"title": "", "board": ""})
    assert not form.is_valid()
    page = render_form(form)
    title = page.find("input", attrs={"name": "title"})
    group = title.find_parent(class_="govuk-form-group")
    assert "govuk-form-group--error" in group["class"]
    assert "govuk-input--error" in title["class"]
    described = title["aria-describedby"].split()
    assert described == ["id_title-hint", "id_title-error"]
    error = page.find(id="id_title-error")
    assert "govuk-error-message" in error["class"]
    assert error.select_one(".govuk-visually-hidden").get_text() == "Error:"
    assert error.get_text(" ", strip=True) == "Error: Enter title"


def test_error_summary_links_each_error_to_its_field():
    form = ExampleForm(data={"title": "", "board": "", "decision_date_day": "3", "decision_date_year": "2008"})
    form.is_valid()
    page = render_form(form)
    summary = page.select_one(".govuk-error-summary")
    assert summary.select_one(".govuk-error-summary__title").get_text(strip=True) == "There is a problem"
    links = {a.get_text(strip=True): a["href"] for a in summary.select(".govuk-error-summary__list a")}
    assert links == {
        "Enter title": "#id_title",
        "Select judgement": "#id_judgement_0",
        "Select categories": "#id_categories_0",
        "Select board": "#id_board",
        "Date of decision must include a month": "#id_decision_date_1",
    }
    for href in links.values():
        assert page.find(id=href[1:]), href


def test_error_summary_takes_pairs_of_field_id_and_message():
    template = engines["jinja2"].from_string(
        '{% import "govuk/forms.html" as govuk_forms %}{{ govuk_forms.error_summary(errors) }}'
    )
    page = soup(template.render({"errors": [("id_reference", "Enter a reference")]}))
    link = page.select_one(".govuk-error-summary__list a")
    assert (link["href"], link.get_text()) == ("#id_reference", "Enter a reference")
    assert not template.render({"errors": []}).strip()


def test_page_title_starts_with_error_when_the_form_has_errors(client):
    response = client.post("/accounts/login/", {"username": "", "password": ""})
    assert soup(response).title.get_text(strip=True) == "Error: Sign in - SCR Register"


# The GOV.UK date input -----------------------------------------------------------------------------


class DateForm(forms.Form):
    decision_date = GOVUKDateField(label="Date of decision to hold the review", error_name="date of decision")
    completed_date = GOVUKDateField(required=False, not_in_future=True, min_date=datetime.date(2007, 1, 1))


def date_data(day="", month="", year="", **extra):
    return {"decision_date_day": day, "decision_date_month": month, "decision_date_year": year, **extra}


def test_date_input_renders_three_labelled_inputs_in_a_fieldset():
    page = render_form(DateForm())
    fieldset = page.select_one(".govuk-date-input").find_parent("fieldset")
    assert fieldset["role"] == "group"
    assert fieldset.legend.get_text(strip=True) == "Date of decision to hold the review"
    inputs = page.select("#id_decision_date input")
    assert [i["name"] for i in inputs] == ["decision_date_day", "decision_date_month", "decision_date_year"]
    for field in inputs:
        assert field["inputmode"] == "numeric"
        assert "govuk-date-input__input" in field["class"]
        assert page.find("label", attrs={"for": field["id"]})
    assert [page.find("label", attrs={"for": i["id"]}).get_text(strip=True) for i in inputs] == ["Day", "Month", "Year"]


@pytest.mark.parametrize(
    ("day", "month", "year", "expected"),
    [
        ("27", "3", "2008", datetime.date(2008, 3, 27)),
        (" 1 ", "04", "2009", datetime.date(2009, 4, 1)),
        ("5", "Feb", "2008", datetime.date(2008, 2, 5)),
        ("29", "february", "2008", datetime.date(2008, 2, 29)),
    ],
)
def test_date_input_returns_the_date_typed(day, month, year, expected):
    form = DateForm(data=date_data(day, month, year))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["decision_date"] == expected
    assert form.cleaned_data["completed_date"] is None


@pytest.mark.parametrize(
    ("day", "month", "year", "message", "parts"),
    [
        ("", "", "", "Enter the date of decision", ["day", "month", "year"]),
        ("27", "", "2008", "Date of decision must include a month", ["month"]),
        ("", "", "2008", "Date of decision must include a day and month", ["day", "month"]),
        ("31", "2", "2008", "Date of decision must be a real date", ["day", "month", "year"]),
        ("29", "2", "2009", "Date of decision must be a real date", ["day", "month", "year"]),
        ("x", "2", "2008", "Date of decision must be a real date", ["day"]),
        ("1", "13", "2008", "Date of decision must be a real date", ["day", "month", "year"]),
        ("1", "2", "08", "Year must include 4 numbers", ["year"]),
        ("-1", "2", "2008", "Date of decision must be a real date", ["day"]),
        ("1", "2", "99999999999999999999", "Year must include 4 numbers", ["year"]),
    ],
)
def test_date_input_says_what_is_wrong_and_marks_only_the_parts_at_fault(day, month, year, message, parts):
    form = DateForm(data=date_data(day, month, year))
    assert not form.is_valid()
    assert form.errors["decision_date"] == [message]
    page = render_form(form)
    marked = [i["name"].rsplit("_", 1)[1] for i in page.select("#id_decision_date input.govuk-input--error")]
    assert marked == parts
    assert page.find(id="id_decision_date-error").get_text(" ", strip=True) == f"Error: {message}"
    fieldset = page.select_one("#id_decision_date").find_parent("fieldset")
    assert "id_decision_date-error" in fieldset["aria-describedby"]


def test_date_input_keeps_exactly_what_the_user_typed_on_error():
    form = DateForm(data=date_data("31", "Feb", "2008"))
    assert not form.is_valid()
    page = render_form(form)
    values = [i.get("value") for i in page.select("#id_decision_date input")]
    assert values == ["31", "Feb", "2008"]


def test_date_input_shows_a_saved_date_as_day_month_and_year():
    page = render_form(DateForm(initial={"decision_date": datetime.date(2008, 3, 7)}))
    assert [i.get("value") for i in page.select("#id_decision_date input")] == ["7", "3", "2008"]


def test_date_input_refuses_dates_in_the_future_and_before_its_minimum():
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    data = date_data("1", "1", "2008")
    data.update(completed_date_day=str(tomorrow.day), completed_date_month=str(tomorrow.month))
    data["completed_date_year"] = str(tomorrow.year)
    form = DateForm(data=data)
    assert form.errors["completed_date"] == ["Completed date must be today or in the past"]

    data.update(completed_date_day="31", completed_date_month="12", completed_date_year="2006")
    form = DateForm(data=data)
    assert form.errors["completed_date"] == ["Completed date must be the same as or after 1 January 2007"]


def test_date_input_knows_when_the_date_has_not_changed():
    form = DateForm(data=date_data("7", "3", "2008"), initial={"decision_date": datetime.date(2008, 3, 7)})
    assert "decision_date" not in form.changed_data
    form = DateForm(data=date_data("8", "3", "2008"), initial={"decision_date": datetime.date(2008, 3, 7)})
    assert "decision_date" in form.changed_data


# Sortable headers and pagination (govuk/components.html, govuk/helpers.py) ----------------------------------


def _render_tags(source, query, **context):
    request = RequestFactory().get("/reviews/", query)
    template = engines["jinja2"].from_string(
        '{% import "govuk/components.html" as components with context %}'
        '{% from "govuk_frontend_jinja/components/pagination/macro.html" import govukPagination %}' + source
    )
    return BeautifulSoup(template.render(context, request), "html.parser")


def test_a_sortable_header_says_how_the_list_is_sorted_and_its_link_reverses_it_keeping_the_filters():
    page = _render_tags(
        '{{ components.sortable_header("Completed", "completed") }}'
        '{{ components.sortable_header("Reference", "reference") }}',
        {"judgement": "inadequate", "o": "completed", "page": "3"},
        ordering="completed",
    )
    completed, reference = page.find_all("th")
    assert completed["aria-sort"] == "ascending" and reference["aria-sort"] == "none"
    assert completed.a["href"] == "?judgement=inadequate&o=-completed"  # the page is dropped
    assert reference.a["href"] == "?judgement=inadequate&o=reference"
    assert completed.get_text() == "Completed"


def test_pagination_keeps_the_filters_marks_the_current_page_and_elides_the_middle():
    page_obj = Paginator(range(250), 25).page(5)
    nav = _render_tags(
        '{% set pages = pagination(page_obj, "Pages of reviews") %}'
        "{% if pages %}{{ govukPagination(pages) }}{% endif %}",
        {"year": "2008-09", "page": "5"},
        page_obj=page_obj,
    ).find("nav")
    assert nav["aria-label"] == "Pages of reviews"
    assert nav.find("a", rel="prev")["href"] == "?year=2008-09&page=4"
    assert nav.find("a", rel="next")["href"] == "?year=2008-09&page=6"
    current = nav.find("a", attrs={"aria-current": "page"})
    assert current.get_text(strip=True) == "5" and "govuk-pagination__item--current" in current.parent["class"]
    numbers = [item.get_text(strip=True) for item in nav.find_all("li")]
    assert numbers == ["1", "⋯", "4", "5", "6", "⋯", "10"]


def test_pagination_is_nothing_for_a_single_page():
    page_obj = Paginator(range(10), 25).page(1)
    assert _render_tags("{{ pagination(page_obj) or '' }}", {}, page_obj=page_obj).get_text() == ""


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"q": "neglect & abuse", "board": ["E08000025", "E08000026"], "o": "-board"},
        {"q": "Ünïcode / 100% ?=&", "page": "7", "year": "2008-09"},
    ],
)
def test_the_tags_links_are_the_query_strings_djangos_querystring_tag_makes(query):
    ours = _render_tags('{{ components.sortable_header("Lead board", "board") }}', query, ordering="board").th.a["href"]
    django = engines["django"].from_string("{% querystring o='-board' page=None %}")
    assert ours == html.unescape(django.render({}, RequestFactory().get("/reviews/", query)))
