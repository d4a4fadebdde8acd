"""Who may read the dashboard, and which boards' own rows they may see (SPEC sections 2 and 7)."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef

from reviews.models import Board


@dataclass(frozen=True, slots=True)
class RegionInfo:
    pk: int
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class BoardInfo:
    """What the dashboard needs of a board (plain values: 170 model instances cost a page 10 ms)."""

    pk: int
    gss_code: str
    name: str
    region_id: int
    region: RegionInfo
    # The authority's dates in force (valid_from 2009-01-01 means "existed before 2009"): boards that share a
    # name (an authority reorganised under a new code) are told apart by them.
    valid_from: object = None
    valid_to: object = None


@dataclass(frozen=True, slots=True)
class Viewer:
    """A dashboard reader: managers, inspectors and admins see every board; board staff their own boards.

    Everyone who may read the dashboard sees the national and regional figures: they are aggregates
    over every board. ``boards`` maps every board's id to the Board (region loaded), for names and regions;
    ``visible`` holds the ids of the boards whose own rows this reader may see.
    """

    everything: bool
    boards: dict
    visible: frozenset
    # Every board's id, code, name and region: cached results depend on them (see queries.year_details).
    fingerprint: int = 0

    @property
    def scope_key(self):
        """What this reader may see, for cache keys: everything, or these boards' own rows."""
        return "all" if self.everything else tuple(sorted(self.visible))

    def board_by_code(self, gss_code):
        """The visible board with this GSS code, or None (another board and an unknown code look the same)."""
        for board in self.boards.values():
            if board.gss_code == gss_code and board.pk in self.visible:
                return board
        return None

    def regions(self):
        """Every region that has a board, ordered by code."""
        return sorted({board.region.code: board.region for board in self.boards.values()}.values(), key=_code)


def _code(region):
    return region.code


def viewer_for(user):
    """The dashboard ``Viewer`` for ``user``, in one query; PermissionDenied for a user with no dashboard role.

    Managers and inspectors hold ``reviews.view_dashboard`` (admins hold every permission). Board staff,
    who read their own boards' reviews (``reviews.view_review`` without ``view_all_reviews``), may read
    the dashboard scoped to the boards they belong to: the boards whose reviews ``Review.objects.for_user``
    gives them as their own.
    """
    if not user.is_authenticated or not user.is_active:
        raise PermissionDenied
    everything = user.has_perm("reviews.view_dashboard")
    if not everything and not user.has_perm("reviews.view_review"):
        raise PermissionDenied
    member = Board.objects.of_member(user).filter(pk=OuterRef("pk"))
    rows = list(
        Board.objects.order_by("name", "gss_code")
        .annotate(is_member=Exists(member))
        .values_list(
            "pk",
            "gss_code",
            "name",
            "region_id",
            "region__code",
            "region__name",
            "authority__valid_from",
            "authority__valid_to",
            "is_member",
        )
    )
    regions = {region_id: RegionInfo(region_id, code, name) for _, _, _, region_id, code, name, *_ in rows}
    boards = {
        pk: BoardInfo(pk, code, name, region_id, regions[region_id], valid_from, valid_to)
        for pk, code, name, region_id, _, _, valid_from, valid_to, _ in rows
    }
    visible = frozenset(pk for pk, *_, is_member in rows if everything or is_member)
    return Viewer(everything, boards, visible, hash(tuple(row[:-1] for row in rows)))
