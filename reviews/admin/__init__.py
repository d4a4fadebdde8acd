"""The Django admin for every model of the register, and the CSV import page for admins: one module per
part, each registering its pages when imported (as Django's admin autodiscovery imports this package)."""

from reviews.admin import audit, plans, reference, review, rows

__all__ = ["audit", "plans", "reference", "review", "rows"]
