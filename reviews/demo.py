"""Deterministic synthetic demo data for the register, written fast with PostgreSQL COPY.

Everything here is invented: boards are the real reference data, but every review, child, finding and
evaluation is made up from a seeded ``random.Random``, children are pseudonyms ("Child A") and no
text names a person. The data describes the register as it stood on ``AS_OF``, so the same seed gives
the same rows whatever the day it is run.
"""

import bisect
import datetime
import io
import random
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

import pgtrigger
from django.db import connection, transaction

from reviews import reporting
from reviews.models import REVIEW_FLAG_TRIGGERS, Agency, Board, Finding, ReviewSearch

# The day the demo register "stands on": nothing happens after it (drafts and unevaluated reviews pile up
# just before it). Reporting years 2007-08 to 2026-27 have evaluations.
AS_OF = datetime.date(2026, 10, 31)
FIRST_DECISION = datetime.date(2006, 10, 1)
# Ofsted began evaluating serious case reviews on 1 April 2007: earlier submissions waited for it.
EVALUATIONS_BEGAN = datetime.date(2007, 4, 1)
# valid_from 2009-01-01 means "existed before 2009" (GSS codes began then): treat it as always.
GSS_START = datetime.date(2009, 1, 1)

# Relative number of reviews decided per reporting year (more after Baby Peter in 2008, then steady).
YEAR_RATES = {
    2006: 0.8,
    2007: 0.9,
    2008: 1.1,
    2009: 1.35,
    2010: 1.3,
    2011: 1.2,
    2012: 1.1,
    2013: 1.1,
}
DEFAULT_YEAR_RATE = 1.0

# Bigger authorities hold more reviews: a rough weight by type, with a few named exceptions.
TYPE_WEIGHTS = {"county": 3.0, "metropolitan_district": 1.6, "unitary": 1.0, "london_borough": 1.1}
BOARD_WEIGHTS = {
    "E08000025": 4.0,  # Birmingham
    "E08000035": 2.5,  # Leeds
    "E08000003": 2.0,  # Manchester
    "E10000016": 4.0,  # Kent
    "E10000017": 3.5,  # Lancashire
    "E10000012": 3.5,  # Essex
    "E10000014": 3.0,  # Hampshire
    "E06000053": 0.3,  # Isles of Scilly
    "E09000001": 0.3,  # City of London
    "E06000017": 0.4,  # Rutland
}

# Shares of judgements. First evaluations are a little harsher than Ofsted's overall 23/43/34 because
# re-evaluations (mostly adequate) are counted too; together they land near 23% good, 43% adequate,
# 34% inadequate. Outstanding was never awarded: it stays very rare.
FIRST_JUDGEMENTS = (("outstanding", 0.2), ("good", 22.4), ("adequate", 40.6), ("inadequate", 36.8))
REEVALUATION_JUDGEMENTS = (("good", 25), ("adequate", 55), ("inadequate", 20))
REEVALUATED_SHARE = 0.5  # of inadequate reviews that are reconsidered and evaluated again
EVALUATED_SHARE = 0.98  # of submitted reviews that Ofsted evaluates (a few wait for ever)
CROSS_AREA_SHARE = 0.05
EVERY_BOARD_FROM = 1000  # reviews: from this many, every board leads at least one

