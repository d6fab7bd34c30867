from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PropensityConfig(AppConfig):
    name = "propensity"
    verbose_name = _("Next-best offer")

    def ready(self) -> None:
        # the audience builder is a floor below: the `propensity` key plugs into its registry
        from . import audience

        audience.register()
