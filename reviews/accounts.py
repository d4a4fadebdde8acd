"""Giving a user one of the roles of SPEC section 2: shared by `adduser` and `seed_demo`."""

from django.contrib.auth.models import Group

from reviews import roles
from reviews.models import Board


def assign_role(user, *, role, boards=()):
    """Make ``role`` the user's only role and ``boards`` their only boards (the user must be saved).

    ``admin`` is a superuser with access to the Django admin and no group; every other role is the
    group of that name. Board membership is only for board staff: any other role ends up with none.
    """
    if role not in roles.ROLES:
        raise ValueError(f"unknown role {role!r}")
    is_admin = role == roles.ADMIN
    if user.is_superuser != is_admin or user.is_staff != is_admin:
        user.is_superuser = user.is_staff = is_admin
        user.save(update_fields=["is_superuser", "is_staff"])
    user.groups.set([] if is_admin else [Group.objects.get(name=role)])
    Board.members.through.objects.filter(user=user).delete()
    if role == roles.BOARD_STAFF:
        Board.members.through.objects.bulk_create([Board.members.through(user=user, board=board) for board in boards])
