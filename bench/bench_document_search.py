"""Benchmark the register's search with documents' text in it (issue 16): 10,000 documents on
``seed_demo --reviews 100000``.

Usage (from the project folder, on a benchmark database of its own; ``--seed`` adds the documents once):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scr_bench DJANGO_SECRET_KEY=x \\
        .venv/bin/python bench/bench_document_search.py [--seed] [--runs 30]

``--seed`` writes 10,000 current documents (overview reports and executive summaries of random reviews) with
generated text straight into the documents table (no files: the search reads the stored text), 8 to 40 KB
each, words drawn from a Zipf-like distribution over a vocabulary of about 20,000 words, so each document has
thousands of distinct words, a few common to most documents and many rare. One word, "hypothermia", is put
in about one document in a hundred and in no review's own text (a word only in documents). The database writes
each document's words (Document.search_vector, a trigger on the text), as when an upload's text is read.

Then, for each search (a word only in documents, a common word, the start of words common in documents, a
reference prefix), it times page 1 of the register through Django's test Client as an inspector, and the
register's own queries run through plain
psycopg2 (the raw SQL floor): wall-clock median and p95, and CPU time (this process plus its PostgreSQL
backend, from /proc) per request, with the ratio of the register's CPU time to the floor's.
"""

import argparse
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

DOCUMENTS = 10_000
ONLY_IN_DOCUMENTS = "hypothermia"
CASES = [
    ("q=hypothermia (only in documents)", "q=hypothermia"),
    ("q=neglect (a common word)", "q=neglect"),
    ("q=supervis (the start of words common in documents)", "q=supervis"),
    ("q=SCR-2008-E08 (start of a reference)", "q=SCR-2008-E08"),
]
# The words of a serious case review's prose; the rest of the vocabulary is made of syllables (names, places).
COMMON_WORDS = (  # noqa: SIM905 (prose reads better than a list of 110 strings)
    "the of and to a in was that had with for on by not were her his she he child children mother father "
    "family school health visitor social worker police agency agencies review neglect safeguarding "
    "assessment referral concerns risk home visit hospital nursery general practitioner board strategy "
    "meeting plan protection conference case records information shared sharing chronology injury injuries "
    "bruising supervision management learning lessons recommendation recommendations practice professional "
    "professionals domestic violence substance misuse alcohol mental housing police emergency department "
    "midwife baby infant siblings partner relationship escalation threshold early help services "
    "communication record keeping missed appointments attendance teacher designated lead report overview "
    "executive summary panel author independent chair findings analysis evidence outcome outcomes"
).split()


def setup_django():
    import bench_register

    bench_register.setup_django()


def vocabulary(rng, size=20_000):
    syllables = "ba be bi bo bu da de di do du ka ke ki ko la le li lo ma me mi mo na ne ni no ra re ri ro "
    syllables += "sa se si so ta te ti to va ve vi wa we wi ya yo za ze ston ford ley ham well by ton"
    parts = syllables.split()
    words = set()
    while len(words) < size:
        words.add("".join(rng.choice(parts) for _ in range(rng.randint(2, 4))))
    return COMMON_WORDS + sorted(words)


