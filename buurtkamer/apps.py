from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class BuurtkamerConfig(AppConfig):
    name = "buurtkamer"
    verbose_name = _("Buurtkamer")

    def ready(self):
        from allauth.mfa.signals import authenticator_added

        from .two_factor import remember_two_factor_on_activation

        authenticator_added.connect(
            remember_two_factor_on_activation, dispatch_uid="buurtkamer-two-factor-activation"
        )


class BuurtkamerAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the login of the rest of the site (buurtkamer.admin_site)."""

    default = False  # "buurtkamer" itself is BuurtkamerConfig

    default_site = "buurtkamer.admin_site.BuurtkamerAdminSite"
