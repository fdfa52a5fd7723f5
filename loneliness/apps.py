from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LonelinessConfig(AppConfig):
    name = "loneliness"
    verbose_name = _("Eenzaamheid")
