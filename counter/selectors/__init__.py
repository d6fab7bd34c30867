"""Reads of the counter service, by topic, each importing only those above it in this list:

- `tickets`: who the identifier offered at the kiosk names, the branch's routing rules, the queue, the wait;
- `counters`: the user's branch and counter, the ticket at it, the branch a page of one branch shows;
- `lobby`: the staff's lobby board and the public display (ticket numbers only);
- `stats`: a branch's day of tickets, waits and service times.
"""

from .counters import (
    counter_get,
    counter_of_teller,
    counters_for_branch,
    profile_url,
    staff_branch_id,
    ticket_at_counter,
    ticket_get_for_counter_work,
)
from .lobby import (
    display_board,
    display_branch,
    lobby_board,
    lobby_branch,
    lobby_customers_unlogged,
)
from .stats import counter_stats, stats_branch
from .tickets import (
    IDENTIFIER_MAX_LENGTH,
    Recognition,
    counter_settings_for,
    customer_recognise,
    kiosk_branch_rules,
    queue_for,
    ticket_number_clean,
    ticket_wait,
    today,
)

__all__ = [
    "IDENTIFIER_MAX_LENGTH", "Recognition", "counter_get", "counter_of_teller", "counter_settings_for",
    "counter_stats", "counters_for_branch", "customer_recognise", "display_board", "display_branch",
    "kiosk_branch_rules", "lobby_board", "lobby_branch", "lobby_customers_unlogged", "profile_url", "queue_for",
    "staff_branch_id", "stats_branch", "ticket_at_counter", "ticket_get_for_counter_work", "ticket_number_clean",
    "ticket_wait", "today",
]
