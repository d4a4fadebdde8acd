"""Demo recommendations and action plans for the reviews seed_demo wrote (SPEC section 9), deterministic with the
seed and written with PostgreSQL COPY.

Most evaluated reviews get a plan, fewer submitted ones and a few drafts: 2 to 6 recommendations, each with 1 to
3 actions due between two months and two years after the review was completed. As of ``demo.AS_OF`` (the day the
demo register stands on) actions due by then are mostly completed, on time or late, some withdrawn and some still
open (overdue, more often for recent reviews); actions due later are mostly not started or in progress, a few
done early. The audit triggers stay on: COPY fires the statement-level insert triggers, one event row per row. The
rows go through ``reviews.bulk`` (its one column list per table) and are loaded as seed_demo's big tables are
(``demo.bulk_load``: secondary indexes and foreign keys made again after the rows).
"""

import datetime
import random
import time

from django.db import connection, transaction

from reviews import bulk, demo, plans_scope
from reviews.demo import AS_OF
from reviews.models import Action, Agency, CountedAction, Recommendation, Review

AGENCIES = [agency for agency in Agency.values if agency != Agency.OTHER]
# Which reviews have a plan, by status.
PLAN_SHARE = {Review.Status.EVALUATED: 0.85, Review.Status.SUBMITTED: 0.5, Review.Status.DRAFT: 0.15}
RECOMMENDATIONS = ([2, 3, 4, 5, 6], [3, 3, 2, 1, 1])  # how many, and how often
ACTIONS = ([1, 2, 3], [4, 3, 2])

RECOMMENDATION_TEXTS = (
    "{who} should make sure that referrals about an unborn baby are shared with midwifery within one working day.",
    "{who} should review how the history of the family is gathered and used when a new referral is made.",
    "{who} should make sure staff understand the thresholds for a strategy discussion and apply them.",
    "{who} should audit the quality of supervision of front-line staff working with children in need.",
    "{who} should agree how information about domestic abuse incidents reaches the child's school.",
    "{who} should strengthen how the voice of the child is recorded and acted on in assessments.",
    "{who} should make sure fathers and other adults in the household are included in assessments.",
    "{who} should review training on recognising neglect, including its cumulative effect over time.",
    "{who} should make sure that missed health appointments for a child prompt a follow-up.",
    "{who} should set out how escalation between agencies works when professionals disagree.",
)
ACTION_TEXTS = (
    "Revise the procedure and publish it on the board's website.",
    "Deliver multi-agency training to front-line staff and record attendance.",
    "Audit a sample of cases six months on and report the findings to the board.",
    "Add a prompt to the case recording system and check that it is used.",
    "Agree an information-sharing protocol with partner agencies.",
    "Brief team managers and include the learning in supervision.",
    "Report progress to the board's performance subgroup each quarter.",
    "Commission an independent review of the service and act on it.",
)
EVIDENCE = (
    "Audit of 40 cases showed the new procedure followed in 36.",
    "Training delivered to 220 staff; evaluation forms show improved confidence.",
    "Procedure published and referenced in three later case audits.",
    "Quarterly report to the board shows the target met for two quarters running.",
)
WITHDRAWN = (
    "Superseded by the national guidance published since the review.",
    "The service was recommissioned and the new provider's contract covers it.",
    "Merged into a wider action under another recommendation.",
)

STAMP = f"{AS_OF.isoformat()} 17:00:00+00"


