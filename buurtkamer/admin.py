import allauth.mfa.admin  # noqa: F401 - registers Authenticator, replaced below
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from locations.models import Membership

from .admin_site import LookOnlyAdmin, ReadOnlyAdmin
from .models import AuditEvent, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["location"]


class UserCreationAdminForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email"]


class UserChangeAdminForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_aanzet_staff", "is_admin", "is_active"]
    list_filter = ["is_aanzet_staff", "is_admin", "is_superuser", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Persoonlijke gegevens"), {"fields": ["first_name", "last_name", "language"]}),
        (
            _("Rechten"),
            {
                "fields": [
                    "is_active",
                    "is_aanzet_staff",
                    "is_admin",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                ]
            },
        ),
        (_("Datums"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {"classes": ["wide"], "fields": ["email", "usable_password", "password1", "password2"]},
        ),
    ]
    filter_horizontal = ["groups", "user_permissions"]

    def get_inlines(self, request, obj):
        """Memberships are added once the person exists."""
        return self.inlines if obj is not None else []


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The audit trail is looked at only: not even an administrator deletes what happened."""

    list_display = ["at", "action", "actor", "location", "subject"]
    list_filter = ["action", "location"]
    search_fields = ["subject", "actor__email"]
    list_select_related = ["actor", "location"]
    readonly_fields = ["at", "actor", "action", "location", "subject", "details"]


admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(LookOnlyAdmin):
    """Who has which two-step method, never its secret (`data` is left out everywhere).

    Nothing can be added or changed here; deleting one (a lost phone) sends a staff member to
    set up the authenticator app again at their next page.
    """

    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type", "created_at", "last_used_at"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    fields = ["user", "type", "created_at", "last_used_at"]
    readonly_fields = fields
