from django.contrib import admin

from buurtkamer.admin_site import LookOnlyAdmin, NamedInEachLanguageAdmin, ReadOnlyAdmin

from .models import CameVia, ManualTally, Referral, ReferralTarget, Tablet, Visit


@admin.register(CameVia, ReferralTarget)
class ChoiceListAdmin(NamedInEachLanguageAdmin):
    pass


@admin.register(Tablet)
class TabletAdmin(admin.ModelAdmin):
    list_display = ["name", "location", "paired_at", "last_seen_at", "revoked_at"]
    list_filter = ["location"]
    list_select_related = ["location"]
    # Pairing and revoking happen on the site, with an audit trail; here a tablet is renamed.
    readonly_fields = [
        "location",
        "language",  # changed on the tablets page, audited
        "token_hash",
        "paired_by",
        "paired_at",
        "last_seen_at",
        "revoked_at",
        "revoked_by",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdmin):
    """Visits are recorded on the tablet or by a tally; here they are only looked at."""

    list_display = [
        "recorded_at",
        "location",
        "day_part",
        "first_visit",
        "age_band",
        "source",
        "voided_at",
    ]
    list_filter = ["location", "source", "day_part", "first_visit", "recorded_on"]
    list_select_related = ["location"]
    date_hierarchy = "recorded_on"
    show_full_result_count = False


@admin.register(ManualTally)
class ManualTallyAdmin(LookOnlyAdmin):
    list_display = ["date", "day_part", "location", "visitors", "first_visits", "voided_at"]
    list_filter = ["location", "day_part"]
    list_select_related = ["location"]


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    list_display = ["date", "location", "target"]
    list_filter = ["location", "target"]
    list_select_related = ["location", "target"]
