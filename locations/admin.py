from django.contrib import admin

from buurtkamer.admin_site import ReadOnlyAdmin

from .models import Closure, Location, LogEntry, Membership, OpeningHours


class OpeningHoursInline(admin.TabularInline):
    """Looked at only: the opening hours are changed on the location's opening-hours page,
    through locations.services.set_opening_hours, which moves the regular shifts, bumps the
    opening-hours version (the tablets' day-parts follow it) and writes the audit trail."""

    model = OpeningHours
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name", "town", "municipality", "active"]
    list_filter = ["municipality", "active"]
    search_fields = ["name", "town"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OpeningHoursInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "location", "role", "pending", "started_at", "ended_at"]
    list_filter = ["location", "role"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    list_select_related = ["user", "location"]
    autocomplete_fields = ["user", "location"]


@admin.register(OpeningHours)
class OpeningHoursAdmin(ReadOnlyAdmin):
    """Looked at only, as OpeningHoursInline says."""

    list_display = ["location", "weekday", "day_part", "opens_at", "closes_at"]
    list_filter = ["location", "weekday", "day_part"]
    list_select_related = ["location"]


@admin.register(Closure)
class ClosureAdmin(ReadOnlyAdmin):
    list_display = ["location", "starts_on", "ends_on", "reason", "created_by"]
    list_filter = ["location"]
    search_fields = ["reason"]
    date_hierarchy = "starts_on"
    list_select_related = ["location", "created_by"]
    raw_id_fields = ["created_by"]

    # Read-only here: a closure is added and removed on the location's closures page, through
    # locations.services, which cancels and restores the activity dates in it.


@admin.register(LogEntry)
class LogEntryAdmin(admin.ModelAdmin):
    list_display = ["date", "location", "kind", "needs_follow_up", "closed_at", "author"]
    list_filter = ["location", "kind", "needs_follow_up", ("closed_at", admin.EmptyFieldListFilter)]
    search_fields = ["text", "closing_note"]
    date_hierarchy = "date"
    list_select_related = ["location", "author"]
    raw_id_fields = ["author", "closed_by"]
    readonly_fields = ["created_at"]
