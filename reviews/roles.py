"""The roles of SPEC section 2 as Django groups, and the permissions each holds."""

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


def load_access(user):
    """The user's role and every permission they hold, in one query, kept on the user object for the request.

    The navigation, the two-factor check and the views all ask about the role and the permissions on every
    page; Django's ModelBackend would ask twice for the permissions (the user's own, then their groups'), and
    once more for the groups. The permissions go where ModelBackend keeps them (``_perm_cache``:
    ``app_label.codename`` of both kinds, the same set it builds), so ``has_perm`` reads them from there.
    Superusers need no query (they hold every permission); inactive users hold none, as ModelBackend says.
    """
    if user.is_superuser or hasattr(user, "_role_of"):
        return
    from django.contrib.auth.models import Group, Permission
    from django.db.models import CharField, Value

    blank = Value("", output_field=CharField())
    own = Permission.objects.filter(user=user).order_by().values_list(blank, "content_type__app_label", "codename")
    groups = (
        Group.objects.filter(user=user)
        .order_by()
        .values_list("name", "permissions__content_type__app_label", "permissions__codename")
    )
    rows = list(own.union(groups, all=True).order_by())
    names = {name for name, _, _ in rows if name}
    user._role_of = next((role for role in (INSPECTOR, MANAGER, BOARD_STAFF) if role in names), None)
    if user.is_active and not hasattr(user, "_perm_cache"):
        user._perm_cache = {f"{app_label}.{codename}" for _, app_label, codename in rows if codename}


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
