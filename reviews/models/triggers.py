"""The SQL of the triggers that keep derived review data in step, whatever wrote the rows (forms, the import's
COPY, the admin or raw SQL): each is a statement-level trigger, one call per statement, that sees the
statement's rows as ``new_rows``/``old_rows``. The models register them (reviews/models/review.py, ...)."""

import pgtrigger

# The reviews an UPDATE touched, before or after it (a row may move from one review to another).
CHANGED_REVIEWS = "(SELECT review_id FROM new_rows UNION SELECT review_id FROM old_rows) AS changed"


def statement_triggers(prefix, *, insert=None, update=None, delete=None):
    """AFTER statement triggers ``<prefix>_on_insert`` (and ``_update``, ``_delete``) running the PL/pgSQL
    bodies given, which read the statement's rows as ``new_rows`` and ``old_rows``; None makes no trigger."""
    operations = (
        ("insert", pgtrigger.Insert, pgtrigger.Referencing(new="new_rows"), insert),
        ("update", pgtrigger.Update, pgtrigger.Referencing(old="old_rows", new="new_rows"), update),
        ("delete", pgtrigger.Delete, pgtrigger.Referencing(old="old_rows"), delete),
    )
    return [
        pgtrigger.Trigger(
            name=f"{prefix}_on_{name}",
            operation=operation,
            when=pgtrigger.After,
            level=pgtrigger.Statement,
            referencing=referencing,
            func=body,
        )
        for name, operation, referencing, body in operations
        if body is not None
    ]


# A review's search document: English full-text of its reference, title and summary.
# Stripped of word positions, which only phrase search and ranking use: a third smaller to read.
_SEARCH_DOCUMENT = (
    "strip(to_tsvector('english'::regconfig, "
    "COALESCE(n.reference, '') || ' ' || COALESCE(n.title, '') || ' ' || COALESCE(n.summary, '')))"
)
_UPSERT_SEARCH_DOCUMENT = """
    INSERT INTO reviews_reviewsearch (review_id, document)
    SELECT n.id, {document} FROM new_rows n {changed}
    ON CONFLICT (review_id) DO UPDATE SET document = EXCLUDED.document;
    RETURN NULL;
"""


# The words of a review's searched documents (its current overview reports and executive summaries, SPEC
# section 10): the union of their stored vectors' lexemes (Document.search_vector), so no text is parsed again;
# null when it has none.
_DOCUMENTS_WORDS = """(
    SELECT array_to_tsvector(array_agg(DISTINCT w.lexeme))
    FROM reviews_document d CROSS JOIN LATERAL unnest(d.search_vector) w
    WHERE d.review_id = {review_id} AND d.deleted_at IS NULL
      AND d.kind IN ('overview_report', 'executive_summary')
)"""


def search_document_triggers():
    """Triggers on Review that write ReviewSearch.document, the review's own words: a new review's, and a
    changed one's when its reference, title or summary changed (its documents' words are a column apart)."""
    return statement_triggers(
        "search_document",
        insert=_UPSERT_SEARCH_DOCUMENT.format(document=_SEARCH_DOCUMENT, changed=""),
        update=_UPSERT_SEARCH_DOCUMENT.format(
            document=_SEARCH_DOCUMENT,
            changed="JOIN old_rows o ON o.id = n.id WHERE n.reference IS DISTINCT FROM o.reference "
            "OR n.title IS DISTINCT FROM o.title OR n.summary IS DISTINCT FROM o.summary",
        ),
    )


# The words a review's searched documents use most: each one's 50 most frequent (by their places in its text).
# A few hundred bytes, kept in the row beside the review's own words, so that a search testing rows one by one
# finds a common word there, without reading all the documents' words out of line; a subset of them, so it
# changes no result.
_DOCUMENTS_COMMON_WORDS = """(
    SELECT array_to_tsvector(array_agg(DISTINCT t.lexeme))
    FROM reviews_document d CROSS JOIN LATERAL (
        SELECT w.lexeme FROM unnest(to_tsvector('english'::regconfig, d.text)) w
        ORDER BY array_length(w.positions, 1) DESC, w.lexeme LIMIT 50
    ) t
    WHERE d.review_id = {review_id} AND d.deleted_at IS NULL
      AND d.kind IN ('overview_report', 'executive_summary')
)"""

