from crm_site.exceptions import DomainError


class CustomerInvalid(DomainError):
    """A customer's data breaks a rule (ID number, phone, dates)."""
