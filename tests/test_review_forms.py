"""reviews.forms: the rows' add and remove buttons keep every other row exactly as typed."""

from django.http import QueryDict
from hypothesis import given
from hypothesis import strategies as st

from reviews.forms.editor import _with_extra_row, _without_row
from reviews.forms.rows import FindingRows

texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=20)


def posted(descriptions):
    data = QueryDict(mutable=True)
    data["findings-TOTAL_FORMS"] = str(len(descriptions))
    data["findings-INITIAL_FORMS"] = "0"
    for index, text in enumerate(descriptions):
        data[f"findings-{index}-description"] = text
        data[f"findings-{index}-category"] = "other"
    data["title"] = "kept"
    return data


def descriptions(data):
    rows = FindingRows(data, prefix="findings")
    return [form["description"].value() for form in rows.forms]


@given(st.lists(texts, min_size=1, max_size=8), st.data())
def test_removing_a_row_keeps_the_others_in_order(rows, data):
    index = data.draw(st.integers(min_value=0, max_value=len(rows) - 1))
    before = posted(rows)
    after = _without_row(before, FindingRows(before, prefix="findings"), index)
    assert descriptions(after) == rows[:index] + rows[index + 1 :]
    assert after["title"] == "kept"


@given(st.lists(texts, max_size=8))
def test_adding_a_row_keeps_the_others_and_adds_an_empty_one(rows):
    before = posted(rows)
    after = _with_extra_row(before, FindingRows(before, prefix="findings"))
    assert descriptions(after) == [*rows, None]


@given(st.lists(texts, max_size=3), st.integers())
def test_removing_a_row_that_is_not_there_changes_nothing(rows, index):
    if 0 <= index < len(rows):
        return
    before = posted(rows)
    assert descriptions(_without_row(before, FindingRows(before, prefix="findings"), index)) == rows
