"""The shape of the demo register: the days it spans, how reviews spread over years and boards, and the
shares of judgements, findings, children and agencies (near Ofsted's published figures)."""

import datetime

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

ASPECTS = 5  # terms of reference, overview and IMRs, timescales, equality and diversity, family involvement
NEAR = {
    "outstanding": ("outstanding", "outstanding", "good"),
    "good": ("good", "good", "good", "adequate", "outstanding"),
    "adequate": ("adequate", "adequate", "adequate", "good", "inadequate"),
    "inadequate": ("inadequate", "inadequate", "inadequate", "adequate"),
}

# Showcase reviews for each demo board: (what stays unsent, days before AS_OF the decision was taken).
SHOWCASE = (("draft", 30), ("draft", 200), ("submitted", 320))
