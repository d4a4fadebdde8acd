"""Server-rendered SVG charts: no chart library, no script.

Every chart is an ``<svg role="img">`` named by its ``<title>`` and described by a ``<desc>`` that says
what it shows in words (the table next to it has every number). Colour is never the only cue: bars and
segments carry text labels and a legend names each colour. A ``viewBox`` (and ``width: 100%`` in
dashboard.css) lets a chart scale and zoom with the page. Colours and text sizes are attributes, not
inline styles, so the Content Security Policy needs no exception.

The functions here work out the geometry and the words; templates/dashboard/chart.html writes the SVG (and
escapes every piece of text) from the plain records they return.
"""

import math
from decimal import ROUND_HALF_UP, Decimal

from reviews.models import Judgement

WIDTH = 640
FONT = 14
BLACK, WHITE = "#0b0c0c", "#ffffff"
# GOV.UK colour palette; each fill with the text colour readable on it.
JUDGEMENT_COLOURS = {
    "outstanding": ("#28a197", BLACK),
    "good": ("#00703c", WHITE),
    "adequate": ("#ffdd00", BLACK),
    "inadequate": ("#d4351c", WHITE),
}
JUDGEMENT_LABELS = dict(Judgement.choices)
BLUE = "#1d70b8"
PURPLE = "#4c2c92"
GREY = "#b1b4b6"


def _svg(chart_id, title, desc, height, body):
    """The chart for templates/dashboard/chart.html: in a figure whose caption (the title) shows on the page;
    the SVG names itself with the same title, so it reads the same on its own."""
    return {"id": chart_id, "title": title, "desc": desc, "width": WIDTH, "height": f"{height:g}", "shapes": body}


def _text(x, y, text, *, anchor="start", fill=BLACK, size=FONT, weight=None):
    return {"kind": "text", "x": f"{x:g}", "y": f"{y:g}", "anchor": anchor, "fill": fill, "size": size,
            "weight": weight, "text": text}  # fmt: skip


def _rect(x, y, width, height, fill, tooltip=""):
    return {"kind": "rect", "x": f"{x:g}", "y": f"{y:g}", "width": f"{max(width, 0):g}", "height": f"{height:g}",
            "fill": fill, "tooltip": tooltip}  # fmt: skip


def _line(x1, x2, y, *, colour=GREY):
    return {"kind": "line", "x1": f"{x1:g}", "x2": f"{x2:g}", "y": f"{y:g}", "stroke": colour}


def _slanted(x, y, text):
    """A label under an axis, turned 45 degrees so that years fit side by side."""
    return {"kind": "slanted", "x": f"{x:g}", "y": f"{y:g}", "text": text, "fill": BLACK}


def pct_text(value):
    return "no data" if value is None else f"{value}%"


def whole(value):
    """A percentage to the nearest whole number, half up (``format(Decimal("20.5"), ".0f")`` would give 20)."""
    return int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _legend(y, keys):
    """A row of colour swatches, each followed by its judgement's name."""
    parts, x = [], 0
    for key in keys:
        fill, _ = JUDGEMENT_COLOURS[key]
        parts.append({"kind": "swatch", "x": x, "y": y - 12, "fill": fill, "stroke": BLACK})
        label = JUDGEMENT_LABELS[key]
        parts.append(_text(x + 20, y, label))
        x += 140
    return parts


