"""Outpatient cover (门诊): what a health policy pays of a hospital bill.

A hospital plugin asks ``trellis_his_coverage(customer_id, on, charges)``
when its cashier takes an insurance share, tells of the payment inside its
transaction with ``trellis_his_payment_taken`` and of a refund paid out
with ``trellis_his_refund_paid``; the insurance plugin answers them with
``@hookimpl(optionalhook=True)``, so it loads without a hospital plugin and
never imports one (a charge is read by its ``category``, ``amount`` and
``currency``; a payment by its ``id``, ``number``, ``customer_id``,
``paid_at``, ``cashier``, ``charges``, ``tenders``, ``total`` and
``refunded``; a refund by its ``payment``, ``customer_id``, ``amount`` and
``reason``).

**Which policy.** A term of a ``health`` product with outpatient terms
(``outpatient_copay_percent`` set), in the charges' currency, covering the
day ``on`` (``start_date ≤ on ≤ end_date``), held by the patient
(policyholder) or insuring them (an insured person who is the patient's
customer record), in force *or in grace*: a term in grace still covers —
its premium is late, not refused — until it lapses; lapsed, cancelled,
expired and renewed terms, quotes and deleted terms do not. Of several, the
one paying most (then the earliest term).

**What it pays** (:mod:`.share`). Of the charges in the covered categories
(the eligible amount), less what is left of the patient's deductible this
policy year, the insurer's part (100 − co-payment) %, half-up to the cent,
capped by what is left of the patient's limit this year. The deductible
and the limit are each insured person's: the policyholder's own bills and
each insured family member's are counted apart. A policy year is the
term's twelve months from its start (or from the anniversary of it, for a
longer term).

**What it remembers** (:mod:`.record`). Each outpatient payment the policy
answers for becomes a claim of the term (``cause`` "outpatient", ``source``
"his_payment" and the payment's id; channel ``customer``; its ``insured_id``
the patient's insured row, none for the policyholder insured by no row):
reported and paid at once for the share the cashier took, in the payment's
own transaction, so the claims lists, the policy's page and the loss ratio
show it and the next payment sees it used. Its ``claimed_amount`` is the
eligible amount, its ``paid_amount`` the share: the patient's deductible
used this year is the sum of their claimed amounts (up to the deductible),
the limit used the sum paid. A bill wholly within the deductible gets no
share (the cashier cannot take one), yet it fills the deductible: it is
recorded as a claim that paid nothing, closed at once. A patient who could
have had a share and paid it all themselves made no claim, and nothing is
recorded.

**Two payments at once.** The cashier's question locks the covering terms'
rows (:func:`.share.lock`) until the payment commits with its claim, so a
second payment for a patient of the same term waits and is then answered
from what is left. On SQLite, one writer at a time does the same: a second
payment whose reading is stale is refused by SQLite, never paid twice.

**Refunds** (:mod:`.refunds`). A refund paid out at the hospital takes the
refunded covered charges off the claim and works its share out again: the
insurer's overpayment comes back, and the deductible and limit with it."""

from .record import record_outpatient_claim
from .refunds import give_back
from .share import outpatient_coverage, policy_year

__all__ = ["give_back", "outpatient_coverage", "policy_year", "record_outpatient_claim"]
