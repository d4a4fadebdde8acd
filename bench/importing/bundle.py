"""The benchmark's bundle: reviews, children, findings, evaluations (and plans) as import_reviews reads them."""

import csv
import datetime
import random


def build_bundle(n_reviews, boards, seed=2009, plans=False):
    """Deterministic rows for every file: dicts of CSV values, in file order."""
    rng = random.Random(seed)
    from reviews.imports import FILE_NAMES
    from reviews.models import Agency, Child, Finding, Judgement

    categories, agencies = list(Finding.Category.values), list(Agency.values)
    ethnicities = [*Child.Ethnicity.values, ""]
    bundle = {name: [] for name in FILE_NAMES[: len(FILE_NAMES) if plans else 4]}
    start = datetime.date(2007, 4, 1)
    for i in range(n_reviews):
        ref = f"SCR-{i + 1:06d}"
        incident = start + datetime.timedelta(days=rng.randrange(0, 1500))
        decision = incident + datetime.timedelta(days=rng.randrange(7, 60))
        completed = decision + datetime.timedelta(days=rng.randrange(60, 300))
        submitted = completed + datetime.timedelta(days=rng.randrange(1, 30))
        evaluated = rng.random() < 0.9
        lead = rng.choice(boards)
        others = rng.sample([b for b in boards if b != lead], rng.choice((1, 2))) if rng.random() < 0.05 else []
        odd = i % 500 == 0  # now and then the text that breaks naive CSV handling
        bundle["reviews.csv"].append(
            {
                "reference": ref,
                "board": lead,
                "other_boards": ";".join(others),
                "title": f'Review of services to "Child {i}", aged <3>' if odd else f"Review of services to Child {i}",
                "incident_date": incident.isoformat(),
                "decision_date": decision.isoformat(),
                "completed_date": completed.isoformat(),
                "submitted_date": submitted.isoformat() if evaluated or rng.random() < 0.5 else "",
                "independent_chair": rng.choice(("yes", "no", "")),
                "independent_author": rng.choice(("yes", "no", "")),
                "summary": "Agencies did not share information, so the risk was not seen.\nNäive <script>x</script>"
                if odd
                else "Agencies did not share information, so the risk to the child was not seen in time.",
            }
        )
        for c in range(rng.choice((1, 2, 2, 3))):
            bundle["children.csv"].append(
                {
                    "review": ref,
                    "pseudonym": f"Child {chr(65 + c)}",
                    "sex": rng.choice(Child.Sex.values),
                    "age_band": rng.choice(Child.AgeBand.values),
                    "ethnicity": rng.choice(ethnicities),
                    "outcome": rng.choice(Child.Outcome.values),
                    "known_to_social_care": rng.choice(("yes", "no", "")),
                    "child_protection_plan": rng.choice(("yes", "no", "")),
                    "looked_after": rng.choice(("yes", "no", "")),
                }
            )
        for _ in range(rng.randrange(5, 16)):
            bundle["findings.csv"].append(
                {
                    "review": ref,
                    "category": rng.choice(categories),
                    "agency": rng.choice(agencies),
                    "description": "Supervision of the case was not recorded, and the plan was not reviewed.",
                }
            )
        if evaluated:
            received = submitted + datetime.timedelta(days=rng.randrange(1, 20))
            sequences = 2 if rng.random() < 1 / 3 else 1
            for sequence in range(1, sequences + 1):
                done = received + datetime.timedelta(days=rng.randrange(20, 90))
                judgement = "inadequate" if sequence < sequences else rng.choice(Judgement.values[1:])
                bundle["evaluations.csv"].append(
                    {
                        "review": ref,
                        "sequence": str(sequence),
                        "received_date": received.isoformat(),
                        "completed_date": done.isoformat(),
                        "judgement": judgement,
                        "summary": "The review was thorough." if judgement != "inadequate" else "Lessons unclear.",
                    }
                )
                received = done + datetime.timedelta(days=rng.randrange(30, 120))
            if plans:
                add_plan(bundle, rng, ref, completed, agencies)
    return bundle


def add_plan(bundle, rng, ref, completed, agencies):
    """Three recommendations of the review, two actions each, some completed (late or not), one withdrawn."""
    for number in range(1, 4):
        agency = rng.choice(["", *agencies])
        bundle["recommendations.csv"].append(
            {
                "review": ref,
                "number": str(number),
                "text": "Agencies should share referrals within a day.",
                "agency": agency,
            }
        )
        for action in (1, 2):
            due = completed + datetime.timedelta(days=rng.randrange(60, 700))
            roll = rng.random()
            status, done, evidence = "in_progress", "", ""
            if roll < 0.6:
                status, done = "completed", (due + datetime.timedelta(days=rng.randrange(-90, 90))).isoformat()
                evidence = "Audit of 40 referrals showed the protocol followed."
            elif roll < 0.65:
                status, evidence = "withdrawn", "Superseded by national guidance."
            bundle["actions.csv"].append(
                {
                    "review": ref,
                    "recommendation": str(number),
                    "number": str(action),
                    "description": "Agree a protocol and train staff in it.",
                    "owner_agency": agency or rng.choice(agencies),
                    "due_date": due.isoformat(),
                    "status": status,
                    "completed_date": done,
                    "evidence": evidence,
                }
            )


def write_bundle(bundle, folder):
    for name, rows in bundle.items():
        with open(folder / name, "w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        yield name, (folder / name).stat().st_size
