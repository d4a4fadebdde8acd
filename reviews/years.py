"""Ofsted's reporting year: 1 April to 31 March, labelled like ``2008-09``."""

import datetime
import re

_LABEL = re.compile(r"^(\d{4})-(\d{2})$")


def reporting_year(day: datetime.date) -> str:
    """The label of the reporting year that contains ``day``: 31 March 2009 is in 2008-09, 1 April in 2009-10."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def year_bounds(label: str) -> tuple[datetime.date, datetime.date]:
    """The first and last day of a reporting year label; ValueError when the label is malformed."""
    match = _LABEL.match(label or "")
    if not match:
        raise ValueError(f"{label!r} is not a reporting year such as 2008-09")
    start = int(match.group(1))
    if (start + 1) % 100 != int(match.group(2)) or not 1900 <= start <= 2200:
        raise ValueError(f"{label!r} is not a reporting year such as 2008-09")
    return datetime.date(start, 4, 1), datetime.date(start + 1, 3, 31)


def is_reporting_year(label: str) -> bool:
    """Whether ``label`` is a well-formed reporting year label."""
    try:
        year_bounds(label)
    except ValueError:
        return False
    return True
