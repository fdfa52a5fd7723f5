from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BuurtkamerConfig(AppConfig):
    name = "buurtkamer"
    verbose_name = _("Buurtkamer")
