"""The admin of the reference data: regions, local authorities and their boards."""

from django.contrib import admin

from reviews.models import Board, LocalAuthority, Region


class ReferenceDataAdmin(admin.ModelAdmin):
    """Reference data is retired (``valid_to``) in a migration, never deleted: reviews keep their boards."""

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Region)
class RegionAdmin(ReferenceDataAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]
    ordering = ["code"]


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(ReferenceDataAdmin):
    list_display = ["name", "gss_code", "type", "region", "dfe_code", "valid_from", "valid_to"]
    list_filter = ["type", "region", "valid_from", "valid_to"]
    search_fields = ["name", "gss_code", "dfe_code"]
    list_select_related = ["region"]
    autocomplete_fields = ["region"]
    ordering = ["name", "valid_from"]


@admin.register(Board)
class BoardAdmin(ReferenceDataAdmin):
    list_display = ["name", "gss_code", "region", "in_force_from", "in_force_to"]
    list_filter = ["region", "authority__type"]
    search_fields = ["name", "gss_code"]
    list_select_related = ["region", "authority"]
    autocomplete_fields = ["authority", "region", "members"]
    ordering = ["name", "gss_code"]

    @admin.display(description="in force from", ordering="authority__valid_from")
    def in_force_from(self, board):
        return board.authority.valid_from

    @admin.display(description="in force to", ordering="authority__valid_to")
    def in_force_to(self, board):
        return board.authority.valid_to
