"""Rounds are planned on the site (audited, version-checked): in the admin they are read-only.
The answers are not in the admin at all: nobody looks at one person's questionnaire."""

from django.contrib import admin

from .models import Round


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ["name", "starts_on", "ends_on"]
    readonly_fields = ["name", "starts_on", "ends_on", "locations", "created_by", "version"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
