"""The hospital plugin's events: other plugins subscribe with ``@hookimpl``.

Each event fires after the transaction that made the change has committed;
the two questions (``trellis_his_coverage``, ``trellis_his_payment_taken``)
are asked inside the payment's transaction."""

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


@eventspec
def trellis_his_refund_paid(refund, charges):
    """A cashier paid out an approved refund (退费): ``refund`` is the
    ``his_refund`` row, now ``refunded`` (its ``payment``, the receipt it
    gives back from, ``customer_id``, ``amount`` and ``reason``);
    ``charges`` the ``his_charge`` rows it gave back whole (each with
    ``category`` and ``amount``; empty for a refund of an amount). An
    insurer gives back what its share paid of them here."""


@eventspec
def trellis_his_patient_admitted(admission):
    """A patient was admitted (入院): ``admission`` is the ``his_admission``
    row — its patient customer, department, ward, bed (maybe none yet),
    attending doctor, admitting diagnosis (ICD-10) and ``admitted_at``."""


@eventspec
def trellis_his_patient_discharged(admission):
    """A patient was discharged (出院): ``admission`` is the
    ``his_admission`` row, now ``discharged`` with ``discharged_at``, the
    discharge diagnosis and note, and ``followup_plan_id`` — the
    post-discharge follow-up plan (day 7 and day 30) it started."""


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


@hookspec
def trellis_his_payment_taken(payment):
    """Called inside the transaction of every payment a cashier takes, once
    its tenders are written and its charges marked paid, before it commits:
    ``payment`` as in ``trellis_his_payment_received``. An insurer records
    the share it paid here (e.g. as a claim), so the payment and the cover
    it used commit together, and a second payment asking
    ``trellis_his_coverage`` after this one sees the cover used. Raising
    refuses the payment, nothing written. The return value is ignored."""
