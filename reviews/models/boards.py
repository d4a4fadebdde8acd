"""Reference data: English regions, upper-tier local authorities and their safeguarding children boards."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class Region(models.Model):
    """An English region (ONS code such as E12000005, West Midlands)."""

    code = models.CharField(max_length=9, unique=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.name


class LocalAuthority(models.Model):
    """An upper-tier local authority as ONS and DfE record it; retired by ``valid_to``, never deleted."""

    class Type(models.TextChoices):
        COUNTY = "county", "County council"
        UNITARY = "unitary", "Unitary authority"
        METROPOLITAN_DISTRICT = "metropolitan_district", "Metropolitan district"
        LONDON_BOROUGH = "london_borough", "London borough"

    gss_code = models.CharField("GSS code", max_length=9, unique=True)
    name = models.CharField(max_length=100)
    type = models.CharField(max_length=24, choices=Type)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="authorities")
    dfe_code = models.CharField("DfE LA number", max_length=3, blank=True)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "local authorities"
        ordering = ["name", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="authority_valid_dates_in_order",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.gss_code})"


class BoardQuerySet(models.QuerySet):
    def of_member(self, user):
        """The boards this user belongs to: board staff's own boards, whose reviews they read and lead."""
        return self.filter(members=user)


class Board(models.Model):
    """A Local Safeguarding Children Board: one per authority code, identified by that GSS code."""

    authority = models.OneToOneField(LocalAuthority, on_delete=models.PROTECT, related_name="board")
    gss_code = models.CharField("GSS code", max_length=9, unique=True)
    name = models.CharField(max_length=120)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="boards")
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="boards", blank=True)

    objects = BoardQuerySet.as_manager()

    class Meta:
        ordering = ["name", "gss_code"]
        # The register sorts reviews by lead board name by walking boards in this order (reviews/register/filters.py).
        indexes = [models.Index(fields=["name", "gss_code"], name="board_name_idx")]

    def __str__(self):
        return f"{self.name} ({self.gss_code})"