def judgement_bars(*, chart_id, title, rows, label_width=210):
    """100% stacked horizontal bars of judgement shares, one bar per row.

    ``rows``: dicts with ``name``, ``reviews`` and ``<judgement>_pct``. A row with no evaluations shows
    the words "No evaluations" instead of a bar.
    """
    bar_h, gap, top = 26, 10, 34
    plot_w = WIDTH - label_width - 10
    body = _legend(16, JUDGEMENT_COLOURS)
    sentences = []
    for i, row in enumerate(rows):
        y = top + i * (bar_h + gap)
        name = row["name"]
        body.append(_text(label_width - 8, y + bar_h / 2 + 5, _short(name, label_width), anchor="end"))
        if not row["reviews"]:
            body.append(_text(label_width, y + bar_h / 2 + 5, "No evaluations"))
            sentences.append(f"{name}: no evaluations.")
            continue
        x = label_width
        parts = []
        for key, (fill, ink) in JUDGEMENT_COLOURS.items():
            share = row[f"{key}_pct"] or 0
            width = plot_w * float(share) / 100
            tooltip = f"{name}: {JUDGEMENT_LABELS[key].lower()} {share}% of {row['reviews']:,} reviews"
            body.append(_rect(x, y, width, bar_h, fill, tooltip))
            if width >= 42:
                body.append(_text(x + width / 2, y + bar_h / 2 + 5, f"{whole(share)}%", anchor="middle", fill=ink))
            x += width
            if share:
                parts.append(f"{JUDGEMENT_LABELS[key].lower()} {share}%")
        sentences.append(f"{name} ({row['reviews']:,} reviews): {', '.join(parts)}.")
    height = top + len(rows) * (bar_h + gap)
    desc = "Share of evaluations by judgement. " + " ".join(sentences)
    return _svg(chart_id, title, desc, height, body)


def judgement_columns(*, chart_id, title, rows):
    """100% stacked columns of judgement shares, one column per reporting year (``rows`` as for the bars,
    with ``year``)."""
    top, plot_h, left = 34, 220, 44
    n = max(len(rows), 1)
    step = (WIDTH - left - 4) / n
    col_w = max(step * 0.78, 4)
    body = _legend(16, JUDGEMENT_COLOURS)
    for tick in (0, 25, 50, 75, 100):
        y = top + plot_h - plot_h * tick / 100
        body.append(_line(left - 4, WIDTH, y))
        body.append(_text(left - 8, y + 5, f"{tick}%", anchor="end", size=12))
    sentences = []
    for i, row in enumerate(rows):
        x = left + i * step + (step - col_w) / 2
        y = top + plot_h
        short_year = row["year"][2:]
        body.append(_slanted(x + col_w / 2, top + plot_h + 16, short_year))
        if not row["reviews"]:
            continue
        parts = []
        for key, (fill, ink) in JUDGEMENT_COLOURS.items():
            share = row[f"{key}_pct"] or 0
            height = plot_h * float(share) / 100
            y -= height
            tooltip = f"{row['year']}: {JUDGEMENT_LABELS[key].lower()} {share}% of {row['reviews']:,} reviews"
            body.append(_rect(x, y, col_w, height, fill, tooltip))
            if height >= 16 and col_w >= 22:
                label = _text(x + col_w / 2, y + height / 2 + 4, f"{whole(share)}", anchor="middle", fill=ink, size=11)
                body.append(label)
            if share:
                parts.append(f"{JUDGEMENT_LABELS[key].lower()} {share}%")
        sentences.append(f"{row['year']}: {', '.join(parts)}.")
    height = top + plot_h + 52
    desc = "Share of evaluations by judgement in each reporting year. " + (
        " ".join(sentences) if sentences else "No evaluations."
    )
    return _svg(chart_id, title, desc, height, body)


def bars(*, chart_id, title, rows, colour=BLUE, what="", max_value=None):
    """Horizontal bars, one per row, each under its label: ``rows`` of ``(label, value, text)`` where ``value``
    is a number or None (written as "no data") and ``text`` is what the end of the bar says."""
    text_h, bar_h, gap = 20, 20, 12
    step = text_h + bar_h + gap
    plot_w = WIDTH - 110
    values = [float(v) for _, v, _ in rows if v is not None]
    top_value = max_value if max_value is not None else max(values, default=0) or 1
    body, sentences = [], []
    for i, (label, value, text) in enumerate(rows):
        y = i * step
        body.append(_text(0, y + 15, label))
        if value is None:
            body.append(_text(0, y + text_h + 15, "no data"))
            sentences.append(f"{label}: no data.")
            continue
        width = plot_w * float(value) / float(top_value) if top_value else 0
        body.append(_rect(0, y + text_h, width, bar_h, colour, f"{label}: {text}"))
        body.append(_text(width + 6, y + text_h + 15, text))
        sentences.append(f"{label}: {text}.")
    desc = (what + " " if what else "") + " ".join(sentences)
    return _svg(chart_id, title, desc, max(len(rows) * step, 30), body)


