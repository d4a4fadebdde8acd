"""The dashboard's tables as the page shows them: plain values (text, formatted numbers, links, sort states) for
the ``table`` macro of jinja2/dashboard/components.html, which puts them through govukTable (escaping every one)."""

from dashboard import tables

NUMERIC_KINDS = (tables.COUNT, tables.NUMBER, tables.PCT, tables.DAYS)


def shown(value, kind):
    """A value as the page writes it: thousands separators, one decimal for percentages, None for no figure."""
    if value is None or kind in (tables.TEXT, tables.YEAR, tables.PCT):
        return value if value is None else str(value)
    return f"{value:,}"


def _classes(kind):
    """A value cell's class attribute: GOV.UK's table cell, numeric when the figure is a number, with classes of
    our own."""
    classes = "govuk-table__cell"
    if kind in NUMERIC_KINDS:
        classes += " govuk-table__cell--numeric"
    if kind == tables.YEAR:
        classes += " app-table__cell--nowrap"
    return classes


def _cell(value, kind):
    """A value cell: its text (None for no figure) and its classes."""
    return {"text": shown(value, kind), "classes": _classes(kind)}


def _sort_state(key, current):
    """(aria-sort, the key a click sorts by, the hidden hint, the arrow) of a sortable column."""
    if current == key:
        return "ascending", f"-{key}", ", sorted ascending: select to sort descending", "▲"
    if current == f"-{key}":
        return "descending", key, ", sorted descending: select to sort ascending", "▼"
    return "none", key, ": select to sort ascending", ""


def table(tbl, *, row_header="name", hide=(), sort=None, sortable=None):
    """A ``tables.Table`` with a row per area (and year): ``row_header`` is the column shown first as
    each row's header (linked when the row has ``_href``); ``hide`` lists columns left off the page (they are in
    the CSV because a machine wants them, such as the slug beside a name); ``sortable`` maps column keys to sort
    keys, and ``sort`` is ``(current sort key, function from a sort key to its URL)``."""
    sortable = sortable or {}
    head_column = next(c for c in tbl.columns if c.key == row_header)
    others = [c for c in tbl.columns if c.key != row_header and c.key not in hide]
    heads = []
    for column in (head_column, *others):
        head = {"label": column.label, "numeric": column.kind in NUMERIC_KINDS, "sort": None}
        if sort and column.key in sortable:
            current, href_for = sort
            state, next_key, hint, arrow = _sort_state(sortable[column.key], current)
            head["sort"] = {"state": state, "href": href_for(next_key), "hint": hint, "arrow": arrow}
        heads.append(head)
    # A column's cells share their classes: each cell is (the column's classes, its text), so a table of thousands
    # of rows (every board's every year) makes no dictionary per cell.
    columns = [(c.key, c.kind, _classes(c.kind)) for c in others]
    rows = [
        {
            "name": row[row_header],
            "href": row.get("_href"),
            "year": row.get("year"),
            "comparison": row.get("_level") in ("national", "region"),
            "cells": [(classes, shown(row[key], kind)) for key, kind, classes in columns],
        }
        for row in tbl.rows
    ]
    return {"kind": "rows", "caption": tbl.caption, "heads": heads, "rows": rows}


def transposed(tbl, *, label_key="name", skip=("key", "name", "year")):
    """A table with one column per row of ``tbl`` and one row per figure: the summary reads down, not across."""
    return {
        "kind": "transposed",
        "caption": tbl.caption,
        "heads": [row[label_key] for row in tbl.rows],
        "rows": [
            {
                "label": column.label,
                "cells": [_cell(row[column.key], column.kind) for row in tbl.rows],
            }
            for column in tbl.columns
            if column.key not in skip
        ],
    }


def children(tbl):
    """The children table, one group of rows per characteristic (age, outcome, social care, protection plan)."""
    groups = {}
    for row in tbl.rows:
        groups.setdefault(row["characteristic"], []).append(
            {
                "name": row["name"],
                "cells": [_cell(row["children"], tables.COUNT), _cell(row["children_pct"], tables.PCT)],
            }
        )
    return {
        "kind": "children",
        "caption": tbl.caption,
        "groups": [(tables.CHARACTERISTICS[characteristic], rows) for characteristic, rows in groups.items()],
    }
