"""A small register whose dashboard figures are worked out by hand (tests/test_dashboard*.py).

ref  lead board (region)    decision -> completed    chair/author  evaluations (received, completed, judgement)
R1   Birmingham (W Mids)    2007-10-01 -> 2008-01-31  yes / yes     1: 2008-03-01, 2008-04-01 good
R2   Birmingham (W Mids)    2008-01-01 -> 2008-04-15  no / ?        1: 2008-04-20, 2008-06-01 inadequate
                                                                    2: 2009-04-01, 2009-05-01 adequate (next year)
R3   Coventry (W Mids)      2008-02-01 -> 2008-03-31  yes / yes     1: 2008-04-02, 2008-05-01 inadequate
     (Birmingham contributed: cross-area)                           2: 2008-10-01, 2008-12-01 good (same year)
R4   Coventry (W Mids)      2008-06-01 -> 2009-01-10  yes / yes     1: 2009-02-01, 2009-04-01 adequate (2009-10)
R5   Leeds (Yorkshire)      2006-01-01 -> 2008-03-01  ? / no        1: 2008-04-01, 2009-03-31 adequate
R6   Birmingham (W Mids)    draft, never evaluated
R7   Kent (South East)      submitted, not evaluated yet

Children (outcome, age band, known to social care, child protection plan):
R1: A died under_1 yes yes; B serious_harm 1_to_5 no no.  R2: C died 6_to_10 ? ?.  R3: D serious_harm 11_to_15 yes no.
R4: E died unborn yes yes.  R5: F died 16_plus yes no; G died 16_plus no no.  R6: H died under_1 yes yes.
Findings (category, agency): R1: weak_management police x2, child_focus health.  R2: weak_management (no agency).
R5: risk_assessment childrens_social_care.  R6: other police.

2008-09 counts five evaluations: R1, R2 (1st), R3 (both: a review evaluated twice in a year counts twice), R5.
2009-10 counts two: R2 (2nd) and R4 (completed 1 April 2009, the first day of 2009-10).

Themes across the years (evaluations of reviews with at least one finding of a category): England 2008-09 of 5,
weak_management 2 (R1 once for its two findings, R2), child_focus 1 (R1), risk_assessment 1 (R5), other 0 (R6
is a draft); 2009-10 of 2, weak_management 1 (R2's second evaluation counts again, in the year it completed).
"""

import datetime

import pytest

from reviews.models import Contribution, Review
from tests.factories import ChildFactory, EvaluationFactory, FindingFactory, ReviewFactory, board

D = datetime.date

BIRMINGHAM, COVENTRY, LEEDS, KENT = "E08000025", "E08000026", "E08000035", "E10000016"
WEST_MIDLANDS, YORKSHIRE, SOUTH_EAST = "E12000005", "E12000003", "E12000008"
ENGLAND = "E92000001"


def make_review(
    reference,
    gss,
    *,
    decision,
    completed,
    chair=None,
    author=None,
    evaluations=(),
    children=(),
    findings=(),
    status=None,
):
    """A review with its evaluations ``(sequence, received, completed, judgement)``, children
    ``(outcome, age_band, known, plan)`` and findings ``(category, agency)``."""
    if status is None:
        status = Review.Status.EVALUATED if evaluations else Review.Status.SUBMITTED
    review = ReviewFactory(
        reference=reference,
        board=board(gss),
        status=status,
        incident_date=decision - datetime.timedelta(days=30),
        decision_date=decision,
        completed_date=completed,
        submitted_date=None if status == Review.Status.DRAFT else completed,
        independent_chair=chair,
        independent_author=author,
    )
    for sequence, received, done, judgement in evaluations:
        EvaluationFactory(
            review=review, sequence=sequence, received_date=received, completed_date=done, judgement=judgement
        )
    for n, (outcome, age_band, known, plan) in enumerate(children):
        ChildFactory(
            review=review,
            pseudonym=f"Child {n}",
            outcome=outcome,
            age_band=age_band,
            known_to_social_care=known,
            child_protection_plan=plan,
        )
    for category, agency in findings:
        FindingFactory(review=review, category=category, agency=agency)
    return review


def build():
    """The register of the module docstring."""
    r = {}
    r["R1"] = make_review(
        "R1",
        BIRMINGHAM,
        decision=D(2007, 10, 1),
        completed=D(2008, 1, 31),
        chair=True,
        author=True,
        evaluations=[(1, D(2008, 3, 1), D(2008, 4, 1), "good")],
        children=[("died", "under_1", True, True), ("serious_harm", "1_to_5", False, False)],
        findings=[("weak_management", "police"), ("weak_management", "police"), ("child_focus", "health")],
    )
    r["R2"] = make_review(
        "R2",
        BIRMINGHAM,
        decision=D(2008, 1, 1),
        completed=D(2008, 4, 15),
        chair=False,
        author=None,
        evaluations=[
            (1, D(2008, 4, 20), D(2008, 6, 1), "inadequate"),
            (2, D(2009, 4, 1), D(2009, 5, 1), "adequate"),
        ],
        children=[("died", "6_to_10", None, None)],
        findings=[("weak_management", "")],
    )
    r["R3"] = make_review(
        "R3",
        COVENTRY,
        decision=D(2008, 2, 1),
        completed=D(2008, 3, 31),
        chair=True,
        author=True,
        evaluations=[
            (1, D(2008, 4, 2), D(2008, 5, 1), "inadequate"),
            (2, D(2008, 10, 1), D(2008, 12, 1), "good"),
        ],
        children=[("serious_harm", "11_to_15", True, False)],
    )
    Contribution.objects.create(review=r["R3"], board=board(BIRMINGHAM))
    r["R4"] = make_review(
        "R4",
        COVENTRY,
        decision=D(2008, 6, 1),
        completed=D(2009, 1, 10),
        chair=True,
        author=True,
        evaluations=[(1, D(2009, 2, 1), D(2009, 4, 1), "adequate")],
        children=[("died", "unborn", True, True)],
    )
    r["R5"] = make_review(
        "R5",
        LEEDS,
        decision=D(2006, 1, 1),
        completed=D(2008, 3, 1),
        chair=None,
        author=False,
        evaluations=[(1, D(2008, 4, 1), D(2009, 3, 31), "adequate")],
        children=[("died", "16_plus", True, False), ("died", "16_plus", False, False)],
        findings=[("risk_assessment", "childrens_social_care")],
    )
    r["R6"] = make_review(
        "R6",
        BIRMINGHAM,
        decision=D(2008, 1, 1),
        completed=D(2008, 5, 1),
        status=Review.Status.DRAFT,
        children=[("died", "under_1", True, True)],
        findings=[("other", "police")],
    )
    r["R7"] = make_review("R7", KENT, decision=D(2008, 1, 1), completed=D(2008, 5, 1), chair=True, author=True)
    return r


@pytest.fixture
def register(reporting_shares_default):
    """The register above (a plugin of tests/conftest.py: a module with its own ``register`` fixture, as the
    register's and the exports' tests have, overrides it)."""
    return build()


def signed_in(client, user):
    client.force_login(user)
    return client
