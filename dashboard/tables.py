"""The dashboard's tables: one definition each, shown on the page and written as CSV from the same rows.

A ``Table`` holds columns (each with a kind: text, count, number, pct or days) and rows of plain values.
The page formats the values for reading; the CSV writes them as they are; the publication version of a
CSV suppresses small counts (see ``suppressed``).
"""

import functools
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse

from dashboard.queries import CATEGORIES, JUDGEMENTS, percentage, year_label
from reviews.csvsafe import neutralise
from reviews.models import Agency, Child, Finding, Judgement

TEXT, YEAR, COUNT, NUMBER, PCT, DAYS = "text", "year", "count", "number", "pct", "days"
SUPPRESSED = "c"
SMALL = range(1, 5)  # counts from 1 to 4 could identify a child: the publication version shows them as c


@dataclass(frozen=True, slots=True)
class Column:
    key: str  # the CSV header
    label: str  # the page's heading
    kind: str = TEXT


@dataclass(slots=True)
class Table:
    slug: str  # /dashboard/<slug>.csv
    caption: str
    columns: list
    rows: list = field(default_factory=list)  # dicts by column key; "_href" links the row's name

    def csv_rows(self, *, publication=False):
        """The header and the rows as the CSV writes them (None as an empty cell, text a spreadsheet would run
        as a formula neutralised as in the register's exports)."""
        yield [column.key for column in self.columns]
        for row in self.rows:
            values = suppressed(self.columns, row) if publication else row
            yield [_csv_cell(values[c.key]) for c in self.columns]


def _csv_cell(value):
    if value is None:
        return ""
    return neutralise(value) if isinstance(value, str) else value


def suppressed(columns, row):
    """``row`` for publication: each count from 1 to 4 becomes ``c``, and then so does every percentage
    and median in the row, since they would give the small count away."""
    small = any(c.kind == COUNT and row[c.key] in SMALL for c in columns)
    if not small:
        return row
    out = dict(row)
    for c in columns:
        if (c.kind == COUNT and row[c.key] in SMALL) or c.kind in (PCT, DAYS):
            out[c.key] = SUPPRESSED
    return out


# --- Judgement rates: per board and year (panel 2) and the trend (panel 3) -------------------------------------

RATE_COLUMNS = [
    Column("key", "Code"),
    Column("name", "Area"),
    Column("year", "Year", YEAR),
    Column("reviews", "Reviews evaluated", COUNT),
    *(Column(j, label, COUNT) for j, label in Judgement.choices),
    *(Column(f"{j}_pct", f"{label} %", PCT) for j, label in Judgement.choices),
]


def sort_rows(rows, sort):
    """Board rows in the order of an allow-listed sort key (``-`` for descending). Ties stay in board name
    and year order whichever the direction; rows without a percentage come last."""
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    by_name = sorted(rows, key=lambda r: (r["name"], r["key"], r["year"]))
    if key == "board":
        return by_name[::-1] if descending else by_name
    present = [r for r in by_name if r[key] is not None]
    missing = [r for r in by_name if r[key] is None]
    return sorted(present, key=lambda r: r[key], reverse=descending) + missing


def rates_table(*, national, regions, boards, caption, slug="judgement-rates", register_links=True):
    """The board x year table: England and regional rows first for comparison, then the board rows."""
    rows, register = [], reverse("reviews:list")
    for level, level_rows in (("national", national), ("region", regions), ("board", boards)):
        for row in level_rows:
            row = dict(row, _level=level)
            if level == "board" and register_links:
                row["_href"] = register_url(register, board=row["key"], year=row["year"])
            rows.append(row)
    return Table(slug, caption, RATE_COLUMNS, rows)


@functools.lru_cache(maxsize=4096)
def _query(name, value):
    return urlencode({name: value})


def register_url(register, **params):
    """A link to the register (SPEC section 6) filtered by these parameters (each pair urlencoded once: the
    board x year table links thousands of rows)."""
    return register + "?" + "&".join(_query(name, value) for name, value in params.items())


# --- The national summary (panel 1) --------------------------------------------------------------------------

