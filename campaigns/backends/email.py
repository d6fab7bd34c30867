"""EMAIL through Django's configured email backend (console/file in dev, SMTP in production,
locmem in tests): a text and an HTML part, and the RFC 8058 one-click unsubscribe headers."""

from __future__ import annotations

import contextlib
import datetime as dt
import smtplib
import socket

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from ..exceptions import PermanentSendError, TransientSendError
from .base import ExternalBackend, OutgoingMessage

TRANSIENT = (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, smtplib.SMTPHeloError,
             smtplib.SMTPDataError, socket.timeout, ConnectionError, TimeoutError)
PERMANENT = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused)


class EmailBackend(ExternalBackend):

    def __init__(self):
        self.connection = None

    def open(self) -> None:
        self.connection = get_connection(fail_silently=False)
        try:
            self.connection.open()
        except TRANSIENT as exc:
            raise TransientSendError(str(exc)) from exc

    def close(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(Exception):  # a failed QUIT loses nothing already handed over
                self.connection.close()
            self.connection = None

    def send_one(self, message: OutgoingMessage, *, now: dt.datetime) -> None:
        address = message.customer.email
        if not address:
            raise PermanentSendError("no email address")
        headers = {
            "X-Campaign-Recipient": str(message.recipient_id),  # idempotency key for the relay
            "Message-ID": f"<campaign-{message.campaign_id}-recipient-{message.recipient_id}@"
                          f"{settings.DEFAULT_FROM_EMAIL.rpartition('@')[2].strip('> ') or 'crm'}>",
        }
        if message.unsubscribe_url:
            headers["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        email = EmailMultiAlternatives(subject=message.rendered.subject, body=message.rendered.text,
                                       to=[address], headers=headers, connection=self.connection)
        if message.rendered.html:
            email.attach_alternative(message.rendered.html, "text/html")
        try:
            email.send()
        except PERMANENT as exc:
            raise PermanentSendError(str(exc)[:200]) from exc
        except TRANSIENT as exc:
            raise TransientSendError(str(exc)[:200]) from exc
