"""Random query strings and form posts never give a 500 (hypothesis), for every role and page."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviews.forms import AgencyForm, ChildForm, FindingForm, ReviewForm
from tests.conftest import HTTPSClient
from tests.factories import ChildFactory, EvaluationFactory, FindingFactory, ReviewFactory, UserFactory

pytestmark = pytest.mark.django_db(databases=["default", "reporting"])

# Parameter names the pages know, plus some they don't; values from the valid ones to plain junk.
NAMES = [
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
    "sort",
    "group",
    "publication",
    "span",
    "next",
    "reference",
    "title",
    "board",
    "other_boards",
    "incident_date-day",
    "incident_date-month",
    "incident_date-year",
    "summary",
    "children-TOTAL_FORMS",
    "children-INITIAL_FORMS",
    "children-0-pseudonym",
    "children-0-outcome",
    "findings-TOTAL_FORMS",
    "findings-0-category",
    "received_date-year",
    "completed_date-day",
    "judgement",
    "version",
    "name",
    "query",
    "code",
    "username",
    "password",
    "add_child",
    "remove_child",
    "id",
    "pk",
    "x",
]
VALUES = st.one_of(
    st.sampled_from(
        [
            "",
            "inadequate",
            "2008-09",
            "E08000025",
            "E12000005",
            "weak_management",
            "died",
            "yes",
            "no",
            "-reference",
            "evaluated",
            "999999",
            "-1",
            "0",
            "1000",
            "1e9",
            "2008-13",
            "board",
            "national",
            "\x00",
            "' OR 1=1 --",
            "<script>alert(1)</script>",
            "../../etc/passwd",
            "%",
            "__proto__",
        ]
    ),
    st.text(max_size=30),
    st.integers(min_value=-(2**63), max_value=2**63).map(str),
)
PAIRS = st.lists(st.tuples(st.sampled_from(NAMES), VALUES), max_size=8)
FUZZ = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def world(db):
    board_user = UserFactory(role="board_staff", boards=["E08000025"])
    draft = ReviewFactory(status="draft", submitted_date=None)
    ChildFactory(review=draft)
    FindingFactory(review=draft)
    evaluated = EvaluationFactory(judgement="inadequate").review
    return {
        "board_staff": board_user,
        "inspector": UserFactory(role="inspector"),
        "manager": UserFactory(role="manager"),
        "admin": UserFactory(role="admin"),
        "draft": draft,
        "evaluated": evaluated,
    }


def signed_in(user):
    client = HTTPSClient()
    client.raise_request_exception = False
    client.force_login(user)
    return client


GET_PATHS = [
    "/reviews/",
    "/reviews/export.csv",
    "/reviews/export.xlsx",
    "/reviews/saved/",
    "/reviews/saved/new/",
    "/dashboard/",
    "/dashboard/api/summary",
    "/dashboard/api/judgement-rates",
    "/dashboard/judgement-rates.csv",
    "/reviews/{draft}/",
    "/reviews/{evaluated}/history/",
    "/reviews/new/",
]
POST_PATHS = [
    "/reviews/new/",
    "/reviews/{draft}/edit/",
    "/reviews/{draft}/submit/",
    "/reviews/{evaluated}/evaluate/",
    "/reviews/saved/new/",
    "/accounts/two-factor/",
    "/accounts/logout/",
]


@pytest.mark.parametrize("role", ["board_staff", "inspector", "manager", "admin"])
@FUZZ
@given(pairs=PAIRS, path=st.sampled_from(GET_PATHS))
def test_random_query_strings_never_give_a_server_error(world, role, pairs, path):
    url = path.format(draft=world["draft"].pk, evaluated=world["evaluated"].pk)
    response = signed_in(world[role]).get(url, [(name, value.replace("\x00", "")) for name, value in pairs])
    assert response.status_code < 500, (url, pairs)


@pytest.mark.parametrize("role", ["board_staff", "inspector", "admin"])
@FUZZ
@given(pairs=PAIRS, path=st.sampled_from(POST_PATHS))
def test_random_form_posts_never_give_a_server_error(world, role, pairs, path):
    url = path.format(draft=world["draft"].pk, evaluated=world["evaluated"].pk)
    data = {}
    for name, value in pairs:
        data.setdefault(name, []).append(value.replace("\x00", ""))
    response = signed_in(world[role]).post(url, data)
    assert response.status_code < 500, (url, data)


@FUZZ
@given(pairs=PAIRS)
def test_random_sign_in_posts_never_give_a_server_error(world, pairs):
    client = HTTPSClient()
    client.raise_request_exception = False
    response = client.post("/accounts/login/", {name: value.replace("\x00", "") for name, value in pairs})
    assert response.status_code < 500


# The review form as a browser posts it: the review's fields, then four formsets (management form and rows),
# each value drawn from the field's own choices, blanks and junk, with the add / remove / save buttons.
ROW_FORMS = {"children": ChildForm, "agencies": AgencyForm, "findings": FindingForm}
JUNK = st.one_of(st.sampled_from(["", "-1", "0", "999999", "1e9", "on", "' OR 1=1 --"]), st.text(max_size=12))


def choices_of(field):
    return [str(value) for value, _ in getattr(field, "choices", ())]


def field_values(field, ids=()):
    known = [*choices_of(field), *map(str, ids)]
    return st.one_of(st.sampled_from(known), JUNK) if known else JUNK


def posted_names(form_class):
    """Each field's POST names: a GOV.UK date is three inputs."""
    for name, field in form_class.base_fields.items():
        parts = ("_day", "_month", "_year") if hasattr(field.widget, "PARTS") else ("",)
        for part in parts:
            yield name + part, field


