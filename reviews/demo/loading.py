"""Writing the demo register: COPY into the empty review tables, every trigger on.

The rows go in as the import's do (``reviews.bulk``): pghistory's statement-level trackers write one audit
row per row, in seed_demo's ``pghistory.context``, and the register's triggers keep its search documents,
flags, latest judgements and dashboard figures. The big tables (reviews, agencies, findings, their audit
rows and the search documents) are loaded the way PostgreSQL's manual advises: their secondary indexes and
foreign keys are dropped, the rows copied a chunk at a time while a worker thread generates the next
chunk, and the indexes and keys made again from their own definitions (one sorted build and one set-based
check each). Children, contributing boards and evaluations are copied after that, one statement each:
their triggers look up each review's rows, which needs the indexes back.
"""

import io
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from django.db import connection, transaction

from reviews import bulk
from reviews.demo.generator import BoardInfo, DemoData
from reviews.models import (
    AgencyInvolvement,
    Board,
    Child,
    Contribution,
    Evaluation,
    Finding,
    Region,
    Review,
    ReviewSearch,
)

# Copied a chunk at a time, with their indexes away.
CHUNKED = (Review, AgencyInvolvement, Finding)
# Copied whole once the indexes are back: the triggers on these look up rows by review.
AFTER_INDEXES = (Child, Contribution, Evaluation)


def tables():
    """Every table the seed writes in bulk: the review tables, their audit rows and the search documents."""
    models = [*bulk.COPY_FIELDS, ReviewSearch, *(model.events.field.model for model in bulk.COPY_FIELDS)]
    return [model._meta.db_table for model in models]


def _unindexed_tables():
    """The tables loaded without their secondary indexes: the chunked ones, their audit rows and the search
    documents (a GIN index)."""
    models = [*CHUNKED, ReviewSearch, *(model.events.field.model for model in CHUNKED)]
    return [model._meta.db_table for model in models]


def load_boards():
    return [
        BoardInfo(
            id=b.id,
            gss_code=b.gss_code,
            name=b.name,
            region_id=b.region_id,
            type=b.authority.type,
            valid_from=b.authority.valid_from,
            valid_to=b.authority.valid_to,
        )
        for b in Board.objects.select_related("authority")
    ]


@contextmanager
def bulk_load(cursor, tables):
    """Load ``tables`` the way PostgreSQL's manual advises: indexes and foreign keys after the rows.

    Inside the caller's transaction, drops the tables' secondary indexes and foreign keys, and on the way
    out creates them again from their own definitions, same names. Primary keys and unique constraints
    stay in place throughout. DDL is transactional, so other sessions only ever see the schema whole
    (they wait for the tables meanwhile).
    """
    cursor.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) ORDER BY 1, 2",
        [tables],
    )
    foreign_keys = cursor.fetchall()
    cursor.execute(
        "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index i "
        "WHERE indrelid = ANY(%s::regclass[]) "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1",
        [tables],
    )
    indexes = cursor.fetchall()
    # Names and definitions come from the catalogue, never from data.
    for table, name, _ in foreign_keys:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        cursor.execute(f"DROP INDEX {name}")
    yield
    cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
    for _, definition in indexes:
        cursor.execute(definition)
    for table, name, definition in foreign_keys:
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def build(*, count, seed, showcase=(), chunk=5000, progress=None):
    """Write ``count`` synthetic reviews with their rows in one transaction; return the rows per table.

    The review tables must be empty (seed_demo sees to it). Run it inside ``pghistory.context``: the audit
    rows are the seed's.
    """
    started = time.monotonic()
    generator = DemoData(load_boards(), seed=seed, showcase=showcase)
    planned = generator.plan(count)
    counts = {model._meta.db_table: 0 for model in bulk.COPY_FIELDS}
    # Filled chunk by chunk by the worker thread, copied once it has finished.
    held = {model: io.StringIO() for model in AFTER_INDEXES}

    def generate(start, ids):
        out = {model: io.StringIO() for model in CHUNKED} | held
        generator.write(planned[start : start + chunk], ids[start : start + chunk], out)
        return out

    def report(done, stage="written"):
        if progress:
            progress(done, count, time.monotonic() - started, stage)

    def copy(model, buffer):
        counts[model._meta.db_table] += buffer.getvalue().count("\n")
        bulk.copy_text(model, buffer)

    with transaction.atomic(), connection.cursor() as cursor:
        bulk.begin(cursor)  # as the import does: foreign keys checked per statement, no JIT compilation
        ids = bulk.reserve_ids(Review, count)
        # One worker, so chunks are generated in order from the one random stream: deterministic.
        with bulk_load(cursor, _unindexed_tables()), ThreadPoolExecutor(max_workers=1) as worker:
            pending = worker.submit(generate, 0, ids) if count else None
            for start in range(0, count, chunk):
                out = pending.result()
                if start + chunk < count:
                    pending = worker.submit(generate, start + chunk, ids)
                for model in CHUNKED:
                    copy(model, out[model])
                report(min(start + chunk, count))
        # Statistics for the triggers' lookups that follow (the planner knows nothing of the new rows yet).
        cursor.execute(f"ANALYZE {', '.join(model._meta.db_table for model in CHUNKED)}")
        report(count, "indexed and checked")
        for model in AFTER_INDEXES:
            copy(model, held[model])
        report(count, "children, contributing boards and evaluations written")
    report(count, "committed")
    with connection.cursor() as cursor:
        # The planner's statistics and the visibility map of the tables the register reads, now rather than
        # whenever autovacuum comes by (if it is on at all): the search documents too, or a search for a rare
        # word walks every review; without the visibility map no count or dashboard aggregate can read an
        # index alone. (The audit rows are read a review at a time, by index: autovacuum's.) The boards and
        # regions too, which the migrations load and nothing analyses without autovacuum: with no statistics the
        # planner takes a region for one board and reads every review of the region (3.4 s at 1,000,000). VACUUM
        # cannot run inside a transaction (a test's): ANALYZE then.
        read = ", ".join(model._meta.db_table for model in (*bulk.COPY_FIELDS, ReviewSearch, Board, Region))
        cursor.execute(f"{'ANALYZE' if connection.in_atomic_block else 'VACUUM (ANALYZE)'} {read}")
    report(count, "analysed")
    return counts
