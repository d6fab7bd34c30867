"""The customer admin: profiles (edited through the services), their records, duplicates and merges.

Floors above add their own inlines to the customer page with `customer_inlines_add` (accounts and
cards come from accounts.admin), so this floor imports nothing from them.
"""

from .customer import CustomerAdmin, customer_inlines_add
from .records import ConsentRecordAdmin, CustomerAccessLogAdmin, CustomerMergeAdmin, InteractionAdmin
from .scope import CustomerScopedAdminMixin

__all__ = ["ConsentRecordAdmin", "CustomerAccessLogAdmin", "CustomerAdmin", "CustomerMergeAdmin",
           "CustomerScopedAdminMixin", "InteractionAdmin", "customer_inlines_add"]
