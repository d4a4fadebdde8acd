"""The roles of SPEC section 2 as Django groups, and the permissions each holds."""

import functools

BOARD_STAFF = "board_staff"
INSPECTOR = "inspector"
MANAGER = "manager"
ADMIN = "admin"  # a superuser, not a group

GROUP_PERMISSIONS = {
    BOARD_STAFF: [
        "reviews.view_review",
        "reviews.add_review",
        "reviews.change_review",
        "reviews.submit_review",
        "reviews.view_child",
        "reviews.add_child",
        "reviews.change_child",
        "reviews.delete_child",
        "reviews.view_finding",
        "reviews.add_finding",
        "reviews.change_finding",
        "reviews.delete_finding",
        "reviews.view_agencyinvolvement",
        "reviews.add_agencyinvolvement",
        "reviews.change_agencyinvolvement",
        "reviews.delete_agencyinvolvement",
        "reviews.view_contribution",
        "reviews.add_contribution",
        "reviews.delete_contribution",
        "reviews.view_evaluation",
    ],
    INSPECTOR: [
        "reviews.view_review",
        "reviews.view_all_reviews",
        "reviews.export_reviews",
        "reviews.view_dashboard",
        "reviews.evaluate_review",
        "reviews.view_evaluation",
        "reviews.add_evaluation",
        "reviews.view_child",
        "reviews.view_finding",
        "reviews.view_agencyinvolvement",
        "reviews.view_contribution",
        "reviews.view_savedview",
        "reviews.add_savedview",
        "reviews.delete_savedview",
    ],
    MANAGER: [
        "reviews.view_review",
        "reviews.view_all_reviews",
        "reviews.export_reviews",
        "reviews.view_dashboard",
        "reviews.view_evaluation",
        "reviews.view_child",
        "reviews.view_finding",
        "reviews.view_agencyinvolvement",
        "reviews.view_contribution",
    ],
}

ROLES = [BOARD_STAFF, INSPECTOR, MANAGER, ADMIN]


def role_of(user):
    """The user's role name (admin for superusers), or None for a user with no role."""
    if user.is_superuser:
        return ADMIN
    load_access(user)
    return user._role_of


@functools.cache
def access_sql():
    """SQL for one text array of what user ``%(user)s`` holds: ``group:<name>`` for each of their groups and
    ``perm:<app_label>.<codename>`` for each permission, their own or a group's.

    Written out rather than built by the ORM on every page: compiling the two querysets and their union cost
    more CPU (about 0.8 ms) than the rest of a request's fixed work. The tables are the models' own.
    """
    from django.contrib.auth.models import Group, Permission, User
    from django.contrib.contenttypes.models import ContentType

    user_groups = User.groups.through._meta.db_table
    user_permissions = User.user_permissions.through._meta.db_table
    group_permissions = Group.permissions.through._meta.db_table
    return (
        f"ARRAY(SELECT 'group:' || g.name FROM {Group._meta.db_table} g "  # noqa: S608 (names from the models)
        f"JOIN {user_groups} ug ON ug.group_id = g.id WHERE ug.user_id = %(user)s "
        f"UNION ALL SELECT 'perm:' || ct.app_label || '.' || p.codename FROM {Permission._meta.db_table} p "
        f"JOIN {ContentType._meta.db_table} ct ON ct.id = p.content_type_id WHERE p.id IN ("
        f"SELECT permission_id FROM {user_permissions} WHERE user_id = %(user)s "
        f"UNION SELECT gp.permission_id FROM {group_permissions} gp "
        f"JOIN {user_groups} ug ON ug.group_id = gp.group_id WHERE ug.user_id = %(user)s))"
    )


def load_access(user):
    """The user's role and every permission they hold, in one query, kept on the user object for the request.

    The navigation, the two-factor check and the views all ask about the role and the permissions on every
    page; Django's ModelBackend would ask twice for the permissions (the user's own, then their groups'), and
    once more for the groups. The signed-in user arrives with them already (``scr_register.signed_in``
    reads them with the user); any other user object costs this one query. Superusers need none (they hold
    every permission).
    """
    if user.is_superuser or hasattr(user, "_role_of"):
        return
    from django.db import connections, router

    with connections[router.db_for_read(type(user))].cursor() as cursor:
        cursor.execute(f"SELECT {access_sql()}", {"user": user.pk})
        keep_access(user, cursor.fetchone()[0])


def keep_access(user, grants):
    """Keep the role and the permissions of ``grants`` (the array of ``access_sql()``) on the user object.

    The permissions go where ModelBackend keeps them (``_perm_cache``: ``app_label.codename`` of both kinds,
    the same set it builds), so ``has_perm`` reads them from there; inactive users hold none, as ModelBackend
    says.
    """
    names = {grant.removeprefix("group:") for grant in grants if grant.startswith("group:")}
    user._role_of = next((role for role in (INSPECTOR, MANAGER, BOARD_STAFF) if role in names), None)
    if user.is_active and not hasattr(user, "_perm_cache"):
        user._perm_cache = {grant.removeprefix("perm:") for grant in grants if grant.startswith("perm:")}


def sync_groups(apps):
    """Create each role's group with exactly its permissions (idempotent)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            wanted.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.set(wanted)
