from django.contrib import admin

from .models import (
    Assignment,
    MemberRecord,
    Shift,
    ShiftTemplate,
    StatusChange,
    Training,
    VolunteerProfile,
)


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    fields = ["status", "since", "changed_by", "changed_at"]
    readonly_fields = ["changed_by", "changed_at"]


class TrainingInline(admin.TabularInline):
    model = Training
    extra = 0
    raw_id_fields = ["location"]


@admin.register(VolunteerProfile)
class VolunteerProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "phone", "anonymised_at"]
    list_filter = ["anonymised_at"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "phone"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    readonly_fields = ["anonymised_at"]
    inlines = [TrainingInline]


@admin.register(MemberRecord)
class MemberRecordAdmin(admin.ModelAdmin):
    list_display = ["membership", "status", "status_since", "vog_received_on", "buddy"]
    list_filter = ["status", "membership__location"]
    search_fields = ["membership__user__email", "membership__user__first_name"]
    list_select_related = ["membership__user", "membership__location", "buddy"]
    raw_id_fields = ["membership", "buddy"]
    inlines = [StatusChangeInline]


@admin.register(StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    list_display = ["record", "status", "since", "changed_by", "changed_at"]
    list_filter = ["status"]
    search_fields = ["record__membership__user__email", "record__membership__user__first_name"]
    list_select_related = ["record__membership__user", "record__membership__location", "changed_by"]
    raw_id_fields = ["record", "changed_by"]


@admin.register(Training)
class TrainingAdmin(admin.ModelAdmin):
    list_display = ["name", "profile", "location", "followed_on"]
    search_fields = ["name", "profile__user__email", "profile__user__first_name"]
    list_select_related = ["profile__user", "location"]
    raw_id_fields = ["profile", "location"]
    date_hierarchy = "followed_on"


@admin.register(ShiftTemplate)
class ShiftTemplateAdmin(admin.ModelAdmin):
    list_display = ["location", "weekday", "day_part", "task", "minimum", "maximum"]
    list_filter = ["location", "weekday", "day_part", "task"]
    list_select_related = ["location"]


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    fields = ["volunteer", "created_at", "cancelled_at", "cancelled_late", "attendance"]
    raw_id_fields = ["volunteer"]
    fk_name = "shift"


@admin.register(Shift)
class ShiftAdmin(admin.ModelAdmin):
    list_display = [
        "date",
        "day_part",
        "task",
        "location",
        "starts_at",
        "ends_at",
        "minimum",
        "maximum",
        "regular",
    ]
    list_filter = ["location", "task", "day_part", "regular"]
    list_select_related = ["location"]
    date_hierarchy = "date"
    inlines = [AssignmentInline]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = [
        "shift",
        "volunteer",
        "created_at",
        "cancelled_at",
        "cancelled_late",
        "attendance",
    ]
    list_filter = ["cancelled_late", "attendance", "shift__location"]
    search_fields = ["volunteer__email", "volunteer__first_name", "volunteer__last_name"]
    list_select_related = ["shift__location", "volunteer"]
    raw_id_fields = ["shift", "volunteer", "assigned_by", "cancelled_by"]
    date_hierarchy = "created_at"
