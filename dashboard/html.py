"""GOV.UK tables rendered in Python: the board x year table can have thousands of rows, and one f-string per
row is many times faster than a template loop over every cell. Every value is escaped here."""

from html import escape as _escape

from django.utils.html import escape
from django.utils.safestring import mark_safe

from dashboard import tables

NO_FIGURE = '<span aria-hidden="true">–</span><span class="govuk-visually-hidden">no figure</span>'
NUMERIC_KINDS = (tables.COUNT, tables.NUMBER, tables.PCT, tables.DAYS)


def cell(value, kind):
    """A value as the page shows it: thousands separators, one decimal for percentages, a dash for none."""
    if value is None:
        return NO_FIGURE
    if kind in (tables.TEXT, tables.YEAR):
        return escape(value)
    if kind == tables.PCT:
        return str(value)
    return f"{value:,}"


def _td(value, kind):
    if kind == tables.YEAR:
        return f'<td class="govuk-table__cell app-table__cell--nowrap">{cell(value, kind)}</td>'
    if kind in NUMERIC_KINDS:
        return f'<td class="govuk-table__cell govuk-table__cell--numeric">{cell(value, kind)}</td>'
    return f'<td class="govuk-table__cell">{cell(value, kind)}</td>'


_TD_TEXT = '<td class="govuk-table__cell">{}</td>'
_TD_YEAR = '<td class="govuk-table__cell app-table__cell--nowrap">{}</td>'
_TD_NUMBER = '<td class="govuk-table__cell govuk-table__cell--numeric">{}</td>'
_TD_NONE_NUMBER = _TD_NUMBER.format(NO_FIGURE)


def _cell_writer(kind):
    """A function from a value to its whole <td>, for one column: the big table calls it 30,000 times."""
    if kind in (tables.TEXT, tables.YEAR):
        template = _TD_YEAR if kind == tables.YEAR else _TD_TEXT
        return lambda value: template.format(NO_FIGURE if value is None else _escape(str(value)))
    if kind == tables.PCT:
        return lambda value: _TD_NONE_NUMBER if value is None else _TD_NUMBER.format(value)
    return lambda value: _TD_NONE_NUMBER if value is None else _TD_NUMBER.format(f"{value:,}")


def _th(label, *, numeric=False, sort=None):
    classes = "govuk-table__header" + (" govuk-table__header--numeric" if numeric else "")
    if sort is None:
        return f'<th scope="col" class="{classes}">{escape(label)}</th>'
    key, current, href_for = sort
    arrow = ""
    if current == key:
        state, next_key, hint = "ascending", f"-{key}", ", sorted ascending: select to sort descending"
        arrow = ' <span aria-hidden="true">▲</span>'
    elif current == f"-{key}":
        state, next_key, hint = "descending", key, ", sorted descending: select to sort ascending"
        arrow = ' <span aria-hidden="true">▼</span>'
    else:
        state, next_key, hint = "none", key, ": select to sort ascending"
    return (
        f'<th scope="col" class="{classes}" aria-sort="{state}"><a class="govuk-link govuk-link--no-visited-state" '
        f'href="{escape(href_for(next_key))}">{escape(label)}<span class="govuk-visually-hidden">{hint}</span>'
        f"{arrow}</a></th>"
    )


