"""One interface for every channel (base.Backend); settings.CAMPAIGN_BACKENDS picks the class per channel."""

from .base import Addressee, Backend, ExternalBackend, OutgoingMessage, TransactionalBackend, backend_for

__all__ = ["Addressee", "Backend", "ExternalBackend", "OutgoingMessage", "TransactionalBackend", "backend_for"]
