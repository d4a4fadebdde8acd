"""The demo register's rows, generated from a seeded ``random.Random``: the same seed and boards give the
same rows, as lines of COPY's text format in the column order of ``reviews.bulk.COPY_FIELDS``."""

import bisect
import datetime
import random
from dataclasses import dataclass

from reviews.demo.shares import (
    AGE_BANDS,
    AGENCIES,
    AS_OF,
    ASPECTS,
    BOARD_WEIGHTS,
    CATEGORY_WEIGHTS,
    CROSS_AREA_SHARE,
    DEFAULT_YEAR_RATE,
    ETHNICITIES,
    EVALUATED_SHARE,
    EVALUATIONS_BEGAN,
    EVERY_BOARD_FROM,
    FIRST_DECISION,
    FIRST_JUDGEMENTS,
    GSS_START,
    NEAR,
    REEVALUATED_SHARE,
    REEVALUATION_JUDGEMENTS,
    SHOWCASE,
    TYPE_WEIGHTS,
    YEAR_RATES,
)
from reviews.demo.words import (
    AGE_GROUP,
    AGE_PHRASE,
    AGENCY_PHRASE,
    CIRCUMSTANCES,
    EVALUATION_SUMMARIES,
    FINDING_TEXTS,
    LETTERS,
)
from reviews.models import AgencyInvolvement, Child, Contribution, Evaluation, Finding, Review

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
        """Append the COPY lines of these reviews (with ``ids``) to the buffers of ``out``, one per model."""
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
            out[Child].write(
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
                out[AgencyInvolvement].write(f"{rid}\t{agency}\t{_bool(random_() < imr_share)}\t{note}\n")

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
        out[Finding].write(rid_text + rid_text.join(picked))

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
                out[Contribution].write(f"{rid}\t{board_id}\n")

        for sequence, received, done, judgement in evaluations:
            near = NEAR[judgement]
            aspects = "\t".join(near[int(random_() * len(near))] for _ in range(ASPECTS))
            out[Evaluation].write(
                f"{rid}\t{sequence}\t{received.isoformat()}\t{done.isoformat()}\t{judgement}\t"
                f"{EVALUATION_SUMMARIES[judgement]}\t{aspects}\t{done.isoformat()} 12:00:00+00\n"
            )

        title, summary = self._words(children, categories, involved, known, status)
        chair_share = 0.45 + 0.45 * min(1.0, (decision.year - 2006) / 8)
        chair = None if random_() < 0.06 else random_() < chair_share
        author = None if random_() < 0.04 else random_() < 0.8 + 0.15 * min(1.0, (decision.year - 2006) / 8)
        updated = max(d for d in (decision, completed, submitted, latest and latest[2]) if d)
        out[Review].write(
            f"{rid}\t{p.reference}\tscr\t{p.board.id}\t{title}\t{_date(incident)}\t{decision.isoformat()}\t"
            f"{_date(completed)}\t{_date(submitted)}\t{_bool(chair)}\t{_bool(author)}\t{summary}\t{status}\t"
            f"{latest[3] if latest else ''}\t{_date(latest and latest[2])}\t"
            f"{_bool(known is True)}\t{_bool(bool(others))}\t1\t"
            f"{decision.isoformat()} 09:00:00+00\t{updated.isoformat()} 17:00:00+00\n"
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
