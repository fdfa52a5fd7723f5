from django.contrib import admin

from buurtkamer.admin_site import NamedInEachLanguageAdmin

from .models import Activity, Category, Occurrence, Partner, Room


@admin.register(Category)
class CategoryAdmin(NamedInEachLanguageAdmin):
    pass


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["name", "location", "active"]
    list_filter = ["location", "active"]
    list_select_related = ["location"]


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "contact_person", "phone", "email"]
    list_filter = ["kind", "locations"]
    search_fields = ["name", "contact_person", "email"]
    filter_horizontal = ["locations"]


class OccurrenceInline(admin.TabularInline):
    model = Occurrence
    extra = 0
    fields = ["date", "starts_at", "ends_at", "room", "status", "cancel_reason", "attendance"]
    raw_id_fields = ["room"]
    show_change_link = True


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["title", "location", "category", "recurrence", "starts_on", "ends_on"]
    list_filter = ["location", "category", "recurrence"]
    search_fields = ["title", "description"]
    list_select_related = ["location", "category"]
    filter_horizontal = ["partners", "organisers"]
    raw_id_fields = ["room"]


@admin.register(Occurrence)
class OccurrenceAdmin(admin.ModelAdmin):
    list_display = ["activity", "date", "starts_at", "ends_at", "status", "attendance"]
    list_filter = ["status", "activity__location"]
    date_hierarchy = "date"
    search_fields = ["activity__title"]
    list_select_related = ["activity__location"]
    raw_id_fields = ["activity", "room", "support_shift"]