def _status(rng, review_done, due):
    """(status, completed_date, evidence) of an action due on ``due`` of a review completed on ``review_done``."""
    if due <= AS_OF:
        recent = (AS_OF - due).days < 2 * 365
        roll = rng.random()
        if roll < 0.07:
            return Action.Status.WITHDRAWN, None, rng.choice(WITHDRAWN)
        if roll < (0.72 if recent else 0.95):
            if rng.random() < 0.65:  # on time
                done = due - datetime.timedelta(days=rng.randrange(0, 120))
            else:
                done = due + datetime.timedelta(days=rng.randrange(1, 200))
            done = min(max(done, review_done), AS_OF)
            return Action.Status.COMPLETED, done, rng.choice(EVIDENCE)
        status = Action.Status.IN_PROGRESS if rng.random() < 0.6 else Action.Status.NOT_STARTED
        return status, None, ""
    roll = rng.random()
    if roll < 0.02:
        return Action.Status.WITHDRAWN, None, rng.choice(WITHDRAWN)
    if roll < 0.15:
        done = review_done + datetime.timedelta(days=rng.randrange(0, max(1, (AS_OF - review_done).days + 1)))
        return Action.Status.COMPLETED, min(done, AS_OF), rng.choice(EVIDENCE)
    return (Action.Status.IN_PROGRESS if roll < 0.6 else Action.Status.NOT_STARTED), None, ""


def _plans(rng, reviews):
    """The recommendations and actions of ``reviews``, as rows in ``bulk.COPY_FIELDS`` order but for the
    recommendations' ids (not yet known): each action names its recommendation by its place in the list."""
    recommendations, actions = [], []
    for review_id, status, completed, decided in reviews:
        if rng.random() >= PLAN_SHARE[status]:
            continue
        start = completed or decided or AS_OF
        texts = rng.sample(RECOMMENDATION_TEXTS, rng.choices(*RECOMMENDATIONS)[0])
        for number, text in enumerate(texts, start=1):
            agency = rng.choice(AGENCIES) if rng.random() < 0.75 else ""
            who = Agency(agency).label if agency else "The board"
            recommendation = len(recommendations)
            recommendations.append((review_id, number, text.format(who=who), agency, 1, STAMP))
            for action in range(1, rng.choices(*ACTIONS)[0] + 1):
                due = start + datetime.timedelta(days=rng.randrange(60, 730))
                state, done, evidence = _status(rng, start, due)
                owner = agency or rng.choice(AGENCIES)
                description = rng.choice(ACTION_TEXTS)
                actions.append((recommendation, action, description, owner, due, state, done, evidence, 1, STAMP))
    return recommendations, actions


def add_plans(*, seed):
    """Give the register's reviews demo plans (see the module's docstring); returns a sentence saying how many."""
    started = time.monotonic()
    rng = random.Random(f"plans-{seed}")
    reviews = list(Review.objects.order_by("reference").values_list("pk", "status", "completed_date", "decision_date"))
    recommendations, actions = _plans(rng, reviews)
    # Loaded as seed_demo loads its big tables: secondary indexes and foreign keys made again after the rows (the
    # plans' tables, their audit rows, and the counted actions their triggers write).
    models = (Recommendation, Action, CountedAction)
    tables = [model._meta.db_table for model in (*models, *(model.events.field.model for model in models[:2]))]
    with transaction.atomic(), connection.cursor() as cursor:
        bulk.begin(cursor)
        # Copied with their ids, taken from their sequence first, so the actions can name them.
        ids = bulk.reserve_ids(Recommendation, len(recommendations))
        with demo.bulk_load(cursor, tables):
            bulk.copy_rows(Recommendation, [(pk, *row) for pk, row in zip(ids, recommendations, strict=True)])
            scope = plans_scope.kept_scope(ids)  # sent with the actions: the scope triggers write no row again
            bulk.copy_rows(Action, [(ids[row[0]], *row[1:], *scope[ids[row[0]]]) for row in actions])
    with connection.cursor() as cursor:
        # As seed_demo does for its tables: the planner's statistics and the visibility map now.
        tables = f"{Recommendation._meta.db_table}, {Action._meta.db_table}"
        cursor.execute(f"{'ANALYZE' if connection.in_atomic_block else 'VACUUM (ANALYZE)'} {tables}")
    written = len(recommendations), len(actions)
    return f"Added {written[0]:,} recommendations and {written[1]:,} actions in {time.monotonic() - started:.1f} s."
