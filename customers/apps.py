from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from django.urls import register_converter

        from .converters import CustomerNoConverter

        register_converter(CustomerNoConverter, "customer_no")
