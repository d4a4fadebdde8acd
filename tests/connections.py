"""A second session on the test database: another web worker or writer, as far as PostgreSQL's locks can tell."""

import psycopg2
from django.db import connections


def second_session(alias="default", *, autocommit=False):
    """A plain psycopg2 connection made with Django's own parameters for ``alias`` (so wherever Django connects:
    a server named by DATABASE_URL, or the embedded one found through libpq's PGHOST and PGPORT)."""
    other = psycopg2.connect(**connections[alias].get_connection_params())
    other.autocommit = autocommit
    return other
