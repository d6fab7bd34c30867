"""The path converter for a customer number: `<customer_no:customer_no>` in every URL that names a profile.

A number longer than the column cannot exist, so such an address does not resolve: 404 before any view runs,
with no query. NUL is left to crm_site.middleware.BadInputMiddleware, which answers every URL part holding one
with a 404 that says so. Registered in CustomersConfig.ready(), before any URLconf is read.
"""

from __future__ import annotations

from .models import CUSTOMER_NO_MAX_LENGTH


class CustomerNoConverter:
    # the bank's CIF numbers have no fixed shape (DESIGN §5 takes them as the channel systems send them)
    regex = f"[^/]{{1,{CUSTOMER_NO_MAX_LENGTH}}}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
