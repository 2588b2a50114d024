"""Contracts (合同): the rules in one place, a module per concern.

- :mod:`.editing`: create (by hand, from a deal, from an accepted quote),
  number, edit a draft — :func:`create_contract`, :func:`contract_from_quote`
- :mod:`.approvals`: the ``sales.contract`` approvable; draft → pending →
  approved (or back to draft)
- :mod:`.lifecycle`: sign, start, complete, terminate
- :mod:`.amendments`: the one way a signed contract changes
- :mod:`.expiry`: the "contract expiring" follow-up rule and renewals
- :mod:`.records`: merge, transfer and purge of every sales money record
- :mod:`.attachments`: the signed scan and annexes (core's attachments kit)
"""

from .editing import contract_from_quote, create_contract, update_contract

__all__ = ["contract_from_quote", "create_contract", "update_contract"]
