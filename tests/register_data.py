"""A small register whose answers are worked out by hand, for the register, export and saved view tests.

ref  lead board (region)   status     evaluations (completed judgement)  findings            children (outcome known)
A1   Birmingham (W Mids)   evaluated  2009-03-31 inadequate              weak_management     died yes
A2   Coventry (W Mids)     evaluated  2008-04-01 inadequate              child_focus         serious_harm no
A3   Leeds (Yorkshire)     evaluated  2008-06-01 inadequate              weak_management     died unknown
A4   Birmingham (W Mids)   evaluated  2009-04-01 inadequate              weak_management     -
A5   Birmingham (W Mids)   evaluated  2008-05-01 inadequate,             weak_management     serious_harm yes
                                      then 2009-06-01 good
A6   Kent (South East)     submitted  -                                  -                   -
A7   Birmingham (W Mids)   draft      -                                  -                   died yes
A8   Coventry (W Mids)     evaluated  2008-03-31 adequate                risk_assessment x2  died no; died yes
A9   Coventry (W Mids)     draft      -                                  -                   -

References are SCR-A1 to SCR-A9. Birmingham contributed to A2 and A9 (the only cross-area reviews).

Inspectors see A1-A6 and A8 (no drafts). Birmingham's board staff see A1, A4, A5, A7 (their own, the draft too)
and A2 (submitted, Birmingham contributed) but not A9 (a draft Birmingham contributed to).
"""

import csv
import datetime
import io

import pytest
from bs4 import BeautifulSoup

from reviews.models import Contribution, Review
from reviews.register.choices import forget_register_options
from tests.factories import ChildFactory, EvaluationFactory, FindingFactory, ReviewFactory, board

D = datetime.date

BIRMINGHAM = "E08000025"
COVENTRY = "E08000026"
LEEDS = "E08000035"
KENT = "E10000016"
WEST_MIDLANDS = "E12000005"
YORKSHIRE = "E12000003"
SOUTH_EAST = "E12000008"

INSPECTOR_SEES = ["SCR-A1", "SCR-A2", "SCR-A3", "SCR-A4", "SCR-A5", "SCR-A6", "SCR-A8"]
BIRMINGHAM_STAFF_SEE = ["SCR-A1", "SCR-A2", "SCR-A4", "SCR-A5", "SCR-A7"]


def _review(reference, gss, *, status=Review.Status.EVALUATED, completed, title, summary=""):
    return ReviewFactory(
        reference=reference,
        board=board(gss),
        status=status,
        title=title,
        summary=summary,
        incident_date=D(2007, 6, 1),
        decision_date=D(2007, 7, 1),
        completed_date=completed,
        submitted_date=completed + datetime.timedelta(days=10) if status != Review.Status.DRAFT else None,
    )


def _evaluation(review, sequence, completed, judgement):
    return EvaluationFactory(
        review=review,
        sequence=sequence,
        received_date=completed - datetime.timedelta(days=60),
        completed_date=completed,
        judgement=judgement,
    )


