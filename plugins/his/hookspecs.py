"""The hospital plugin's events: other plugins subscribe with ``@hookimpl``.

Each fires after the transaction that made the change has committed."""

from core.api import eventspec


@eventspec
def trellis_his_patient_registered(patient):
    """A patient was registered: ``patient`` is the new ``his_patient`` row
    (its ``customer_id`` the customer of kind person it belongs to)."""


@eventspec
def trellis_his_booking_made(booking):
    """A registration (挂号) was made — at the desk, online or from the
    waitlist: ``booking`` is the ``his_booking`` row (its session, patient
    customer, slot, channel and number)."""
