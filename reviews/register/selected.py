"""What the register shows about the filters in force: removable tags, the boards chosen so far, and what the
filter panel's markup depends on."""

from reviews.register.choices import PAGING_PARAMS, YES_NO
from reviews.register.fields import FILTERS_IN_PANEL_ORDER
from reviews.register.filters import clean_query

TAGGED = FILTERS_IN_PANEL_ORDER


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


def panel_varies_on(filterset, query):
    """Everything the filter panel's markup depends on, naming its cached fragment (jinja2/reviews/register.html):
    the query string without the page (the values ticked, typed and kept in hidden inputs), the statuses this
    user is offered (their scope: board staff are offered drafts), the reporting years (which follow today) and
    the version of the boards and regions. None when the form has errors: the panel shows them, and a query
    string that is refused is rendered each time rather than kept."""
    if filterset.form.errors:
        return None
    return (
        clean_query(query, drop=PAGING_PARAMS).urlencode(),
        ",".join(value for value, _ in filterset.filters["status"].extra["choices"]),
        filterset.filters["year"].extra["choices"][0][0],
        filterset.options.version,
    )
