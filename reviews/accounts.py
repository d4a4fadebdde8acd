"""Giving a user one of the roles of SPEC section 2 (shared by `adduser` and `seed_demo`), and who must give a
second factor to sign in (service/two_factor.py asks for it)."""

from django.contrib.auth.models import Group
from django_otp.plugins.otp_totp.models import TOTPDevice

from reviews import roles
from reviews.models import Board

ROLES_THAT_NEED_A_SECOND_FACTOR = {roles.INSPECTOR, roles.MANAGER, roles.ADMIN}


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


def needs_second_factor(user) -> bool:
    """Whether this user must give a second factor: by role, or because they set one up."""
    if roles.role_of(user) in ROLES_THAT_NEED_A_SECOND_FACTOR:
        return True
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()
