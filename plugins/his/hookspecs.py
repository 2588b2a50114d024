"""The hospital plugin's events: other plugins subscribe with ``@hookimpl``.

Each fires after the transaction that made the change has committed."""

from core.api import eventspec, hookspec


@eventspec
def trellis_his_patient_registered(patient):
    """A patient was registered: ``patient`` is the new ``his_patient`` row
    (its ``customer_id`` the customer of kind person it belongs to)."""


@eventspec
def trellis_his_booking_made(booking):
    """A registration (挂号) was made — at the desk, online or from the
    waitlist: ``booking`` is the ``his_booking`` row (its session, patient
    customer, slot, channel and number)."""


@eventspec
def trellis_his_visit_closed(visit):
    """A doctor closed (signed off) an outpatient visit (就诊): ``visit`` is
    the ``his_visit`` row, now ``closed`` with ``closed_at`` and
    ``closed_by_id``; its diagnoses are ``his_diagnosis`` rows of the visit
    (at least one, one primary). Billing or follow-up plugins start here."""


@eventspec
def trellis_his_payment_received(payment):
    """A cashier took a payment (收费): ``payment`` is the ``his_payment``
    row — its receipt ``number``, patient customer, ``total``, the insurance
    share ``covered``, its ``tenders`` (method and amount) and the
    ``charges`` it paid (each named by ``source`` and ``source_id``: a
    registration, a prescription …). The pharmacy may dispense from here."""


@hookspec(firstresult=True)
def trellis_his_coverage(customer_id, on, charges):
    """Called when a cashier takes a payment with an insurance tender, to
    learn what an insurer covers for patient ``customer_id`` (a customer id)
    on day ``on`` (a date) of ``charges`` (``his_charge`` rows, unpaid, each
    with ``category`` and ``amount``). Return ``{"payer": name, "amount":
    Decimal}`` — the insurer's name and the covered share, at most the sum of
    the charges — or ``None`` when no policy in force covers them. The first
    answer counts (an insurance plugin implements it; the hospital plugin
    never imports one)."""