def document_text(rng, words, weights):
    target = rng.randint(8_000, 40_000)
    chosen = rng.choices(words, weights=weights, k=target // 6)
    if rng.random() < 0.01:
        chosen.insert(rng.randrange(len(chosen)), ONLY_IN_DOCUMENTS)
    sentences = [" ".join(chosen[i : i + 14]).capitalize() + "." for i in range(0, len(chosen), 14)]
    return " ".join(sentences)


def seed(runs_out=sys.stderr):
    """Write the documents, in statements of 500 rows (each statement's triggers fold their words in)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from reviews.models import Document, Review

    if Document.objects.filter(filename="bench.pdf").count() >= DOCUMENTS:
        print("the bench documents are there already", file=runs_out)
        return
    rng = random.Random(16)
    words = vocabulary(rng)
    weights = [1 / (rank + 1) for rank in range(len(words))]
    user, _ = get_user_model().objects.get_or_create(username="bench-documents")
    review_ids = rng.sample(list(Review.objects.values_list("pk", flat=True)), DOCUMENTS)
    now = timezone.now().isoformat()
    started = time.perf_counter()
    columns = (
        "review_id, kind, title, file, filename, size, sha256, uploaded_by_id, uploaded_at, text, text_status, version"
    )
    with connection.cursor() as cursor:
        for batch in range(0, DOCUMENTS, 500):
            rows = io.StringIO()
            for number, review_id in enumerate(review_ids[batch : batch + 500], start=batch):
                kind = Document.Kind.OVERVIEW_REPORT if number % 3 == 0 else Document.Kind.EXECUTIVE_SUMMARY
                text = document_text(rng, words, weights)
                fields = [
                    str(review_id), kind, kind.label, f"{review_id}/bench{number}.pdf", "bench.pdf",
                    str(len(text)), f"{number:064x}", str(user.pk), now, text, "read", "1",
                ]  # fmt: skip
                rows.write("\t".join(fields) + "\n")
            rows.seek(0)
            cursor.copy_expert(f"COPY reviews_document ({columns}) FROM STDIN", rows)
            print(f"{batch + 500:,} documents written ({time.perf_counter() - started:.1f} s)", file=runs_out)
        cursor.execute("ANALYZE reviews_document; ANALYZE reviews_reviewsearch")


def cpu_seconds(backend_pid):
    """CPU seconds of this process plus the PostgreSQL backend ``backend_pid`` (same machine)."""
    fields = Path(f"/proc/{backend_pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return time.process_time() + (int(fields[11]) + int(fields[12])) / ticks


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure(call, backend_pid, runs):
    for _ in range(3):
        call()
    times = []
    cpu_started = cpu_seconds(backend_pid)
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    cpu = (cpu_seconds(backend_pid) - cpu_started) * 1000 / runs
    return {"median": statistics.median(times), "p95": percentile(times, 0.95), "cpu": cpu}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", action="store_true", help=f"add {DOCUMENTS:,} documents first (once)")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    setup_django()
    import bench_register
    import psycopg2
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from reviews.models import Document, Review

    if args.seed:
        seed()
    inspector, _ = bench_register.bench_users()
    client = Client()
    bench_register.sign_in(client, inspector)
    settings = connection.settings_dict
    dsn = f"dbname={settings['NAME']} user={settings['USER']} host={settings['HOST']} port={settings['PORT']}"
    # The same server settings as the app's connection (planner costs): the floor runs the same plans.
    if options := settings.get("OPTIONS", {}).get("options"):
        dsn += " options='" + options.replace("'", "") + "'"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        django_backend = cursor.fetchone()[0]
    documents = Document.objects.current().searched().count()
    print(
        f"{Review.objects.count():,} reviews, {documents:,} searched documents in {settings['NAME']}; "
        f"{args.runs} runs a case; load {os.getloadavg()[0]:.1f}",
        file=sys.stderr,
    )
    raw = psycopg2.connect(dsn)
    raw_cursor = raw.cursor()
    raw_cursor.execute("SELECT pg_backend_pid()")
    raw_backend = raw_cursor.fetchone()[0]
    print("| search | register p50 / p95 ms | SQL floor p50 / p95 ms ", end="")
    print("| register CPU ms | floor CPU ms | CPU ratio | rows |")
    print("|---|---|---|---|---|---|---|")
    for label, query in CASES:
        url = f"/reviews/?{query}"

        def page(url=url):
            response = client.get(url, secure=True)
            assert response.status_code == 200, response.status_code
            return response

        with CaptureQueriesContext(connection) as captured:
            html = page().content.decode()
        assert "govuk-error-summary" not in html
        statements = [q["sql"] for q in captured.captured_queries if "reviews_review" in q["sql"]]

        def floor(statements=statements):
            for sql in statements:
                raw_cursor.execute(sql)
                raw_cursor.fetchall()

        register = measure(page, django_backend, args.runs)
        sql = measure(floor, raw_backend, args.runs)
        raw_cursor.execute(statements[-1])
        found = raw_cursor.fetchall()
        count = found[0][-1] if found else 0
        print(
            f"| {label} | {register['median']:.1f} / {register['p95']:.1f} | {sql['median']:.1f} / {sql['p95']:.1f} "
            f"| {register['cpu']:.1f} | {sql['cpu']:.1f} | {register['cpu'] / sql['cpu']:.1f} | {count:,} |"
        )
    print(f"load average at the end: {os.getloadavg()[0]:.1f}", file=sys.stderr)


if __name__ == "__main__":
    main()
