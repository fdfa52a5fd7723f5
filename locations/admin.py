from django.contrib import admin

from buurtkamer.admin_site import ReadOnlyAdmin

from .models import Closure, Location, LogEntry, Membership, OpeningHours


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


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
class OpeningHoursAdmin(admin.ModelAdmin):
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
