"""Demo data for a fresh install (`manage.py seed_demo`): three branches and their staff, the product
catalogue, customers with accounts and cards, twelve months of transactions on every channel, and a finished
campaign (campaign.py: through the campaigns services, with its open counter offers).

The same --seed gives the same people, numbers and transaction ids; dates are relative to now. Customers are
planned in blocks of BLOCK, each block with random streams of its own, so the first N customers are the same
whatever --customers says. A customer already in the database is left as it is, with its accounts, cards and
transactions; every row is keyed by its natural key (branch code, username, product code, customer_no,
account_no, card HMAC, channel + external_id) and inserted with ON CONFLICT DO NOTHING, so a second run adds
nothing. It all happens in one database transaction: an interrupted run leaves nothing behind for
`--if-empty` to mistake for demo data.

Rows go in with bulk_create and COPY because the per-row services would take minutes for 5,000 customers;
the rules those services enforce (ID check digit, region, birth date, phone numbers) are checked on the
generated values in demo/tests/test_seed_demo.py. Staff go through branches.services.staff_create.

Layout: seed.py runs it (demo_seed); reference.py holds the fixed tables (branches, products, names, merchants);
plan.py plans the customers block by block with people.py (customers, consents), accounts.py (accounts, cards)
and transactions.py; load.py writes a plan (bulk_create, COPY); staff.py the branches' staff and the products;
logins.py the demo logins file; campaign.py the finished WM-GREEN campaign.
"""

from .accounts import luhn_complete
from .load import _ids, _staging_copy, _staging_create, _staging_insert
from .logins import NOT_KNOWN, DemoLogin, logins_path
from .people import customer_number
from .plan import BLOCK, DemoPlan, demo_plan, demo_plan_blocks
from .reference import BRANCHES, COMPOUND_SURNAMES
from .seed import DemoSeedResult, demo_seed

__all__ = (
    "BLOCK",
    "BRANCHES",
    "COMPOUND_SURNAMES",
    "NOT_KNOWN",
    "DemoLogin",
    "DemoPlan",
    "DemoSeedResult",
    "_ids",  # _ids and _staging_*: for demo/tests/test_seed_demo.py
    "_staging_copy",
    "_staging_create",
    "_staging_insert",
    "customer_number",
    "demo_plan",
    "demo_plan_blocks",
    "demo_seed",
    "logins_path",
    "luhn_complete",
)
