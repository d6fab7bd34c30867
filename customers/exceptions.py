from django.utils.translation import gettext as _

from crm_site.exceptions import Conflict, DomainError


class CustomerInvalid(DomainError):
    """A customer's data breaks a rule (ID number, phone, dates)."""


class CustomerMerged(Conflict):
    """The customer number names a profile merged into another (a tombstone): reads follow it, writes stop."""

    def __init__(self, *, customer_no: str, survivor_no: str):
        super().__init__(_("Customer %(old)s was merged into customer %(new)s; use %(new)s.")
                         % {"old": customer_no, "new": survivor_no})
        self.customer_no = customer_no
        self.survivor_no = survivor_no
