"""The words of the demo register: how findings, summaries and evaluations are phrased. Invented, and
naming no one: children are pseudonyms ("Child A")."""

from reviews.models import Agency

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
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O: they read as numbers