CATEGORY_WEIGHTS = (
    ("weak_management", 16),
    ("child_focus", 14),
    ("risk_assessment", 14),
    ("joint_working_across", 12),
    ("joint_working_within", 9),
    ("staff_expertise", 10),
    ("information_sharing", 10),
    ("record_keeping", 6),
    ("ethnic_cultural", 6),
    ("other", 3),
)
AGE_BANDS = (
    ("unborn", 2),
    ("under_1", 42),
    ("1_to_5", 22),
    ("6_to_10", 10),
    ("11_to_15", 17),
    ("16_plus", 5),
    ("not_known", 2),
)
ETHNICITIES = (
    ("WBRI", 68),
    ("WIRI", 1),
    ("WIRT", 0.5),
    ("WROM", 0.5),
    ("WOTH", 4),
    ("MWBC", 3),
    ("MWBA", 1),
    ("MWAS", 1.5),
    ("MOTH", 2),
    ("AIND", 1.5),
    ("APKN", 3),
    ("ABAN", 1.5),
    ("AOTH", 1),
    ("BCRB", 2),
    ("BAFR", 3),
    ("BOTH", 1),
    ("CHNE", 0.3),
    ("OOTH", 1),
    ("REFU", 0.2),
    ("NOBT", 1),
    ("", 3),
)
# (agency, chance it was involved, short note)
AGENCIES = (
    ("childrens_social_care", 0.9, "Assessments and a child in need plan"),
    ("health", 1.0, "GP, health visiting and the emergency department"),
    ("police", 0.8, "Domestic abuse call-outs to the family home"),
    ("education", 0.6, "School attendance and welfare concerns"),
    ("probation", 0.3, "Supervision of a parent's partner"),
    ("housing", 0.35, "Temporary accommodation after an eviction"),
    ("adult_services", 0.35, "Adult mental health and substance misuse services"),
    ("voluntary_sector", 0.3, "Family support and domestic abuse services"),
    ("other", 0.1, "A private fostering arrangement"),
)
# How the findings and summaries name each agency in a sentence.
AGENCY_PHRASE = {
    "childrens_social_care": "children's social care",
    "health": "health services",
    "police": "the police",
    "education": "the school",
    "probation": "the probation service",
    "housing": "housing services",
    "adult_services": "adult services",
    "voluntary_sector": "voluntary organisations",
    "other": "other services",
    "": "agencies",
}
assert set(AGENCY_PHRASE) == {"", *Agency.values}

# Finding descriptions: {who} is the agency ("children's social care") or "agencies" when none is named.
FINDING_TEXTS = {
    "weak_management": (
        "Managers in {who} did not challenge drift in the case.",
        "Supervision in {who} was infrequent and its decisions were not recorded.",
        "Managers in {who} did not escalate concerns when plans were not followed.",
    ),
    "joint_working_within": (
        "Teams within {who} did not share what each knew about the family.",
        "Information was lost at handovers between teams in {who}.",
        "Different services within {who} held separate plans for the same child.",
    ),
    "joint_working_across": (
        "Staff in {who} did not attend strategy discussions with partner agencies.",
        "Referrals made by {who} were not followed up jointly with other agencies.",
        "Disagreements between {who} and partners were not resolved or escalated.",
    ),
    "child_focus": (
        "Practitioners in {who} focused on the parents' needs and lost sight of the child.",
        "The child was not seen or spoken to alone by {who}.",
        "The child's own account was not sought or recorded by {who}.",
    ),
    "staff_expertise": (
        "Staff in {who} had not been trained to recognise the signs of neglect.",
        "Inexperienced practitioners in {who} carried a complex case without support.",
        "Practitioners in {who} did not recognise the significance of a bruise on a non-mobile baby.",
    ),
    "risk_assessment": (
        "Practitioners in {who} did not assess the risk posed by a new partner.",
        "Risk assessments by {who} were not updated when circumstances changed.",
        "Practitioners in {who} accepted explanations for injuries without question.",
    ),
    "ethnic_cultural": (
        "Practitioners in {who} did not consider the family's culture and language needs.",
        "No interpreter was used when {who} met the family.",
        "Practitioners in {who} made assumptions about the family's background.",
    ),
    "information_sharing": (
        "Information held by {who} was not shared with partner agencies.",
        "Concerns raised by relatives were not passed on by {who}.",
        "A change of address was not shared by {who}, so the family was lost to services.",
    ),
    "record_keeping": (
        "Records kept by {who} were incomplete and hard to follow.",
        "The child's views were not recorded by {who}.",
        "Chronologies held by {who} were not kept up to date.",
    ),
    "other": (
        "Learning for {who} about families who move between areas.",
        "Learning for {who} about the impact of parental mental ill health.",
    ),
}

