"""Random query strings on every admin list never give a 500 (hypothesis), as a superuser past the second factor."""

import pytest
from django.contrib import admin
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviews.models import ReadEvent, SavedView
from tests.conftest import HTTPSClient
from tests.factories import ChildFactory, EvaluationFactory, FindingFactory, ReviewFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELISTS = sorted(
    reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist") for model in admin.site._registry
)


def _list_filter_names():
    """Every parameter the admin lists read: their filters' own names and the lookups of field filters."""
    names = {"q", "o", "p", "e", "all", "_popup", "_to_field", "obj", "method", "model", "back", "event_model"}
    for model_admin in admin.site._registry.values():
        for list_filter in model_admin.list_filter:
            if isinstance(list_filter, str):
                names |= {f"{list_filter}__exact", f"{list_filter}__id__exact", f"{list_filter}__isnull"}
                names |= {f"{list_filter}__gte", f"{list_filter}__lt", list_filter}
            elif hasattr(list_filter, "parameter_name"):
                names.add(list_filter.parameter_name)
        if model_admin.date_hierarchy:
            names |= {f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day")}
    return sorted(names)


NAMES = st.one_of(st.sampled_from(_list_filter_names()), st.text(max_size=12))
VALUES = st.one_of(
    st.sampled_from(
        [
            "",
            "\x00",
            "a\x00b",
            "1",
            "0",
            "-1",
            "9999",
            "99999999999",
            "2008",
            "13",
            "32",
            "1e9",
            "true",
            "True",
            "None",
            "inadequate",
            "reviews.review:1",
            "reviews.review:abc",
            "reviews.Review:999999",
            "reviews.nosuch:1",
            "reviews.reviewevent",
            "pghistory.events",
            "tracks",
            "references",
            "-reference",
            "1.2.-3",
            "\u202e\u0301\ufeff",
            "\U0001f600",
            "' OR 1=1 --",
            "<script>alert(1)</script>",
            "%",
            "__proto__",
        ]
    ),
    st.text(max_size=20),
    st.integers(min_value=-(2**63), max_value=2**63).map(str),
)
PAIRS = st.lists(st.tuples(NAMES, VALUES), max_size=6)
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def superuser_client(db):
    admin_user = UserFactory(role="admin")
    review = ReviewFactory()
    ChildFactory(review=review)
    FindingFactory(review=review)
    EvaluationFactory(review=review, evaluated_by=admin_user)
    ReadEvent.objects.create(user=admin_user, review=review, kind=ReadEvent.Kind.VIEW)
    SavedView.objects.create(owner=admin_user, name="Inadequate", query_string="judgement=inadequate")
    client = HTTPSClient()
    client.raise_request_exception = False
    client.force_login(admin_user)  # past the second factor
    return client


@FUZZ
@given(path=st.sampled_from(CHANGELISTS), pairs=PAIRS)
def test_random_query_strings_on_admin_lists_never_give_a_server_error(superuser_client, path, pairs):
    response = superuser_client.get(path, pairs)
    assert response.status_code < 500, (path, pairs)


@pytest.mark.parametrize("path", CHANGELISTS)
def test_a_nul_byte_on_any_admin_list_is_a_bad_request(superuser_client, path):
    response = superuser_client.get(path, {"q": "\x00"})
    assert response.status_code == 400
