"""Demo documents for the reviews seed_demo wrote (SPEC section 10): small PDFs made with fpdf2, so the documents
pages, the register's search and ``published`` filter, the review page and the dashboard's publication panel have
something to show.

Some evaluated reviews (``REVIEWS``, a third of them led by the demo board user's boards) get an executive summary,
and most of those an overview report too: about 40 to 60 documents whatever the size of the register, so seeding
100,000 reviews stays within its two minutes. Most summaries were published between three weeks and eight months
after the review was completed (never after ``demo.AS_OF``, the day the demo register stands on), some not yet;
an overview report is published with its summary about half the time. Each text is a few paragraphs in the plain
words of a serious case review (neglect, domestic abuse, information sharing...), naming the child only by the
review's pseudonym.

The files go into the documents storage, as uploads do; the rows are written in one statement (the audit trigger
records each, in seed_demo's ``pghistory.context``) with the text already known (``text_status`` "read"), so the
search finds them without a worker reading the PDFs. Deterministic with the seed.
"""

import datetime
import hashlib
import random
import time

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from fpdf import FPDF

from reviews import reporting
from reviews.demo import AS_OF
from reviews.models import Document, Review

REVIEWS = 36  # reviews given documents: about 40 to 60 documents
SHOWCASE_SHARE = 1 / 3  # of them led by the demo board user's boards
UNPUBLISHED_SHARE = 0.2
OVERVIEW_SHARE = 0.6  # reviews that also have their overview report uploaded
# The documents' uploader: a user that cannot sign in (no usable password, inactive), made when missing; not
# named "demo-..." like the demo logins, which a developer may delete to have them made again.
UPLOADER = "seeded-documents"

THEMES = (
    (
        "neglect",
        "The family lived with chronic neglect for several years. Professionals saw the poor state of the home and "
        "the child's missed health appointments, but each saw only part of the picture and the cumulative effect of "
        "neglect was not recognised.",
    ),
    (
        "domestic abuse",
        "The police attended several incidents of domestic abuse at the family home. The notifications reached "
        "children's social care, but the risk to the child from living with domestic abuse was not assessed.",
    ),
    (
        "information sharing",
        "Information sharing between agencies was poor. The health visitor, the school and the police each held "
        "concerns that were not passed on, so no agency had the full history when decisions were made.",
    ),
    (
        "parental mental health",
        "A parent's mental health needs were known to adult services, but the impact of parental mental health on "
        "the care of the child was not considered in the child's plan.",
    ),
    (
        "substance misuse",
        "Parental substance misuse was known to the drug and alcohol service. Its workers were not invited to the "
        "child protection conferences, and the risk it posed to the child was underestimated.",
    ),
    (
        "voice of the child",
        "The voice of the child was rarely heard. The child was seldom seen alone, and what the child said to the "
        "school about life at home was not recorded in the assessments.",
    ),
    (
        "supervision",
        "Supervision of front-line staff was infrequent, and managers did not challenge drift in the case when "
        "agreed actions were not completed.",
    ),
    (
        "escalation",
        "Professionals who disagreed with decisions did not use the board's escalation procedure, so concerns about "
        "the closure of the case were never resolved.",
    ),
)
LEARNING = (
    "The board has agreed an action plan to address these findings and will monitor its progress.",
    "Agencies have revised their procedures and delivered multi-agency training on the lessons of this review.",
    "The board will audit a sample of cases in a year to check that practice has changed.",
)
# Characters the PDF's core font (Latin-1) lacks, written as it can show them.
PLAIN = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "..."})


def plain(text):
    return text.translate(PLAIN).encode("latin-1", "replace").decode("latin-1")


def document_text(rng, kind, review):
    """The text of one demo document of ``review`` (reference, board name, title, completed date)."""
    reference, board_name, title, completed = review
    themes = rng.sample(THEMES, 3 if kind == Document.Kind.EXECUTIVE_SUMMARY else 5)
    heading = "Executive summary" if kind == Document.Kind.EXECUTIVE_SUMMARY else "Overview report"
    paragraphs = [
        f"{heading}: {title}",
        f"{board_name} Local Safeguarding Children Board. Serious case review {reference}, completed on "
        f"{completed:%-d %B %Y}.",
        "This review looked at how agencies worked with the child and family, and at what the board can learn. "
        "The main findings concern " + ", ".join(name for name, _ in themes[:-1]) + f" and {themes[-1][0]}.",
        *(text for _, text in themes),
        rng.choice(LEARNING),
    ]
    return plain("\n\n".join(paragraphs))


