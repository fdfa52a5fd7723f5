from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from modeltranslation.admin import TranslationAdmin

from .translated import NAME_FIELDS, label_name_fields


class BuurtkamerAdminSite(admin.AdminSite):
    """The admin without a login form of its own.

    Its login page (where the admin sends everyone who is not logged in) hands over to the
    site's login (allauth) with `next` kept, for GET and POST alike: the same rate limits, and
    the code from the authenticator app. A password posted to /admin/login/ is never looked at.
    """

    @method_decorator(never_cache)
    def login(self, request, extra_context=None):
        next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = reverse("admin:index", current_app=self.name)
        if request.user.is_authenticated:
            if self.has_permission(request):
                return HttpResponseRedirect(next_url)
            # Logged in, but not an administrator: the site's login would send them back here.
            raise PermissionDenied
        return redirect_to_login(next_url, reverse("account_login"))


class LookOnlyAdmin(admin.ModelAdmin):
    """An admin page to look at records that are only written on the site, through a service
    with an audit trail: nothing can be added or changed here (deleting stays, unless a subclass
    says otherwise)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(LookOnlyAdmin):
    """Looked at only: not even deleted here."""

    def has_delete_permission(self, request, obj=None):
        return False


class NamedInEachLanguageAdmin(TranslationAdmin):
    """An editable list whose entries have a name per language (buurtkamer/translated.py): the
    Dutch name required, the English and Frisian ones optional, with the site's labels."""

    list_display = ["name", "position", "active"]
    list_editable = ["position", "active"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and db_field.name in NAME_FIELDS:
            label_name_fields({db_field.name: field})
        return field
