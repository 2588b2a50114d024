"""The insurance plugin's events: other plugins subscribe with ``@hookimpl``.

Each fires after the transaction that made the change has committed. A
policy here is one term (an ``insurance_policy`` row); ``transaction`` the
``insurance_transaction`` row the change wrote."""

from core.api import eventspec


@eventspec
def trellis_insurance_policy_issued(policy, transaction):
    """A term was issued: new business (term 1) or a renewal term."""


@eventspec
def trellis_insurance_policy_renewed(predecessor, successor):
    """``successor`` was issued as the next term of ``predecessor`` (now "renewed")."""


@eventspec
def trellis_insurance_policy_lapsed(policy, transaction):
    """A term in grace lapsed (失效): its arrears were not paid in time."""


@eventspec
def trellis_insurance_policy_reinstated(policy, transaction):
    """A lapsed term was put back in force (复效) within the window."""


@eventspec
def trellis_insurance_policy_cancelled(policy, transaction):
    """A term was cancelled (退保); ``transaction`` is None before issue."""


@eventspec
def trellis_insurance_payment_received(payment):
    """A premium payment was recorded (an ``insurance_payment`` row)."""


@eventspec
def trellis_insurance_claim_reported(claim):
    """A claim was reported (报案): by an agent, on the customer page or publicly."""


@eventspec
def trellis_insurance_claim_settled(claim):
    """A claim was paid (已赔付): ``claim.paid_amount`` on ``claim.paid_on``."""
