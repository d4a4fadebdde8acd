"""The register's search read as the start of a reference (``q=SCR-2008-E08``).

A search whose first word has the shape of a reference's start (``SCR-``, a digit, then letters, digits and
hyphens) finds the reviews whose reference starts so, in either case: the reviews the words search found for
it (which saw "SCR", "2008" and "E08" as three words), less those that held the three words apart in a title
or summary. Read as a prefix, the page walks one index in reference order and stops at the page, where the
words search matched every review of the prefix before sorting them. Words after the reference are searched
as words, in the reviews the prefix found.

References are stored as they were entered (the form allows lower case), so the prefix is matched against
the upper-cased reference: ``reference_key()``, which ``review_reference_prefix_idx`` indexes (upper case under
the "C" collation, where PostgreSQL turns a LIKE prefix into a range of the index whatever the database's
collation, in the index's order).
"""

import re

from django.db.models import F

from reviews.models import reference_key

# "SCR-" and a digit (the year), then anything a reference's start may hold; one word, no spaces.
_REFERENCE_START = re.compile(r"SCR-[0-9][A-Z0-9-]*", re.IGNORECASE)


def split_search(value):
    """``(prefix, words)``: the upper-cased start of a reference that opens ``value`` (or None), and the rest
    of the search to read as words ("" when nothing is left)."""
    parts = value.split(maxsplit=1)
    if parts and _REFERENCE_START.fullmatch(parts[0]):
        return parts[0].upper(), parts[1] if len(parts) > 1 else ""
    return None, value


def words_after_reference(value):
    """The part of a search that the words search reads (a reference's start taken out)."""
    return split_search(value)[1]


def starting_with(queryset, prefix):
    """The reviews of ``queryset`` whose reference starts with ``prefix`` (upper case), in any case."""
    return queryset.alias(reference_key=reference_key()).filter(reference_key__startswith=prefix)


def prefix_ordering(descending):
    """The reference sort when a prefix was read: the index's own order (the reference last, as references
    differing only in case share a key), so the page is the first rows of one index range."""
    if descending:
        return [reference_key().desc(), F("reference").desc()]
    return [reference_key().asc(), F("reference").asc()]