SUMMARY_COLUMNS = [
    Column("key", "Code"),
    Column("name", "Area"),
    Column("year", "Reporting year", YEAR),
    Column("reviews", "Reviews evaluated", COUNT),
    Column("children", "Children", COUNT),
    Column("child_deaths", "Children who died", COUNT),
    Column("serious_harm", "Children seriously harmed", COUNT),
    Column("known_to_social_care", "Children known to social care", COUNT),
    Column("known_to_social_care_pct", "Known to social care %", PCT),
    *(Column(j, f"Judged {label.lower()}", COUNT) for j, label in Judgement.choices),
    *(Column(f"{j}_pct", f"{label} %", PCT) for j, label in Judgement.choices),
    Column("boards_with_evaluations", "Boards with evaluations", NUMBER),
    Column("cross_area_reviews", "Reviews spanning more than one area", COUNT),
    Column("independent_chair_pct", "Independent chair %", PCT),
    Column("independent_author_pct", "Independent author %", PCT),
    Column("median_days_decision_to_completion", "Median days from decision to completion", DAYS),
]


def summary_row(key, name, summary, details):
    """A row of the summary table: SPEC section 7's summary flattened, plus the independent author share."""
    row = {"key": key, "name": name}
    for column in SUMMARY_COLUMNS[2:]:
        if column.key in summary:
            row[column.key] = summary[column.key]
    for j in JUDGEMENTS:
        row[j] = summary["judgements"][j]["count"]
        row[f"{j}_pct"] = summary["judgements"][j]["pct"]
    row["independent_author_pct"] = percentage(details["independent_author"], details["independent_author_known"])
    return row


def summary_table(rows, caption):
    return Table("summary", caption, SUMMARY_COLUMNS, rows)


# --- Themes (panel 4) ----------------------------------------------------------------------------------------

THEME_COLUMNS = [
    Column("category", "Code"),
    Column("name", "Weakness"),
    Column("findings", "Findings", COUNT),
    Column("reviews", "Reviews with this finding", COUNT),
    Column("reviews_pct", "% of reviews", PCT),
]
AGENCY_COLUMNS = [
    Column("agency", "Code"),
    Column("name", "Agency"),
    Column("findings", "Findings", COUNT),
    Column("reviews", "Reviews with a finding about it", COUNT),
    Column("reviews_pct", "% of reviews", PCT),
]
NO_AGENCY = "Not about one agency"


def _ranked(rows):
    return sorted(rows, key=lambda r: (-r["reviews"], -r["findings"], r["_order"]))


def themes_tables(details, *, caption_themes, caption_agencies):
    """Weaknesses per category and per agency: findings, reviews with one, and their share of all reviews."""
    reviews = details["reviews"]

    def row(prefix, slug, label, order):
        found = details[f"{prefix}__{slug or 'none'}__reviews"]
        return {
            prefix: slug,
            "name": label,
            "findings": details[f"{prefix}__{slug or 'none'}__findings"],
            "reviews": found,
            "reviews_pct": percentage(found, reviews),
            "_order": order,
        }

    themes = [row("category", slug, label, n) for n, (slug, label) in enumerate(Finding.Category.choices)]
    agencies = [row("agency", slug, label, n) for n, (slug, label) in enumerate([*Agency.choices, ("", NO_AGENCY)])]
    return (
        Table("themes", caption_themes, THEME_COLUMNS, _ranked(themes)),
        Table("themes-by-agency", caption_agencies, AGENCY_COLUMNS, _ranked(agencies)),
    )


THEME_YEAR_COLUMNS = [
    Column("key", "Code"),
    Column("name", "Area"),
    Column("year", "Year", YEAR),
    Column("reviews", "Reviews evaluated", COUNT),
    *(
        column
        for slug, label in Finding.Category.choices
        for column in (Column(slug, label, COUNT), Column(f"{slug}_pct", f"{label} %", PCT))
    ),
]


def themes_years_table(*, key, name, counts, caption):
    """Weaknesses per reporting year for one area: for each year with evaluations, the reviews evaluated
    and, per category, the reviews with at least one finding of it and their share of the year's reviews.

    ``counts`` are the area's ``queries.theme_counts`` rows, one per year, in any order.
    """
    rows = []
    for count in sorted(counts, key=lambda c: c["start_year"]):
        reviews = count["reviews"]
        row = {"key": key, "name": name, "year": year_label(count["start_year"]), "reviews": reviews}
        for slug in CATEGORIES:
            row[slug] = count[slug]
            row[f"{slug}_pct"] = percentage(count[slug], reviews)
        rows.append(row)
    return Table("themes-by-year", caption, THEME_YEAR_COLUMNS, rows)


