"""Deterministic synthetic demo data for the register (``manage.py seed_demo``), written fast with COPY.

Everything here is invented: boards are the real reference data, but every review, child, finding and
evaluation is made up from a seeded ``random.Random``, children are pseudonyms ("Child A") and no
text names a person. The data describes the register as it stood on ``AS_OF``, so the same seed gives
the same rows whatever the day it is run. ``shares`` holds its shape, ``words`` its phrasing,
``generator`` makes the rows and ``loading`` writes them.
"""

from reviews.demo.loading import build, bulk_load, tables
from reviews.demo.shares import AS_OF

__all__ = ["AS_OF", "build", "bulk_load", "tables"]
