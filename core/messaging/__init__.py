"""Messages to customers and one-time codes — the kit that bookings,
reminders and (later) campaigns send through.

- :mod:`.outbox`: :func:`send_message` writes a ``message`` row in the
  caller's transaction; a job delivers it after the commit
- :mod:`.senders`: who delivers each channel (``trellis_message_senders``;
  core's SMTP and log senders)
- :mod:`.codes`: :func:`issue_code` and :func:`check_code`, six digits
  proving a visitor holds a phone or an address

``core.api`` re-exports what plugins use.
"""

from .codes import check_code, issue_code
from .outbox import DELIVER, MESSAGE_JOBS, deliver, resend_waiting, send_message, shown_body
from .senders import MessageSender, sender_for, senders

__all__ = [
    "DELIVER",
    "MESSAGE_JOBS",
    "MessageSender",
    "check_code",
    "deliver",
    "issue_code",
    "resend_waiting",
    "send_message",
    "sender_for",
    "senders",
    "shown_body",
]