def pdf_bytes(text):
    """A PDF of ``text`` made with fpdf2 (Helvetica, A4), one or two pages."""
    pdf = FPDF()
    # A fixed creation date (the demo register's day): the same seed gives the same bytes.
    pdf.set_creation_date(datetime.datetime.combine(AS_OF, datetime.time(17), tzinfo=datetime.UTC))
    pdf.set_title(text.split("\n", 1)[0])
    pdf.set_font("Helvetica", size=11)
    pdf.add_page()
    pdf.multi_cell(0, 6, text)
    return bytes(pdf.output())


def _uploader():
    user, _ = get_user_model().objects.get_or_create(
        username=UPLOADER, defaults={"is_active": False, "first_name": "Demo", "last_name": "documents"}
    )
    if user.has_usable_password():
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _chosen(rng, showcase):
    """The evaluated reviews that get documents: (pk, (reference, board name, title, completed date))."""
    candidates = list(
        Review.objects.filter(status=Review.Status.EVALUATED, completed_date__isnull=False)
        .order_by("reference")
        .values_list("pk", "board__gss_code")
    )
    mine = [pk for pk, gss in candidates if gss in showcase]
    others = [pk for pk, gss in candidates if gss not in showcase]
    wanted_mine = min(len(mine), round(REVIEWS * SHOWCASE_SHARE))
    picked = rng.sample(mine, wanted_mine) + rng.sample(others, min(len(others), REVIEWS - wanted_mine))
    details = Review.objects.filter(pk__in=picked).values_list(
        "pk", "reference", "board__name", "title", "completed_date"
    )
    by_pk = {pk: rest for pk, *rest in details}
    return [(pk, by_pk[pk]) for pk in sorted(picked, key=lambda pk: by_pk[pk][0])]


def _day(rng, after, lowest, highest):
    return min(after + datetime.timedelta(days=rng.randrange(lowest, highest)), AS_OF)


def _document(rng, review_pk, details, kind, text, published, uploader):
    """An unsaved Document with its PDF (saved to the documents storage when the row is)."""
    content = pdf_bytes(text)
    reference = details[0]
    filename = f"{reference}-{kind.replace('_', '-')}.pdf"
    uploaded_day = published or _day(rng, details[3], 10, 60)
    return Document(
        review_id=review_pk,
        kind=kind,
        title=f"{Document.Kind(kind).label}: {reference}",
        file=ContentFile(content, name=filename),
        filename=filename,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        published_date=published,
        uploaded_by=uploader,
        uploaded_at=datetime.datetime.combine(uploaded_day, datetime.time(10), tzinfo=datetime.UTC),
        text=text,
        text_status=Document.TextStatus.READ,
    )


def add_documents(*, seed, showcase=()):
    """Give some evaluated reviews demo documents (see the module's docstring); a sentence saying how many."""
    started = time.monotonic()
    rng = random.Random(f"documents-{seed}")
    chosen = _chosen(rng, set(showcase))
    if not chosen:
        return "Added no demo documents: no review is evaluated."
    documents = []
    with reporting.writing():
        uploader = _uploader()
        for pk, details in chosen:
            completed = details[3]
            published = None if rng.random() < UNPUBLISHED_SHARE else _day(rng, completed, 21, 240)
            summary = document_text(rng, Document.Kind.EXECUTIVE_SUMMARY, details)
            documents.append(_document(rng, pk, details, Document.Kind.EXECUTIVE_SUMMARY, summary, published, uploader))
            if rng.random() < OVERVIEW_SHARE:
                report_published = published if published and rng.random() < 0.5 else None
                report = document_text(rng, Document.Kind.OVERVIEW_REPORT, details)
                documents.append(
                    _document(rng, pk, details, Document.Kind.OVERVIEW_REPORT, report, report_published, uploader)
                )
        # One statement: each FileField saves its file to the documents storage as the row is written.
        Document.objects.bulk_create(documents)
    published_count = sum(1 for document in documents if document.published_date)
    return (
        f"Added {len(documents):,} demo documents ({published_count:,} published) to {len(chosen):,} reviews in "
        f"{time.monotonic() - started:.1f} s."
    )