# --- Timeliness (panel 5) ------------------------------------------------------------------------------------

# (slug, label): the shares of reviews by months from the decision to hold the review to its completion.
# "Within 4 months" (Working Together 2006) is part of "Within 6 months" (Working Together 2010); the last
# four bands split every review with both dates.
TIMELINESS_BANDS = [
    ("within_4_months", "Within 4 months"),
    ("within_6_months", "Within 6 months"),
    ("within_6_to_12_months", "More than 6 months, up to 12"),
    ("within_1_to_2_years", "More than 1 year, up to 2"),
    ("over_2_years", "More than 2 years"),
]
TIMELINESS_COLUMNS = [
    Column("band", "Code"),
    Column("name", "Time from decision to completion"),
    Column("reviews", "Reviews", COUNT),
    Column("reviews_pct", "% of reviews with both dates", PCT),
]
DURATION_COLUMNS = [
    Column("measure", "Code"),
    Column("name", "Measure"),
    Column("reviews", "Reviews with both dates", COUNT),
    Column("median_days", "Median days", DAYS),
]
DURATIONS = [
    (
        "decision_to_completion",
        "From the decision to hold the review to its completion",
        "timed",
        "median_decision_days",
    ),
    (
        "completion_to_evaluation",
        "From the review's completion to Ofsted's evaluation",
        "evaluated_after_completion",
        "median_evaluation_days",
    ),
    ("received_to_evaluation", "From Ofsted receiving the review to its evaluation", "reviews", "median_ofsted_days"),
]


def timeliness_tables(details, *, caption_bands, caption_durations):
    from dashboard.queries import whole_days

    timed = details["timed"]
    bands = [
        {"band": slug, "name": label, "reviews": details[slug], "reviews_pct": percentage(details[slug], timed)}
        for slug, label in TIMELINESS_BANDS
    ]
    durations = [
        {"measure": slug, "name": label, "reviews": details[base], "median_days": whole_days(details[median])}
        for slug, label, base, median in DURATIONS
    ]
    return (
        Table("timeliness", caption_bands, TIMELINESS_COLUMNS, bands),
        Table("durations", caption_durations, DURATION_COLUMNS, durations),
    )


# --- Children (panel 6) --------------------------------------------------------------------------------------

CHILDREN_COLUMNS = [
    Column("characteristic", "Characteristic"),
    Column("value", "Code"),
    Column("name", "Children"),
    Column("children", "Number", COUNT),
    Column("children_pct", "%", PCT),
]
YES_NO = [("yes", "Yes"), ("no", "No"), ("not_recorded", "Not recorded")]


def children_table(details, caption):
    """Children by age band and outcome (% of all children), and whether known to social care or on a child
    protection plan (% of the children whose answer is recorded)."""
    children = details["children"]
    rows = []
    for characteristic, choices in (("age_band", Child.AgeBand.choices), ("outcome", Child.Outcome.choices)):
        for slug, label in choices:
            count = details[f"{characteristic}__{slug}"]
            rows.append(
                {
                    "characteristic": characteristic,
                    "value": slug,
                    "name": label,
                    "children": count,
                    "children_pct": percentage(count, children),
                }
            )
    for characteristic, prefix in (("known_to_social_care", "known"), ("child_protection_plan", "plan")):
        answered = details[f"{prefix}__yes"] + details[f"{prefix}__no"]
        for slug, label in YES_NO:
            count = details[f"{prefix}__{slug}"]
            rows.append(
                {
                    "characteristic": characteristic,
                    "value": slug,
                    "name": label,
                    "children": count,
                    "children_pct": None if slug == "not_recorded" else percentage(count, answered),
                }
            )
    return Table("children", caption, CHILDREN_COLUMNS, rows)


CHARACTERISTICS = {
    "age_band": "Age",
    "outcome": "Outcome",
    "known_to_social_care": "Known to children's social care",
    "child_protection_plan": "On a child protection plan",
}
