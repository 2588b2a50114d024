"""Online registration (网上挂号): a patient books a clinic session's online
slot on the public page ``/his/book``, without an account, in their real
name — the national ID and the phone proven by a one-time code.

- :mod:`.inputs`: what the public form reads
- :mod:`.choices`: the departments, days and sessions with free online slots
- :mod:`.visitor`: who is booking — an existing patient (the phone must be
  theirs) or a new person, who becomes a patient on booking
- :mod:`.booking`: ask for a code, book with it, the cancel link
- :mod:`.notify`: the SMS to a patient whose session was stopped
"""

from .booking import (
    PURPOSE,
    Booked,
    book_online,
    booking_for_token,
    cancel_online,
    cancel_token,
    may_cancel,
    request_code,
)
from .choices import (
    DAYS_AHEAD,
    online_days,
    online_department,
    online_departments,
    online_session,
    online_sessions,
)
from .notify import notify_stopped
from .visitor import Visitor, identify

__all__ = [
    "DAYS_AHEAD",
    "PURPOSE",
    "Booked",
    "Visitor",
    "book_online",
    "booking_for_token",
    "cancel_online",
    "cancel_token",
    "identify",
    "may_cancel",
    "notify_stopped",
    "online_days",
    "online_department",
    "online_departments",
    "online_session",
    "online_sessions",
    "request_code",
]