# (circumstance when the child died, when seriously harmed), by age group.
CIRCUMSTANCES = {
    "infant": (
        ("died after a non-accidental head injury", "suffered a non-accidental head injury"),
        ("died after suffering unexplained injuries", "was found to have unexplained fractures"),
        ("died suddenly while co-sleeping with a parent", "was seriously harmed while co-sleeping with a parent"),
        ("died after long-term neglect and malnutrition", "was seriously harmed by neglect and malnutrition"),
    ),
    "young": (
        ("died after neglect over a long period", "was seriously harmed by neglect over a long period"),
        ("died after a non-accidental injury", "suffered a serious non-accidental injury"),
        ("died after swallowing a parent's methadone", "was seriously harmed after swallowing methadone"),
        ("drowned while unsupervised", "nearly drowned while unsupervised"),
        ("died in a fire at the family home", "was seriously injured in a fire at the family home"),
    ),
    "older": (
        ("took their own life", "was seriously harmed after an attempt to take their own life"),
        ("died after being sexually exploited", "was seriously harmed through sexual exploitation"),
        ("died after a knife attack", "was seriously injured in a knife attack"),
        ("died after years of physical abuse", "was seriously harmed by physical abuse at home"),
        ("died after going missing from care", "was seriously harmed while missing from care"),
    ),
}
AGE_GROUP = {
    "unborn": "infant",
    "under_1": "infant",
    "1_to_5": "young",
    "6_to_10": "older",
    "11_to_15": "older",
    "16_plus": "older",
    "not_known": "young",
}
AGE_PHRASE = {
    "unborn": "an unborn baby",
    "under_1": "a baby under one year old",
    "1_to_5": "a young child",
    "6_to_10": "a child of primary school age",
    "11_to_15": "a young teenager",
    "16_plus": "a young person of sixteen or over",
    "not_known": "a child whose age is not recorded",
}
EVALUATION_SUMMARIES = {
    "outstanding": "An exemplary review: searching analysis, the child at its centre and clear, owned actions.",
    "good": "A thorough review with sound analysis and recommendations that follow from its findings.",
    "adequate": "The review meets the requirements, but its analysis of why things happened is limited.",
    "inadequate": "The review does not explain why agencies acted as they did, and its recommendations are weak.",
}
ASPECTS = 5  # terms of reference, overview and IMRs, timescales, equality and diversity, family involvement
NEAR = {
    "outstanding": ("outstanding", "outstanding", "good"),
    "good": ("good", "good", "good", "adequate", "outstanding"),
    "adequate": ("adequate", "adequate", "adequate", "good", "inadequate"),
    "inadequate": ("inadequate", "inadequate", "inadequate", "adequate"),
}
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O: they read as numbers

# The pghistory audit triggers only: Evaluation's sync_latest_* triggers must keep running.
AUDIT_TRIGGERS = tuple(
    f"reviews.{model}:{name}"
    for model in ("Review", "Contribution", "Child", "AgencyInvolvement", "Finding", "Evaluation")
    for name in ("insert_insert", "update_update", "delete_delete")
)

# The register's flags (Review.any_child_known, Review.cross_area) are kept by statement triggers on Child
# and Contribution; the seed writes them with each review instead and switches those triggers off
# (REVIEW_FLAG_TRIGGERS): its secondary indexes are dropped while it loads, so each trigger's lookup would
# scan the whole table, quadratic in the reviews.