@st.composite
def row_formset(draw, prefix, form_class, ids, board_ids):
    fields = dict(posted_names(form_class)) if form_class else {"board": None}
    rows = draw(st.lists(st.sets(st.sampled_from(sorted(fields)), max_size=len(fields)), max_size=4))
    data = {
        f"{prefix}-TOTAL_FORMS": draw(st.one_of(st.just(str(len(rows))), JUNK)),
        f"{prefix}-INITIAL_FORMS": draw(st.sampled_from(["0", str(len(rows)), "", "x"])),
    }
    for index, names in enumerate(rows):
        for name in names:
            if form_class is None:
                values = st.one_of(st.sampled_from(board_ids), JUNK)
            elif name == "id":
                values = field_values(fields[name], ids)
            else:
                values = field_values(fields[name])
            data[f"{prefix}-{index}-{name}"] = draw(values)
    return data


@st.composite
def review_form_posts(draw, review, board_ids):
    ids = {
        "children": list(review.children.values_list("pk", flat=True)),
        "agencies": list(review.agencies.values_list("pk", flat=True)),
        "findings": list(review.findings.values_list("pk", flat=True)),
    }
    data = {}
    for name, field in posted_names(ReviewForm):
        extra = {"version": [review.version], "board": board_ids}.get(name, ())
        if draw(st.booleans()) or name in ("version", "board"):
            data[name] = draw(field_values(field, extra))
    data.update(draw(row_formset("contributions", None, (), board_ids)))
    for prefix, form_class in ROW_FORMS.items():
        data.update(draw(row_formset(prefix, form_class, ids[prefix], board_ids)))
    kinds = ["contributions", *ROW_FORMS]
    data["action"] = draw(
        st.one_of(
            st.just("save"),
            st.sampled_from(kinds).map(lambda kind: f"add-{kind}"),
            st.tuples(st.sampled_from(kinds), st.integers(-1, 4)).map(lambda pair: f"remove-{pair[0]}-{pair[1]}"),
            JUNK,
        )
    )
    return data


@pytest.mark.parametrize("page", ["new", "edit"])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_review_forms_with_rows_never_give_a_server_error(world, page, data):
    draft = world["draft"]
    board_ids = [str(draft.board_id), str(world["evaluated"].board_id), "0"]
    url = "/reviews/new/" if page == "new" else f"/reviews/{draft.pk}/edit/"
    posted = data.draw(review_form_posts(draft, board_ids))
    response = signed_in(world["board_staff"]).post(url, posted)
    assert response.status_code < 500, (url, posted)
