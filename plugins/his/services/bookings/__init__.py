"""Registration (挂号): booking a slot at the desk or online, the state
machine of a booking, check-in and the queue, the waitlist, no-shows.

- :mod:`.states`: the booking's state table
- :mod:`.rules`: settings, the clock, masked names
- :mod:`.access`: who sees which bookings (404 otherwise)
- :mod:`.booking`: book a slot (quota per channel, one per patient and day)
- :mod:`.moves`: check in, call, seen, cancel, no-show; the dispatcher
- :mod:`.waitlist`: join, leave, fill a freed slot
- :mod:`.queue`: call next, the doctor's queue, the queue board
- :mod:`.noshow`: the nightly no-show job and the suspension
"""

from .access import visible_booking, visible_bookings, visible_department
from .booking import book, channel_range, free_slot
from .moves import actions_for, call, cancel, check_in, no_show, recall, seen, transition
from .noshow import NoShowRun, mark_no_shows, run_no_show_job
from .queue import Board, BoardRow, board, call_next, my_queue
from .rules import cancel_deadline, masked_name, period_start
from .states import BOOKING, BOOKING_ACTION_LABELS, BOOKING_STATE_LABELS
from .waitlist import fill_slot, get_entry, join_waitlist, leave_waitlist, waiting

__all__ = [
    "BOOKING",
    "BOOKING_ACTION_LABELS",
    "BOOKING_STATE_LABELS",
    "Board",
    "BoardRow",
    "NoShowRun",
    "actions_for",
    "board",
    "book",
    "call",
    "call_next",
    "cancel",
    "cancel_deadline",
    "channel_range",
    "check_in",
    "fill_slot",
    "free_slot",
    "get_entry",
    "join_waitlist",
    "leave_waitlist",
    "mark_no_shows",
    "masked_name",
    "my_queue",
    "no_show",
    "period_start",
    "recall",
    "run_no_show_job",
    "seen",
    "transition",
    "visible_booking",
    "visible_bookings",
    "visible_department",
    "waiting",
]