COPY_COLUMNS = {
    "reviews_review": (
        "id",
        "reference",
        "review_type",
        "board_id",
        "title",
        "incident_date",
        "decision_date",
        "completed_date",
        "submitted_date",
        "independent_chair",
        "independent_author",
        "summary",
        "status",
        "latest_judgement",
        "latest_evaluated_date",
        "version",
        "created_at",
        "updated_at",
        "any_child_known",
        "cross_area",
    ),
    "reviews_contribution": ("review_id", "board_id"),
    "reviews_child": (
        "review_id",
        "pseudonym",
        "sex",
        "age_band",
        "ethnicity",
        "outcome",
        "known_to_social_care",
        "child_protection_plan",
        "looked_after",
    ),
    "reviews_agencyinvolvement": ("review_id", "agency", "imr_submitted", "notes"),
    "reviews_finding": ("review_id", "category", "agency", "description"),
    "reviews_evaluation": (
        "review_id",
        "sequence",
        "received_date",
        "completed_date",
        "judgement",
        "summary",
        "terms_of_reference",
        "overview_and_imrs",
        "timescales",
        "equality_and_diversity",
        "family_involvement",
        "created_at",
    ),
}
NULL = "\\N"


@dataclass(frozen=True, slots=True)
class BoardInfo:
    id: int
    gss_code: str
    name: str
    region_id: int
    type: str
    valid_from: datetime.date
    valid_to: datetime.date | None

    def in_force_on(self, day):
        started = self.valid_from <= GSS_START or self.valid_from <= day
        return started and (self.valid_to is None or day <= self.valid_to)


@dataclass(slots=True)
class Planned:
    """A review before its details: when it was decided, by which board, and whether it must stay unsent."""

    decision: datetime.date
    board: BoardInfo
    hold: str = ""  # "draft" or "submitted": a showcase review for a demo board
    reference: str = ""


def _cum(pairs):
    values = [value for value, _ in pairs]
    total, cum = 0.0, []
    for _, weight in pairs:
        total += weight
        cum.append(total)
    return values, cum


def _sentence(text):
    return text[0].upper() + text[1:]


def _and(words):
    return ", ".join(words[:-1]) + f" and {words[-1]}" if len(words) > 1 else "".join(words)


def _bool(value):
    return NULL if value is None else ("t" if value else "f")


def _date(day):
    return NULL if day is None else day.isoformat()


