from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from locations.views import accept_invitation

from . import audit, views

admin.site.site_header = _("Buurtkamer beheer")
admin.site.site_title = _("Buurtkamer beheer")
admin.site.index_title = _("Beheer")

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path("audit/", audit.audit_log, name="audit-log"),
    # Before allauth's: its page for adding e-mail addresses is switched off.
    path("accounts/email/", views.email_addresses_closed, name="account-email-closed"),
    path("accounts/", include("allauth.urls")),
    path("uitnodiging/<uidb64>/<token>/", accept_invitation, name="accept-invitation"),
    path("locaties/", include("locations.urls")),
    path("", include("visitors.urls")),
    path("", include("volunteers.urls")),
    path("", include("activities.urls")),
    path("", include("loneliness.urls")),
    # The footer's language switch (Django's view, and the person's stored language).
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("admin/", admin.site.urls),
]
