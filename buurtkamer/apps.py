from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class BuurtkamerConfig(AppConfig):
    name = "buurtkamer"
    verbose_name = _("Buurtkamer")

    def ready(self):
        from allauth.mfa.signals import authenticator_added
        from django.contrib.auth.signals import user_logged_in

        from .languages import speak_the_language_of_who_logged_in
        from .two_factor import remember_two_factor_on_activation

        user_logged_in.connect(
            speak_the_language_of_who_logged_in, dispatch_uid="buurtkamer-language-at-login"
        )

        authenticator_added.connect(
            remember_two_factor_on_activation, dispatch_uid="buurtkamer-two-factor-activation"
        )


class BuurtkamerAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the login of the rest of the site (buurtkamer.admin_site)."""

    default = False  # "buurtkamer" itself is BuurtkamerConfig

    default_site = "buurtkamer.admin_site.BuurtkamerAdminSite"
