from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TellerConfig(AppConfig):
    name = "teller"
    verbose_name = _("Teller")