def table(tbl, *, row_header="name", hide=(), sort=None, sortable=None, caption_size="m"):
    """A whole GOV.UK table from a ``tables.Table``: ``row_header`` is the column shown first as each row's
    header (linked when the row has ``_href``); ``hide`` lists columns left off the page (they are in the CSV
    because a machine wants them, such as the slug beside a name); ``sortable`` maps column keys to sort keys,
    and ``sort`` is ``(current sort key, function from a sort key to its URL)``."""
    sortable = sortable or {}
    head_column = next(c for c in tbl.columns if c.key == row_header)
    others = [c for c in tbl.columns if c.key != row_header and c.key not in hide]

    def header(column):
        numeric = column.kind in NUMERIC_KINDS
        if sort and column.key in sortable:
            return _th(column.label, numeric=numeric, sort=(sortable[column.key], *sort))
        return _th(column.label, numeric=numeric)

    head = "".join(header(c) for c in (head_column, *others))
    writers = [(c.key, _cell_writer(c.kind)) for c in others]
    body = []
    for row in tbl.rows:
        name = _escape(row[row_header])
        if row.get("_href"):
            hidden = f" reviews evaluated in {_escape(row['year'])}" if "year" in row else ""
            name = (
                f'<a class="govuk-link" href="{_escape(row["_href"])}">{name}'
                f'<span class="govuk-visually-hidden">{hidden}</span></a>'
            )
        comparison = row.get("_level") in ("national", "region")
        row_class = "govuk-table__row app-table__row--comparison" if comparison else "govuk-table__row"
        cells = "".join([write(row[key]) for key, write in writers])
        body.append(f'<tr class="{row_class}"><th scope="row" class="govuk-table__header">{name}</th>{cells}</tr>')
    return mark_safe(  # noqa: S308  # nosemgrep: no-mark-safe-on-data (built from escaped values)
        f'<div class="app-table-wrapper" tabindex="0" role="region" aria-label="{escape(tbl.caption)}">'
        f'<table class="govuk-table app-table--small">'
        f'<caption class="govuk-table__caption govuk-table__caption--{caption_size}">{escape(tbl.caption)}</caption>'
        f'<thead class="govuk-table__head"><tr class="govuk-table__row">{head}</tr></thead>'
        f'<tbody class="govuk-table__body">{"".join(body)}</tbody></table></div>'
    )


def transposed(tbl, *, label_key="name", skip=("key", "name", "year"), caption_size="m"):
    """A table with one column per row of ``tbl`` and one row per figure: the summary reads down, not across."""
    heads = "".join(
        f'<th scope="col" class="govuk-table__header govuk-table__header--numeric">{escape(row[label_key])}</th>'
        for row in tbl.rows
    )
    body = []
    for column in tbl.columns:
        if column.key in skip:
            continue
        cells = "".join(_td(row[column.key], column.kind) for row in tbl.rows)
        body.append(
            f'<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">{escape(column.label)}</th>'
            f"{cells}</tr>"
        )
    return mark_safe(  # noqa: S308  # nosemgrep: no-mark-safe-on-data (built from escaped values)
        f'<div class="app-table-wrapper" tabindex="0" role="region" aria-label="{escape(tbl.caption)}">'
        f'<table class="govuk-table app-table--small">'
        f'<caption class="govuk-table__caption govuk-table__caption--{caption_size}">{escape(tbl.caption)}</caption>'
        f'<thead class="govuk-table__head"><tr class="govuk-table__row">'
        f'<th scope="col" class="govuk-table__header">Figure</th>{heads}</tr></thead>'
        f'<tbody class="govuk-table__body">{"".join(body)}</tbody></table></div>'
    )


def children(tbl, caption_size="m"):
    """The children table, one group of rows per characteristic (age, outcome, social care, protection plan)."""
    groups = {}
    for row in tbl.rows:
        groups.setdefault(row["characteristic"], []).append(row)
    body = []
    for characteristic, rows in groups.items():
        label = escape(tables.CHARACTERISTICS[characteristic])
        body.append(
            f'<tbody class="govuk-table__body"><tr class="govuk-table__row">'
            f'<th scope="rowgroup" colspan="3" class="govuk-table__header app-table__rowgroup">{label}</th></tr>'
        )
        for row in rows:
            body.append(
                f'<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">'
                f'<span class="govuk-visually-hidden">{label}: </span>{escape(row["name"])}</th>'
                f"{_td(row['children'], tables.COUNT)}{_td(row['children_pct'], tables.PCT)}</tr>"
            )
        body.append("</tbody>")
    return mark_safe(  # noqa: S308  # nosemgrep: no-mark-safe-on-data (built from escaped values)
        f'<div class="app-table-wrapper" tabindex="0" role="region" aria-label="{escape(tbl.caption)}">'
        f'<table class="govuk-table app-table--small">'
        f'<caption class="govuk-table__caption govuk-table__caption--{caption_size}">{escape(tbl.caption)}</caption>'
        f'<thead class="govuk-table__head"><tr class="govuk-table__row">'
        f'<th scope="col" class="govuk-table__header">Children</th>'
        f'<th scope="col" class="govuk-table__header govuk-table__header--numeric">Number</th>'
        f'<th scope="col" class="govuk-table__header govuk-table__header--numeric">%</th></tr></thead>'
        f"{''.join(body)}</table></div>"
    )