class DemoData:
    """Generates the rows of ``count`` reviews from ``seed``: same seed and boards, same rows."""

    def __init__(self, boards, *, seed, showcase=()):
        self.rng = random.Random(seed)
        self.boards = sorted(boards, key=lambda b: b.gss_code)
        self.by_code = {b.gss_code: b for b in self.boards}
        self.showcase = [self.by_code[code] for code in showcase if code in self.by_code]
        self._epochs()
        self._years()
        self.categories, self.category_cum = _cum(CATEGORY_WEIGHTS)
        self.age_bands, self.age_cum = _cum(AGE_BANDS)
        self.ethnicities, self.ethnicity_cum = _cum(ETHNICITIES)
        self.first_judgements, self.first_cum = _cum(FIRST_JUDGEMENTS)
        self.re_judgements, self.re_cum = _cum(REEVALUATION_JUDGEMENTS)
        # Each finding's COPY line after its review id, ready made: a million findings are written.
        self.finding_lines = {
            (category, agency): [f"\t{category}\t{agency}\t{_sentence(text.format(who=who))}\n" for text in texts]
            for category, texts in FINDING_TEXTS.items()
            for agency, who in AGENCY_PHRASE.items()
        }

    def _epochs(self):
        """The boards in force between each change of the reference data, with their weights."""
        changes = sorted(
            {FIRST_DECISION}
            | {b.valid_from for b in self.boards if b.valid_from > GSS_START}
            | {b.valid_to + datetime.timedelta(days=1) for b in self.boards if b.valid_to}
        )
        self.epoch_starts, self.epochs = [], []
        for start in changes:
            boards = [b for b in self.boards if b.in_force_on(start)]
            weights = [BOARD_WEIGHTS.get(b.gss_code, TYPE_WEIGHTS.get(b.type, 1.0)) for b in boards]
            cum, total = [], 0.0
            for weight in weights:
                total += weight
                cum.append(total)
            by_region = {}
            for b in boards:
                by_region.setdefault(b.region_id, []).append(b)
            self.epoch_starts.append(start)
            self.epochs.append((boards, cum, by_region))

    def _years(self):
        """Decision dates: each reporting year's days, weighted by that year's rate."""
        self.year_spans, self.year_cum = [], []
        total = 0.0
        start_year = FIRST_DECISION.year if FIRST_DECISION.month >= 4 else FIRST_DECISION.year - 1
        for year in range(start_year, AS_OF.year + 1):
            first = max(datetime.date(year, 4, 1), FIRST_DECISION).toordinal()
            last = min(datetime.date(year + 1, 3, 31), AS_OF).toordinal()
            if last < first:
                continue
            total += YEAR_RATES.get(year, DEFAULT_YEAR_RATE) * (last - first + 1)
            self.year_spans.append((first, last))
            self.year_cum.append(total)

    def epoch(self, day):
        return self.epochs[bisect.bisect_right(self.epoch_starts, day) - 1]

    def plan(self, count):
        """Every review's decision date and lead board, in date order, with unique references."""
        rng = self.rng
        planned = []
        # Each demo board gets drafts and an unevaluated submission, so its staff have something to do.
        holds = [(board, hold, days) for board in self.showcase for hold, days in SHOWCASE]
        for board, hold, days in holds[:count]:
            decision = AS_OF - datetime.timedelta(days=days + int(rng.random() * 20))
            planned.append(Planned(decision, board, hold))
        # With enough reviews, every board in the reference data leads at least one, in its own years.
        if count >= EVERY_BOARD_FROM:
            for board in self.boards:
                first = max(FIRST_DECISION, board.valid_from if board.valid_from > GSS_START else FIRST_DECISION)
                last = min(AS_OF, board.valid_to or AS_OF)
                span = last.toordinal() - first.toordinal() + 1
                planned.append(Planned(first + datetime.timedelta(days=int(rng.random() * span)), board))
        while len(planned) < count:
            first, last = rng.choices(self.year_spans, cum_weights=self.year_cum)[0]
            decision = datetime.date.fromordinal(first + int(rng.random() * (last - first + 1)))
            boards, cum, _ = self.epoch(decision)
            planned.append(Planned(decision, rng.choices(boards, cum_weights=cum)[0]))
        planned.sort(key=lambda p: p.decision)
        numbers = {}
        for p in planned:
            key = (p.decision.year, p.board.gss_code)
            numbers[key] = numbers.get(key, 0) + 1
            p.reference = f"SCR-{p.decision.year}-{p.board.gss_code}-{numbers[key]:04d}"
        return planned

    def write(self, planned, ids, out):
        """Append the COPY lines of these reviews (with ``ids``) to the table buffers in ``out``."""
        for p, review_id in zip(planned, ids, strict=True):
            self._review(p, review_id, out)

    def _review(self, p, rid, out):
        rng = self.rng
        random_ = rng.random
        decision = p.decision
        day = datetime.timedelta

        # Dates: the incident, the decision weeks later, completion 3 to 18 months on, then submission.
        incident = None if random_() < 0.01 else decision - day(days=3 + int(rng.triangular(0, 70, 14)))
        completed = decision + day(days=int(rng.triangular(91, 548, 190)))
        submitted = completed + day(days=int(random_() * 36))
        if p.hold == "submitted":
            completed = min(completed, AS_OF - day(days=40))
            submitted = min(submitted, AS_OF)
        elif p.hold == "draft" or completed > AS_OF:
            completed = completed if completed <= AS_OF and random_() < 0.5 else None
            submitted = None
        elif submitted > AS_OF:
            submitted = None

        # Evaluations: Ofsted's judgement some weeks after receipt; an inadequate review may come back.
        evaluations = []
        if submitted and p.hold != "submitted" and random_() < EVALUATED_SHARE:
            received = max(submitted + day(days=int(random_() * 11)), EVALUATIONS_BEGAN + day(days=int(random_() * 60)))
            judgement = rng.choices(self.first_judgements, cum_weights=self.first_cum)[0]
            sequence = 1
            while True:
                done = received + day(days=int(rng.triangular(20, 120, 45)))
                if done > AS_OF:
                    break
                evaluations.append((sequence, received, done, judgement))
                if judgement != "inadequate" or sequence >= 3 or random_() >= REEVALUATED_SHARE:
                    break
                sequence += 1
                received = done + day(days=int(rng.triangular(60, 300, 120)))
                judgement = rng.choices(self.re_judgements, cum_weights=self.re_cum)[0]

        status = "evaluated" if evaluations else ("submitted" if submitted else "draft")
        latest = evaluations[-1] if evaluations else None

        # Children: usually one, sometimes siblings; about half died; most families were known to services.
        n_children = 1 if random_() < 0.8 else (2 if random_() < 0.75 else 3)
        outcome = "died" if random_() < 0.52 else "serious_harm"
        roll = random_()
        known = True if roll < 0.68 else (False if roll < 0.96 else None)
        ethnicity = rng.choices(self.ethnicities, cum_weights=self.ethnicity_cum)[0]
        letter = int(random_() * len(LETTERS))
        children = []
        for n in range(n_children):
            band = rng.choices(self.age_bands, cum_weights=self.age_cum)[0]
            sex = "not_known" if band == "unborn" or random_() < 0.03 else ("female" if random_() < 0.49 else "male")
            child_outcome = outcome if n == 0 or random_() < 0.8 else ("serious_harm" if outcome == "died" else "died")
            pseudonym = f"Child {LETTERS[(letter + n) % len(LETTERS)]}"
            cpp = None if known is None else (known and random_() < 0.3)
            looked_after = None if known is None else (known and random_() < 0.08)
            children.append((pseudonym, sex, band, child_outcome))
            out["reviews_child"].write(
                f"{rid}\t{pseudonym}\t{sex}\t{band}\t{ethnicity}\t{child_outcome}\t"
                f"{_bool(known)}\t{_bool(cpp)}\t{_bool(looked_after)}\n"
            )

        # Agencies involved (health always; social care whenever the family was known) and their IMRs.
        first_band = children[0][2]
        involved = []
        imr_share = 0.5 if status == "draft" else 0.9
        for agency, chance, note in AGENCIES:
            if agency == "education" and AGE_GROUP[first_band] == "infant":
                chance = 0.15
            if (agency == "childrens_social_care" and known) or random_() < chance:
                involved.append(agency)
                note = note if random_() < 0.5 else ""
                out["reviews_agencyinvolvement"].write(f"{rid}\t{agency}\t{_bool(random_() < imr_share)}\t{note}\n")

        # About ten weaknesses, each pinned on an agency that was involved (or on agencies in general).
        n_findings = 6 + int(random_() * 9)
        categories = rng.choices(self.categories, cum_weights=self.category_cum, k=n_findings)
        agencies = [*involved, ""]
        n_agencies = len(agencies)
        lines = self.finding_lines
        picked = []
        for category in categories:
            # One draw picks the agency (whole part) and the wording (fraction).
            draw = random_() * n_agencies
            agency = int(draw)
            options = lines[category, agencies[agency]]
            picked.append(options[int((draw - agency) * len(options))])
        rid_text = str(rid)
        out["reviews_finding"].write(rid_text + rid_text.join(picked))

        # Cross-area reviews: one or two other boards, usually from the same region.
        others = set()
        if random_() < CROSS_AREA_SHARE:
            boards, cum, by_region = self.epoch(decision)
            for _ in range(1 if random_() < 0.7 else 2):
                pool = by_region[p.board.region_id] if random_() < 0.7 else boards
                other = pool[int(random_() * len(pool))]
                if other.gss_code != p.board.gss_code:
                    others.add(other.id)
            for board_id in sorted(others):
                out["reviews_contribution"].write(f"{rid}\t{board_id}\n")

        for sequence, received, done, judgement in evaluations:
            near = NEAR[judgement]
            aspects = "\t".join(near[int(random_() * len(near))] for _ in range(ASPECTS))
            out["reviews_evaluation"].write(
                f"{rid}\t{sequence}\t{received.isoformat()}\t{done.isoformat()}\t{judgement}\t"
                f"{EVALUATION_SUMMARIES[judgement]}\t{aspects}\t{done.isoformat()} 12:00:00+00\n"
            )

        title, summary = self._words(children, categories, involved, known, status)
        chair_share = 0.45 + 0.45 * min(1.0, (decision.year - 2006) / 8)
        chair = None if random_() < 0.06 else random_() < chair_share
        author = None if random_() < 0.04 else random_() < 0.8 + 0.15 * min(1.0, (decision.year - 2006) / 8)
        updated = max(d for d in (decision, completed, submitted, latest and latest[2]) if d)
        out["reviews_review"].write(
            f"{rid}\t{p.reference}\tscr\t{p.board.id}\t{title}\t{_date(incident)}\t{decision.isoformat()}\t"
            f"{_date(completed)}\t{_date(submitted)}\t{_bool(chair)}\t{_bool(author)}\t{summary}\t{status}\t"
            f"{latest[3] if latest else ''}\t{_date(latest and latest[2])}\t1\t"
            f"{decision.isoformat()} 09:00:00+00\t{updated.isoformat()} 17:00:00+00\t"
            f"{_bool(known is True)}\t{_bool(bool(others))}\n"
        )

    def _words(self, children, categories, involved, known, status):
        """A title and a short summary in the register's plain style, naming no one."""
        rng = self.rng
        pseudonym, _, band, outcome = children[0]
        if len(children) > 1:
            names = ", ".join(c[0] for c in children[:-1]) + f" and {children[-1][0]}"
            title = f"Serious case review: {names}"
        elif rng.random() < 0.5:
            title = f"Serious case review: {pseudonym}"
        else:
            what = "the death of" if outcome == "died" else "serious harm to"
            title = f"Serious case review into {what} {pseudonym}"
        circumstance = rng.choice(CIRCUMSTANCES[AGE_GROUP[band]])[0 if outcome == "died" else 1]
        sentences = [f"{pseudonym}, {AGE_PHRASE[band]}, {circumstance}."]
        if len(children) > 1:
            sentences.append(f"The review also considers {'the sibling' if len(children) == 2 else 'two siblings'}.")
        if known:
            agencies = [AGENCY_PHRASE[a] for a in involved if a != "other"][:3]
            sentences.append(f"The family was known to {_and(agencies)}.")
        elif known is False:
            sentences.append("The family was not known to children's social care.")
        top = [c for c in dict.fromkeys(categories) if c != "other"][:2] or ["other"]
        labels = [str(Finding.Category(c).label) for c in top]
        learning = _and([label[0].lower() + label[1:] for label in labels]).replace("other", "other weaknesses")
        sentences.append(f"The review found {learning}.")
        if status != "draft":
            sentences.append(f"The board has agreed an action plan with {4 + int(rng.random() * 12)} recommendations.")
        return title, " ".join(sentences)