def build_register():
    """Create the reviews in the table above; returns them by reference."""
    r = {}
    r["SCR-A1"] = _review(
        "SCR-A1",
        BIRMINGHAM,
        completed=D(2008, 12, 1),
        title="Serious case review into the death of Child A",
        summary="Managers did not challenge drift in the case. The family was known to children's social care.",
    )
    _evaluation(r["SCR-A1"], 1, D(2009, 3, 31), "inadequate")
    FindingFactory(review=r["SCR-A1"], category="weak_management")
    ChildFactory(review=r["SCR-A1"], pseudonym="Child A", outcome="died", known_to_social_care=True)

    r["SCR-A2"] = _review(
        "SCR-A2",
        COVENTRY,
        completed=D(2008, 1, 15),
        title="Serious case review: Child B",
        summary="Agencies lost sight of the child while working with the parents.",
    )
    _evaluation(r["SCR-A2"], 1, D(2008, 4, 1), "inadequate")
    FindingFactory(review=r["SCR-A2"], category="child_focus")
    ChildFactory(review=r["SCR-A2"], pseudonym="Child B", outcome="serious_harm", known_to_social_care=False)
    Contribution.objects.create(review=r["SCR-A2"], board=board(BIRMINGHAM))

    r["SCR-A3"] = _review(
        "SCR-A3",
        LEEDS,
        completed=D(2008, 3, 1),
        title="Serious case review: Child C",
        summary="Supervision was infrequent and its decisions were not recorded.",
    )
    _evaluation(r["SCR-A3"], 1, D(2008, 6, 1), "inadequate")
    FindingFactory(review=r["SCR-A3"], category="weak_management")
    ChildFactory(review=r["SCR-A3"], pseudonym="Child C", outcome="died", known_to_social_care=None)

    r["SCR-A4"] = _review(
        "SCR-A4", BIRMINGHAM, completed=D(2009, 1, 20), title="Serious case review: Child D", summary="Neglect."
    )
    _evaluation(r["SCR-A4"], 1, D(2009, 4, 1), "inadequate")
    FindingFactory(review=r["SCR-A4"], category="weak_management")

    r["SCR-A5"] = _review(
        "SCR-A5",
        BIRMINGHAM,
        completed=D(2008, 2, 1),
        title="Serious case review into serious harm to Child E",
        summary="Neglect over many years.",
    )
    _evaluation(r["SCR-A5"], 1, D(2008, 5, 1), "inadequate")
    _evaluation(r["SCR-A5"], 2, D(2009, 6, 1), "good")
    FindingFactory(review=r["SCR-A5"], category="weak_management")
    ChildFactory(review=r["SCR-A5"], pseudonym="Child E", outcome="serious_harm", known_to_social_care=True)

    r["SCR-A6"] = _review(
        "SCR-A6",
        KENT,
        status=Review.Status.SUBMITTED,
        completed=D(2009, 5, 1),
        title="Serious case review: Child F",
        summary="Awaiting evaluation.",
    )

    r["SCR-A7"] = _review(
        "SCR-A7", BIRMINGHAM, status=Review.Status.DRAFT, completed=D(2009, 7, 1), title="Serious case review: Child G"
    )
    ChildFactory(review=r["SCR-A7"], pseudonym="Child G", outcome="died", known_to_social_care=True)

    r["SCR-A8"] = _review(
        "SCR-A8", COVENTRY, completed=D(2007, 12, 1), title="Serious case review: Children H and J", summary=""
    )
    _evaluation(r["SCR-A8"], 1, D(2008, 3, 31), "adequate")
    FindingFactory(review=r["SCR-A8"], category="risk_assessment")
    FindingFactory(review=r["SCR-A8"], category="risk_assessment", agency="health")
    ChildFactory(review=r["SCR-A8"], pseudonym="Child H", outcome="died", known_to_social_care=False)
    ChildFactory(review=r["SCR-A8"], pseudonym="Child J", outcome="died", known_to_social_care=True)

    r["SCR-A9"] = _review(
        "SCR-A9", COVENTRY, status=Review.Status.DRAFT, completed=D(2009, 8, 1), title="Serious case review: Child K"
    )
    Contribution.objects.create(review=r["SCR-A9"], board=board(BIRMINGHAM))
    return r


@pytest.fixture(autouse=True)
def fresh_register_options():
    """The board list is kept between requests; a test that renames a board must not leak into others."""
    forget_register_options()
    yield
    forget_register_options()


def soup(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


def listed(response):
    """The references in the register's table, in order ([] when there is no table)."""
    table = soup(response).find("table", id="register-table")
    if table is None:
        return []
    return [row.find("td").get_text(strip=True) for row in table.find("tbody").find_all("tr")]


def csv_rows(response):
    """A CSV export as a list of dicts (the whole stream read)."""
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))
