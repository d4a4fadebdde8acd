"""The govuk app: Django form fields through the govuk-frontend-jinja macros, and the Jinja2 page layout."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django import forms
from django.template import engines
from django.test import RequestFactory

from govuk.forms import GOVUKDateField, GOVUKTextField


class ExampleForm(forms.Form):
    govuk_mark_optional = True

    title = forms.CharField(help_text="Never include a child's name.")
    judgement = forms.ChoiceField(
        choices=[("good", "Good"), ("adequate", "Adequate"), ("inadequate", "Inadequate")],
        widget=forms.RadioSelect,
    )
    categories = forms.MultipleChoiceField(
        choices=[("weak_management", "Weak management"), ("child_focus", "Child focus")],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    board = forms.ChoiceField(choices=[("", "Choose a board"), ("E08000025", "Birmingham")])
    summary = GOVUKTextField(max_length=5000, required=False)
    published = forms.BooleanField(required=False, help_text="Tick when the report is public.")
    completed = GOVUKDateField(error_name="date completed")
    password = forms.CharField(widget=forms.PasswordInput)


def render(template_code, **context):
    """A Jinja2 snippet rendered by the project's environment, as a page would render it."""
    template = engines["jinja2"].from_string('{% import "govuk/forms.html" as govuk_forms %}' + template_code)
    return BeautifulSoup(template.render(context), "html.parser")


def field(bound_field, params=None):
    return render("{{ govuk_forms.field(bound_field, params) }}", bound_field=bound_field, params=params or {})


def test_a_text_field_has_its_label_hint_and_value_tied_to_the_input():
    page = field(ExampleForm(initial={"title": "Review of <b>Child A</b>"})["title"])
    field_input = page.find("input", id="id_title")
    assert field_input["name"] == "title"
    assert field_input["value"] == "Review of <b>Child A</b>"  # escaped on the page, read back as typed
    assert page.find("label", attrs={"for": "id_title"}).get_text(strip=True) == "Title"
    hint = page.select_one(".govuk-hint")
    assert hint.get_text(strip=True) == "Never include a child's name."
    assert hint["id"] in field_input["aria-describedby"].split()


def test_a_field_with_errors_shows_them_and_is_marked_invalid():
    form = ExampleForm(data={})
    page = field(form["title"])
    assert page.select_one(".govuk-form-group--error")
    assert "govuk-input--error" in page.find("input", id="id_title")["class"]
    message = page.select_one(".govuk-error-message")
    assert message.get_text(" ", strip=True) == "Error: Enter title"
    assert message["id"] in page.find("input", id="id_title")["aria-describedby"].split()


def test_params_are_merged_into_the_macros_parameters():
    page = field(ExampleForm()["title"], {"classes": "govuk-input--width-10", "label": {"classes": "govuk-label--m"}})
    assert "govuk-input--width-10" in page.find("input")["class"]
    label = page.find("label")
    assert "govuk-label--m" in label["class"]
    assert label.get_text(strip=True) == "Title"


def test_radios_keep_djangos_ids_and_the_checked_choice():
    page = field(ExampleForm(data={"judgement": "adequate"})["judgement"])
    radios = page.select("input[type=radio]")
    assert [radio["id"] for radio in radios] == ["id_judgement_0", "id_judgement_1", "id_judgement_2"]
    assert [radio.has_attr("checked") for radio in radios] == [False, True, False]
    assert page.find("legend").get_text(strip=True) == "Judgement"


def test_checkboxes_mark_every_chosen_value_and_optional_fields_say_so():
    page = field(ExampleForm(data={"categories": ["child_focus"]})["categories"])
    boxes = page.select("input[type=checkbox]")
    assert [box.has_attr("checked") for box in boxes] == [False, True]
    assert page.find("legend").get_text(strip=True) == "Categories (optional)"


def test_a_select_shows_the_chosen_option():
    page = field(ExampleForm(data={"board": "E08000025"})["board"])
    options = page.select("select#id_board option")
    assert [(option["value"], option.has_attr("selected")) for option in options] == [
        ("", False),
        ("E08000025", True),
    ]


def test_a_long_text_field_gets_the_character_count():
    page = field(ExampleForm()["summary"])
    assert page.select_one(".govuk-character-count")["data-maxlength"] == "5000"
    assert page.select_one("textarea#id_summary")
    assert "You can enter up to 5,000 characters" in page.get_text()


def test_a_single_checkbox_is_ticked_when_true_and_sends_a_value_django_reads_as_true():
    form = ExampleForm(initial={"published": True})
    box = field(form["published"]).find("input", id="id_published")
    assert box.has_attr("checked")
    assert form.fields["published"].widget.value_from_datadict({"published": box["value"]}, {}, "published")


def test_a_date_input_keeps_what_was_typed_and_marks_only_the_wrong_part():
    form = ExampleForm(data={"completed_day": "31", "completed_month": "2", "completed_year": "24"})
    page = field(form["completed"])
    parts = page.select("input.govuk-date-input__input")
    assert [part["name"] for part in parts] == ["completed_day", "completed_month", "completed_year"]
    assert [part["id"] for part in parts] == ["id_completed_0", "id_completed_1", "id_completed_2"]
    assert [part["value"] for part in parts] == ["31", "2", "24"]
    assert ["govuk-input--error" in part["class"] for part in parts] == [False, False, True]
    assert "Year must include 4 numbers" in page.select_one(".govuk-error-message").get_text()


