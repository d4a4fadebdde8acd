"""What the register shows about the filters in force: removable tags, and the boards chosen so far."""

from reviews.register.choices import PAGING_PARAMS, YES_NO
from reviews.register.filters import clean_query

TAGGED = (
    "q",
    "judgement",
    "year",
    "board",
    "region",
    "category",
    "outcome",
    "known_to_social_care",
    "cross_area",
    "published",
)


def selected_filters(filterset, query):
    """Each selected filter value as a removable tag: (heading, [(label, URL without that value)])."""
    if not filterset.is_valid():
        return []
    data = filterset.form.cleaned_data
    groups = []
    for name in (*TAGGED, "status"):
        values = data.get(name) or []
        if isinstance(values, str):
            values = [values]
        tags = [(label_for(filterset, name, value), url_without(filterset, query, name, value)) for value in values]
        if tags:
            groups.append((filterset.form.fields[name].label, tags))
    return groups


def url_without(filterset, query, name, value):
    """The list's query string without one value of one parameter (all of it for one-value parameters), back
    at page 1."""
    remaining = clean_query(query, drop=PAGING_PARAMS)
    kept = []
    if name not in ("q", "known_to_social_care", "cross_area", "published"):
        field = filterset.form.fields[name]
        # Compare as the form reads them: "Birmingham" and "e08000025" both mean E08000025.
        kept = [raw for raw in remaining.getlist(name) if value not in field.to_python([raw])]
    if kept:
        remaining.setlist(name, kept)
    else:
        remaining.pop(name, None)
    return "?" + remaining.urlencode()


def label_for(filterset, name, value):
    if name == "q":
        return f"“{value}”"
    if name == "board":
        board = filterset.options.by_code.get(value)
        return board.name if board else value
    if name in ("known_to_social_care", "cross_area", "published"):
        return dict(YES_NO)[value]
    return dict(filterset.form.fields[name].choices).get(value, value)


def board_selection(filterset):
    """The boards chosen (as BoardOptions) and any typed text that names no board, from the raw data."""
    field = filterset.form.fields["board"]
    selected, typed = [], ""
    for raw in filterset.data.getlist("board") if filterset.is_bound else []:
        for code in field.to_python([raw]):
            board = filterset.options.by_code.get(code)
            if board is None:
                typed = typed or raw.strip()
            elif board not in selected:
                selected.append(board)
    return selected, typed
