"""The sales plugin's events: other plugins subscribe with ``@hookimpl``.

Each fires after the transaction that made the change has committed.
"""

from core.api import eventspec


@eventspec
def trellis_sales_deal_created(deal):
    """A deal was created. ``deal`` is the new ``sales_deal`` row."""


@eventspec
def trellis_sales_deal_stage_changed(deal, from_stage, to_stage):
    """A deal moved from ``from_stage`` to ``to_stage`` (both ``sales_stage`` rows)."""


@eventspec
def trellis_sales_deal_won(deal):
    """A deal reached its pipeline's won stage (after ``deal_stage_changed``)."""


@eventspec
def trellis_sales_deal_lost(deal):
    """A deal reached its pipeline's lost stage; ``deal.lost_reason`` says why."""


@eventspec
def trellis_sales_lead_created(lead):
    """A lead was captured (API, web form, CSV import or by hand) and assigned."""


@eventspec
def trellis_sales_lead_converted(lead, customer, deal):
    """A lead became ``customer`` (new or existing) with a contact; ``deal`` is
    the deal opened with it, or ``None``."""


@eventspec
def trellis_sales_contract_signed(contract):
    """A contract was signed (``signed_date``, ``contact_id`` the signatory);
    ``contract`` is the ``sales_contract`` row, status "signed"."""


@eventspec
def trellis_sales_quote_accepted(quote):
    """The customer accepted ``quote`` (a ``sales_quote`` row, status
    "accepted", ``decided_at`` set); when it was accepted with a contract,
    the contract made from it is committed too."""


@eventspec
def trellis_sales_payment_received(payment):
    """A payment (回款) was confirmed — at once, or when its approval was
    granted — and now counts: ``payment`` is the ``sales_payment`` row,
    status "confirmed"; its instalment's and contract's ``collected``
    include it."""