def share_bars(*, chart_id, title, what, rows, pct, total, colour=BLUE):
    """``bars`` of a percentage per row, 0 to 100, each bar saying "N% of TOTAL": ``rows`` are dicts with ``name``,
    the percentage under the key ``pct`` and the count it is a share of under ``total``."""
    return bars(
        chart_id=chart_id,
        title=title,
        what=what,
        rows=[(row["name"], row[pct], f"{pct_text(row[pct])} of {row[total]:,}") for row in rows],
        colour=colour,
        max_value=100,
    )


def _short(label, width):
    """Cut a label to fit its column (about 7.5 units a character at 14 units), keeping the end off."""
    room = int(width / 7.6)
    return label if len(label) <= room else label[: room - 1].rstrip() + "…"


def share_lines(*, chart_id, title, years, series, what="", colour=BLUE):
    """Small multiples: one strip per series under its label, a line of its percentages across the reporting
    years, its latest value written at the end; every strip on the same scale.

    ``years``: reporting year labels (``2008-09``) in order, perhaps with gaps; ``series``: ``(label, values)``
    with one percentage (or None) per year. A line breaks over a missing year or value.
    """
    label_h, strip_h, gap, left, right = 20, 40, 14, 44, 60
    plot_w = WIDTH - left - right
    starts = [int(year[:4]) for year in years]
    first, last = (starts[0], starts[-1]) if starts else (0, 0)
    values = [float(v) for _, vs in series for v in vs if v is not None]
    top = min(max(math.ceil(max(values, default=0) / 10) * 10, 10), 100)

    def x_of(start):
        return left + (plot_w * (start - first) / (last - first) if last > first else plot_w / 2)

    body, sentences = [], []
    for i, (label, shares) in enumerate(series):
        y0 = i * (label_h + strip_h + gap)
        y_top, y_bottom = y0 + label_h + 6, y0 + label_h + 6 + strip_h
        body.append(_text(0, y0 + 15, label, weight="bold"))
        for tick, y in ((0, y_bottom), (top, y_top)):
            body.append(_line(left - 4, left + plot_w, y))
            body.append(_text(left - 8, y + 4, f"{tick}%", anchor="end", size=11))
        points, line, said = [], [], []
        previous = None
        for year, start, share in zip(years, starts, shares, strict=True):
            if share is None:
                previous = None
                continue
            x, y = x_of(start), y_bottom - strip_h * float(share) / top
            if previous is None or start != previous + 1:
                line.append([])
            line[-1].append(f"{x:g},{y:g}")
            points.append((x, y, year, share))
            previous = start
            said.append(f"{year} {share}%")
        for segment in line:
            if len(segment) > 1:
                body.append({"kind": "polyline", "points": " ".join(segment), "stroke": colour})
        for x, y, year, share in points:
            body.append(
                {
                    "kind": "point",
                    "x": f"{x:g}",
                    "y": f"{y:g}",
                    "fill": colour,
                    "tooltip": f"{label}, {year}: {share}% of reviews",
                }
            )
        if points:
            x, y, _, share = points[-1]
            body.append(_text(x + 8, y + 5, f"{share}%", size=12))
            sentences.append(f"{label}: {', '.join(said)}.")
        else:
            sentences.append(f"{label}: no data.")
    bottom = len(series) * (label_h + strip_h + gap)
    for start in range(first, last + 1) if starts else ():
        x = x_of(start)
        short = f"{start % 100:02d}-{(start + 1) % 100:02d}"
        body.append(_slanted(x, bottom + 4, short))
    desc = (what + " " if what else "") + (" ".join(sentences) if starts else "No evaluations.")
    return _svg(chart_id, title, desc, bottom + 40, body)