# ReviewSearch.documents and .common written again from the review's searched documents, for the reviews named.
_REWRITE_DOCUMENTS_WORDS = """
    UPDATE reviews_reviewsearch s
    SET documents = {words}, common = {common}
    WHERE s.review_id IN (SELECT review_id FROM {rows});
    RETURN NULL;
"""
# The reviews a document UPDATE changes the search of: its words (written from its text), kind, deletion or
# review changed (a row whose text status alone changed, as the upload's "pending", changes nothing).
_DOCUMENTS_CHANGED = """(
    SELECT n.review_id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE {changed}
    UNION SELECT o.review_id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE {changed}
) AS changed""".format(  # noqa: S608 (constants only)
    changed="(n.search_vector IS DISTINCT FROM o.search_vector OR n.kind IS DISTINCT FROM o.kind "
    "OR n.deleted_at IS DISTINCT FROM o.deleted_at OR n.review_id IS DISTINCT FROM o.review_id)"
)


def document_search_triggers():
    """Triggers on Document that write its review's documents' words (ReviewSearch.documents, .common) again when the
    words the register searches change: a document added, its text read, its kind changed, it deleted."""

    def rewrite(rows):
        return _REWRITE_DOCUMENTS_WORDS.format(
            words=_DOCUMENTS_WORDS.format(review_id="s.review_id"),
            common=_DOCUMENTS_COMMON_WORDS.format(review_id="s.review_id"),
            rows=rows,
        )

    return statement_triggers(
        "document_search",
        insert=rewrite("new_rows"),
        update=rewrite(_DOCUMENTS_CHANGED),
        delete=rewrite("old_rows"),
    )


# Keep Review.<flag> equal to whether some row of <table> for the review matches <condition>: the
# statement's rows name the reviews to check.
_SYNC_REVIEW_FLAG = """
    UPDATE reviews_review r SET {flag} = EXISTS (
        SELECT 1 FROM {table} t WHERE t.review_id = r.id {condition}
    )
    WHERE r.id IN (SELECT review_id FROM {rows})
      AND r.{flag} IS DISTINCT FROM EXISTS (SELECT 1 FROM {table} t WHERE t.review_id = r.id {condition});
    RETURN NULL;
"""


def review_flag_triggers(flag, table, condition=""):
    """Statement triggers that keep ``Review.<flag>`` in step with the rows of ``table``."""

    def sync(rows):
        return _SYNC_REVIEW_FLAG.format(flag=flag, table=table, condition=condition, rows=rows)

    return statement_triggers(
        f"sync_{flag}", insert=sync("new_rows"), update=sync(CHANGED_REVIEWS), delete=sync("old_rows")
    )


# Keeps Review.latest_judgement / latest_evaluated_date equal to the highest-sequence evaluation.
_SYNC_LATEST_EVALUATION = """
    UPDATE reviews_review r SET
        latest_judgement = COALESCE(latest.judgement, ''),
        latest_evaluated_date = latest.completed_date
    FROM (SELECT ids.review_id, e.judgement, e.completed_date
          FROM (SELECT DISTINCT review_id FROM {rows}) ids
          LEFT JOIN LATERAL (
              SELECT judgement, completed_date FROM reviews_evaluation
              WHERE review_id = ids.review_id ORDER BY sequence DESC LIMIT 1
          ) e ON true) latest
    WHERE r.id = latest.review_id
      AND (r.latest_judgement IS DISTINCT FROM COALESCE(latest.judgement, '')
           OR r.latest_evaluated_date IS DISTINCT FROM latest.completed_date);
    RETURN NULL;
"""


def latest_evaluation_triggers():
    """Triggers on Evaluation that keep its review's latest judgement and evaluated date."""
    return statement_triggers(
        "sync_latest",
        insert=_SYNC_LATEST_EVALUATION.format(rows="new_rows"),
        update=_SYNC_LATEST_EVALUATION.format(rows=CHANGED_REVIEWS),
        delete=_SYNC_LATEST_EVALUATION.format(rows="old_rows"),
    )
