"""The floor: PostgreSQL COPY of exactly the bundle's rows into the same tables, committed."""

import csv
import datetime
import io
import uuid

from importing.clocks import Clock


def copy_buffers(bundle, board_ids, first_id):
    """COPY (FORMAT csv) data for every table, built from the same rows as the CSV files."""
    from reviews.imports import REVIEWS

    def yes_no(value):
        return {"yes": "t", "no": "f", "": None}[value]

    def blank_none(value):
        return value or None

    now = datetime.datetime.now(datetime.UTC).isoformat()
    ids, latest = {}, {}
    for row in bundle["evaluations.csv"]:
        seq = int(row["sequence"])
        if row["review"] not in latest or latest[row["review"]][0] < seq:
            latest[row["review"]] = (seq, row["judgement"], row["completed_date"])
    evaluated = set(latest)
    known = {row["review"] for row in bundle["children.csv"] if row["known_to_social_care"] == "yes"}
    tables = {}
    review_rows, contribution_rows, scope = [], [], {}
    for offset, row in enumerate(bundle[REVIEWS]):
        pk = first_id + offset
        ids[row["reference"]] = pk
        status = "evaluated" if row["reference"] in evaluated else ("submitted" if row["submitted_date"] else "draft")
        _, judgement, done = latest.get(row["reference"], (0, "", None))
        review_rows.append(
            [
                pk,
                row["reference"],
                "scr",
                board_ids[row["board"]],
                row["title"],
                blank_none(row["incident_date"]),
                blank_none(row["decision_date"]),
                blank_none(row["completed_date"]),
                blank_none(row["submitted_date"]),
                yes_no(row["independent_chair"]),
                yes_no(row["independent_author"]),
                row["summary"],
                status,
                judgement,
                done,
                "t" if row["reference"] in known else "f",
                "t" if row["other_boards"] else "f",
                1,
                now,
                now,
            ]
        )
        submitted = status != "draft"
        readers = {board_ids[row["board"]]}
        for code in filter(None, row["other_boards"].split(";")):
            contribution_rows.append([pk, board_ids[code]])
            if submitted:
                readers.add(board_ids[code])
        # The actions' kept scope (reviews/plans_scope.py), copied with them as the import does.
        readers = ",".join(map(str, sorted(readers)))
        scope[pk] = (board_ids[row["board"]], "t" if submitted else "f", f"{{{readers}}}")
    tables["reviews_review"] = (
        "id, reference, review_type, board_id, title, incident_date, decision_date, completed_date, submitted_date, "
        "independent_chair, independent_author, summary, status, latest_judgement, latest_evaluated_date, "
        "any_child_known, cross_area, version, created_at, updated_at",
        review_rows,
    )
    tables["reviews_contribution"] = ("review_id, board_id", contribution_rows)
    tables["reviews_child"] = (
        "review_id, pseudonym, sex, age_band, ethnicity, outcome, known_to_social_care, child_protection_plan, "
        "looked_after",
        [
            [
                ids[r["review"]],
                r["pseudonym"],
                r["sex"],
                r["age_band"],
                r["ethnicity"],
                r["outcome"],
                yes_no(r["known_to_social_care"]),
                yes_no(r["child_protection_plan"]),
                yes_no(r["looked_after"]),
            ]
            for r in bundle["children.csv"]
        ],
    )
    tables["reviews_finding"] = (
        "review_id, category, agency, description",
        [[ids[r["review"]], r["category"], r["agency"], r["description"]] for r in bundle["findings.csv"]],
    )
    tables["reviews_evaluation"] = (
        "review_id, sequence, received_date, completed_date, judgement, summary, terms_of_reference, "
        "overview_and_imrs, timescales, equality_and_diversity, family_involvement, created_at",
        [
            [
                ids[r["review"]],
                r["sequence"],
                r["received_date"],
                r["completed_date"],
                r["judgement"],
                r["summary"],
                "",
                "",
                "",
                "",
                "",
                now,
            ]
            for r in bundle["evaluations.csv"]
        ],
    )
    recommendation_ids, recommendation_reviews = {}, {}
    recommendation_rows = []
    for pk, r in enumerate(bundle.get("recommendations.csv", ()), start=1):
        recommendation_ids[r["review"], r["number"]] = pk
        recommendation_reviews[pk] = ids[r["review"]]
        recommendation_rows.append([pk, ids[r["review"]], r["number"], r["text"], r["agency"], 1, now])
    tables["reviews_recommendation"] = ("id, review_id, number, text, agency, version, updated_at", recommendation_rows)
    tables["reviews_action"] = (
        "recommendation_id, number, description, owner_agency, due_date, status, completed_date, evidence, version, "
        "updated_at, lead_board_id, review_submitted, reader_boards",
        [
            [
                recommendation_ids[r["review"], r["recommendation"]],
                r["number"],
                r["description"],
                r["owner_agency"],
                r["due_date"],
                r["status"],
                blank_none(r["completed_date"]),
                r["evidence"],
                1,
                now,
                *scope[recommendation_reviews[recommendation_ids[r["review"], r["recommendation"]]]],
            ]
            for r in bundle.get("actions.csv", ())
        ],
    )
    buffers = {}
    for table, (columns, rows) in tables.items():
        if not rows and table in ("reviews_recommendation", "reviews_action"):
            continue
        out = io.StringIO()
        csv.writer(out, quoting=csv.QUOTE_NOTNULL).writerows(rows)
        buffers[table] = (columns, out.getvalue())
    return buffers


def time_copy(buffers, triggers):
    """(wall, queries, cpu) of COPY of every table and COMMIT (user triggers disabled inside, when off)."""
    from django.db import connection, transaction

    with Clock() as clock, transaction.atomic(), connection.cursor() as cursor:
        # As the import does: check foreign keys per statement, not in one long queue at COMMIT.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        if triggers:
            # The context the import's audit rows carry, so the triggers do the same work.
            cursor.execute(
                "SELECT set_config('pghistory.context_id', %s, true), "
                "set_config('pghistory.context_metadata', %s, true)",
                [str(uuid.uuid4()), '{"source": "bench"}'],
            )
        else:
            # The floor only, in a benchmark database, switched back on in the same transaction: COPY with no trigger is
            # what the import's writes cost without the audit and the kept figures. The product never does this.
            for table in buffers:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        raw = cursor.cursor
        for table, (columns, data) in buffers.items():
            raw.copy_expert(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)", io.StringIO(data))
        if not triggers:
            for table in buffers:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
    return clock.wall, "-", clock.cpu
