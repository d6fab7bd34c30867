from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = _("Campaigns")

    def ready(self) -> None:
        # campaign history loads like master data: the registry of kinds is on a lower floor (accounts)
        from accounts.imports import ImportKind, import_kind_register

        from . import checks  # noqa: F401  registers the deployment checks
        from .imports import SPEC, campaign_responses_import

        import_kind_register(ImportKind("campaign_responses", _("Campaign history (responses)"), SPEC,
                                        campaign_responses_import,
                                        ("campaigns.add_contactresponse", "campaigns.change_contactresponse")))