# Showcase reviews for each demo board: (what stays unsent, days before AS_OF the decision was taken).
SHOWCASE = (("draft", 30), ("draft", 200), ("submitted", 320))


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


def _copy(cursor, table, buffer):
    buffer.seek(0)
    columns = ", ".join(COPY_COLUMNS[table])
    # One read of the whole buffer: small reads would each wait for the GIL held by the generator thread.
    size = max(len(buffer.getvalue()), 8192)
    cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer, size)  # noqa: S608 (fixed names)


def _check_deferred(cursor):
    """Run the deferred foreign key checks now (they fail the transaction here if a row is orphaned)."""
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@contextmanager
def _bulk_load(cursor, tables):
    """Load empty ``tables`` the way PostgreSQL's manual advises: indexes and foreign keys after the rows.

    Inside the caller's transaction, drops the tables' secondary indexes (the GIN search indexes above
    all) and foreign keys, and on the way out creates them again from their own definitions, same names:
    one sorted index build and one set-based foreign key validation each, instead of a million row-by-
    row updates and checks. Primary keys and unique constraints stay in place throughout. DDL is
    transactional, so other sessions only ever see the schema whole (they wait for the tables meanwhile).
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
    """Write ``count`` synthetic reviews with their rows in one transaction; return the row counts.

        The review tables must be empty (seed_demo sees to it). Rows go in with COPY, a chunk of reviews at
        a time, while a worker thread generates the next chunk (the database works while Python writes
        text); indexes and foreign keys are built after the rows (``_bulk_load``). The pghistory audit
        triggers, and the dashboard's recount triggers (``reporting.RECOUNT_TRIGGERS``: one recount of everything
    after the load instead), are switched off inside this transaction only (see the seed_demo command); Evaluation's
        sync_latest triggers still run, and find each review's latest_judgement and latest_evaluated_date
        already equal to its highest-sequence evaluation.
    """
    started = time.monotonic()
    generator = DemoData(load_boards(), seed=seed, showcase=showcase)
    planned = generator.plan(count)
    counts = dict.fromkeys(COPY_COLUMNS, 0)

    def generate(start, ids):
        out = {table: io.StringIO() for table in COPY_COLUMNS}
        generator.write(planned[start : start + chunk], ids[start : start + chunk], out)
        return out

    def report(done, stage="written"):
        if progress:
            progress(done, count, time.monotonic() - started, stage)

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('reviews_review', 'id')) FROM generate_series(1, %s)", [count]
        )
        ids = [row[0] for row in cursor.fetchall()]
        _check_deferred(cursor)  # a table with checks waiting cannot be altered
        # ALTER TABLE ... DISABLE TRIGGER is transactional: no other session ever sees the triggers off,
        # and a failure rolls the switch back with the rows. (pgtrigger.ignore would still call each
        # trigger once per row, and its check costs a subtransaction a row: twice the write time.)
        pgtrigger.disable(*AUDIT_TRIGGERS, *REVIEW_FLAG_TRIGGERS, *reporting.RECOUNT_TRIGGERS)
        # One worker, so chunks are generated in order from the one random stream: deterministic.
        with _bulk_load(cursor, list(COPY_COLUMNS)), ThreadPoolExecutor(max_workers=1) as worker:
            pending = worker.submit(generate, 0, ids) if count else None
            for start in range(0, count, chunk):
                out = pending.result()
                if start + chunk < count:
                    pending = worker.submit(generate, start + chunk, ids)
                for table, buffer in out.items():
                    counts[table] += buffer.getvalue().count("\n")
                    _copy(cursor, table, buffer)
                report(min(start + chunk, count))
        report(count, "indexed and checked")
        reporting.recount_everything()  # the dashboard's kept counts, once, now that the indexes are back
        pgtrigger.enable(*AUDIT_TRIGGERS, *REVIEW_FLAG_TRIGGERS, *reporting.RECOUNT_TRIGGERS)
    report(count, "committed")
    with connection.cursor() as cursor:
        # The planner's statistics and the visibility map, now rather than whenever autovacuum comes by
        # (if it is on at all): the search documents (written by a trigger on reviews_review) too, or a
        # search for a rare word walks every review; without the visibility map no count or dashboard
        # aggregate can read an index alone. VACUUM cannot run inside a transaction (a test's): ANALYZE then.
        tables = ", ".join([*COPY_COLUMNS, ReviewSearch._meta.db_table])
        cursor.execute(f"{'ANALYZE' if connection.in_atomic_block else 'VACUUM (ANALYZE)'} {tables}")
    report(count, "analysed")
    return counts
