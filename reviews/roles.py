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
        # The plan outlives the review: the lead board keeps it up to date at any status (SPEC section 9).
        "reviews.view_recommendation",
        "reviews.add_recommendation",
        "reviews.change_recommendation",
        "reviews.delete_recommendation",
        "reviews.view_action",
        "reviews.add_action",
        "reviews.change_action",
        # Documents (SPEC section 10): the lead board uploads, replaces and deletes them at any status.
        "reviews.view_document",
        "reviews.add_document",
        "reviews.change_document",
        "reviews.delete_document",
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
        "reviews.view_recommendation",
        "reviews.view_action",
        "reviews.view_document",
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
        "reviews.view_recommendation",
        "reviews.view_action",
        "reviews.view_document",
    ],
}

ROLES = [BOARD_STAFF, INSPECTOR, MANAGER, ADMIN]


# Each role is known by a permission it holds and no role after it in this order does (an inspector holds a
# manager's permissions too): the role is read from the permissions Django's ModelBackend loads and caches on
# the user object for the page's own permission checks, so knowing it costs no query of its own.
ROLE_PERMISSIONS = {
    INSPECTOR: "reviews.evaluate_review",
    MANAGER: "reviews.view_dashboard",
    BOARD_STAFF: "reviews.submit_review",
}


def role_of(user):
    """The user's role name (admin for superusers), or None for a user with no role (or an inactive one)."""
    if user.is_superuser:
        return ADMIN
    permissions = user.get_all_permissions()
    return next((role for role, permission in ROLE_PERMISSIONS.items() if permission in permissions), None)


def sync_groups(apps):
    """Create each role's group with exactly its permissions (idempotent).

    The migrations run this with their historical ``apps``: at an early migration, a model a later one creates
    has no permissions yet, so its are left out there and granted when the migration that creates the model
    runs this again (0024 for recommendations and actions, 0029 for documents). Any other missing permission is
    an error.
    """
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            try:
                wanted.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
            except Permission.DoesNotExist:
                if _model_exists(apps, app_label, codename):
                    raise
        group.permissions.set(wanted)


def _model_exists(apps, app_label, codename):
    """False if ``codename`` is a default permission (view_x, add_x...) of a model ``apps`` does not have yet."""
    verb, _, model_name = codename.partition("_")
    if verb not in ("view", "add", "change", "delete"):
        return True
    try:
        apps.get_model(app_label, model_name)
    except LookupError:
        return False
    return True
