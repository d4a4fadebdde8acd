"""reviews.forms: the rows' "Add another" button and "Remove" boxes keep every other row exactly as typed.

Adapted when the rows became inline formsets: a row is removed by its DELETE checkbox when the review is saved
(no more "remove-<kind>-<n>" button renumbering the POST), so the removal properties are about what is saved.
"""

import pytest
from django.http import QueryDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviews.forms.editor import _with_extra_row
from reviews.forms.rows import ChildFormSet, FindingFormSet
from reviews.models import Review
from tests.factories import ReviewFactory

texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=20)
words = st.text(alphabet="abcdefghij ", min_size=1, max_size=12).map(str.strip).filter(bool)


def posted(descriptions, removed=()):
    data = QueryDict(mutable=True)
    data["findings-TOTAL_FORMS"] = str(len(descriptions))
    data["findings-INITIAL_FORMS"] = "0"
    for index, text in enumerate(descriptions):
        data[f"findings-{index}-description"] = text
        data[f"findings-{index}-category"] = "other"
        if index in removed:
            data[f"findings-{index}-DELETE"] = "on"
    data["title"] = "kept"
    return data


def descriptions(data):
    rows = FindingFormSet(data, instance=Review())
    return [form["description"].value() for form in rows.forms]


@given(st.lists(texts, max_size=8))
def test_adding_a_row_keeps_the_others_and_adds_an_empty_one(rows):
    before = posted(rows)
    after = _with_extra_row(before, FindingFormSet(before, instance=Review()))
    assert descriptions(after) == [*rows, None]
    assert after["title"] == "kept"


def test_an_added_child_shows_the_models_defaults_and_is_ignored_if_left_so():
    data = QueryDict(mutable=True)
    data.update({"children-TOTAL_FORMS": "0", "children-INITIAL_FORMS": "0"})
    after = _with_extra_row(data, ChildFormSet(data, instance=Review()))
    rows = ChildFormSet(after, instance=Review())
    assert (rows.forms[0]["sex"].value(), rows.forms[0]["age_band"].value()) == ("not_known", "not_known")
    assert not rows.forms[0].has_changed()


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(words, min_size=1, max_size=6), st.data())
def test_saving_keeps_every_row_but_those_ticked_remove_in_order(rows, data):
    removed = data.draw(st.sets(st.integers(min_value=0, max_value=len(rows) - 1)))
    review = ReviewFactory(status=Review.Status.DRAFT, submitted_date=None)
    formset = FindingFormSet(posted(rows, removed), instance=review)
    assert formset.is_valid(), formset.errors
    formset.save()
    saved = list(review.findings.order_by("pk").values_list("description", flat=True))
    assert saved == [text for index, text in enumerate(rows) if index not in removed]
