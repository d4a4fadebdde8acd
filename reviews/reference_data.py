"""The shipped reference data (ONS/DfE, Open Government Licence v3.0): see reviews/data/README.md."""

import csv
import datetime
from pathlib import Path

AUTHORITIES_CSV = Path(__file__).resolve().parent / "data" / "local_authorities.csv"


def authority_rows():
    """The rows of the shipped local authorities file, with dates parsed."""
    with AUTHORITIES_CSV.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            row["valid_from"] = datetime.date.fromisoformat(row["valid_from"])
            row["valid_to"] = datetime.date.fromisoformat(row["valid_to"]) if row["valid_to"] else None
            yield row


def load(apps):
    """Create or update every region, authority and board from the shipped file (idempotent)."""
    Region = apps.get_model("reviews", "Region")
    LocalAuthority = apps.get_model("reviews", "LocalAuthority")
    Board = apps.get_model("reviews", "Board")
    for row in authority_rows():
        region, _ = Region.objects.update_or_create(code=row["region_code"], defaults={"name": row["region_name"]})
        authority, _ = LocalAuthority.objects.update_or_create(
            gss_code=row["gss_code"],
            defaults={
                "name": row["name"],
                "type": row["type"],
                "region": region,
                "dfe_code": row["dfe_code"],
                "valid_from": row["valid_from"],
                "valid_to": row["valid_to"],
            },
        )
        Board.objects.update_or_create(
            gss_code=row["gss_code"],
            defaults={"authority": authority, "name": row["name"], "region": region},
        )