def test_a_date_input_shows_the_initial_date():
    page = field(ExampleForm(initial={"completed": datetime.date(2024, 3, 9)})["completed"])
    assert [part["value"] for part in page.select("input.govuk-date-input__input")] == ["9", "3", "2024"]


def test_a_password_is_never_sent_back_to_the_browser():
    page = field(ExampleForm(data={"password": "secret-password"})["password"])
    password = page.find("input", id="id_password")
    assert password["type"] == "password"
    assert not password.get("value")


def test_the_error_summary_links_each_error_to_its_field_in_page_order():
    form = ExampleForm(data={"completed_day": "1", "completed_month": "", "completed_year": "2024"})
    page = render("{{ govuk_forms.error_summary(form) }}", form=form)
    links = [(link["href"], link.get_text(strip=True)) for link in page.select(".govuk-error-summary__list a")]
    assert links[0] == ("#id_title", "Enter title")
    assert ("#id_judgement_0", "Select judgement") in links
    assert ("#id_completed_1", "Date completed must include a month") in links


def test_an_error_on_a_hidden_field_is_text_in_the_summary_not_a_link_to_nothing():
    class PagedForm(forms.Form):
        page = forms.IntegerField(widget=forms.HiddenInput, error_messages={"invalid": "Enter a page number"})

    page = render("{{ govuk_forms.error_summary(form) }}", form=PagedForm(data={"page": "two"}))
    assert page.select_one(".govuk-error-summary__list").get_text(strip=True) == "Enter a page number"
    assert page.select(".govuk-error-summary__list a") == []


def test_the_error_summary_is_nothing_without_errors():
    assert render("{{ govuk_forms.error_summary([form, none]) }}", form=ExampleForm()).get_text(strip=True) == ""


@pytest.mark.django_db
def test_a_jinja2_page_keeps_the_query_string_in_its_links():
    request = RequestFactory().get("/reviews/", {"year": "2008-09", "page": "3"})
    template = engines["jinja2"].from_string("{{ querystring(page=4) }}|{{ querystring(page=none) }}")
    assert template.render({}, request) == "?year=2008-09&amp;page=4|?year=2008-09"


def test_a_summary_list_keeps_the_line_breaks_of_long_text_and_nothing_around_it():
    page = render(
        '{% import "govuk/components.html" as components %}'
        '{% from "govuk_frontend_jinja/components/summary-list/macro.html" import govukSummaryList %}'
        '{{ govukSummaryList({"rows": summary_rows(['
        '{"key": "Summary", "html": components.prewrap(text)}, {"key": "Title", "value": ""}], "/edit/")}) }}',
        text="First line <b>bold</b>\r\n  indented second line",
    )
    kept = page.select_one(".govuk-summary-list__value .app-prewrap")
    assert kept.get_text() == "First line <b>bold</b>\n  indented second line"
    values = [value.get_text(strip=True) for value in page.select(".govuk-summary-list__value")]
    assert values[1] == "Not recorded"
    assert not page.select(".govuk-summary-list__actions a")  # no anchors given: nothing to change


def test_summary_rows_link_each_answer_to_its_question_when_there_is_a_change_page():
    page = render(
        '{% from "govuk_frontend_jinja/components/summary-list/macro.html" import govukSummaryList %}'
        '{{ govukSummaryList({"rows": summary_rows([{"key": "Title", "value": "A", "anchor": "#id_title"}], "/e/")}) }}'
    )
    link = page.select_one(".govuk-summary-list__actions a")
    assert link["href"] == "/e/#id_title"
    assert link.get_text(" ", strip=True) == "Change title"


def test_tables_show_a_date_as_day_month_and_year_without_a_leading_zero():
    page = engines["jinja2"].from_string("{{ day|short_date }}").render({"day": datetime.date(2008, 3, 3)})
    assert page == "3 Mar 2008"


@pytest.mark.django_db
def test_the_layouts_fixed_parts_are_cached_for_pages_with_a_request_and_never_for_error_pages(client, settings):
    """The skip link and phase banner are kept in Django's cache (jinja2/base.html), but a page rendered without a
    request (the 500 handler's) must depend on nothing that could be failing: it reads and writes no cache."""
    from django.core.cache import cache
    from django.core.cache.utils import make_template_fragment_key

    from scr_register.views import server_error

    names = ("base.skip_link", "base.phase_banner")
    keys = [make_template_fragment_key(name, [settings.FEEDBACK_URL]) for name in names]
    cache.clear()
    error_page = server_error(RequestFactory().get("/"))
    assert "Skip to main content" in error_page.content.decode() and "Beta" in error_page.content.decode()
    assert cache.get_many(keys) == {}
    page = client.get("/accounts/login/", secure=True)
    assert page.status_code == 200
    assert set(cache.get_many(keys)) == set(keys)
