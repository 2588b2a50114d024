"""Receivable plans (回款计划) and payments (回款): a contract's instalments,
the money collected against them, and the collection list of what is overdue.

- :mod:`.plans`: a contract's plan — :func:`~.plans.set_plan` replaces it,
  :func:`~.plans.even_plan` spreads an amount over N instalments
- :mod:`.payments`: recording a payment (approved at once, or waiting for
  the ``sales.payment`` approval), confirming it into the sums, reversing it
- :mod:`.collections`: the collection list and the daily job that gives
  each overdue instalment one follow-up task

The sums (``Instalment.collected``/``settled_on``, ``Contract.collected``)
count confirmed payments only and move in the transaction that confirms or
reverses one.
"""
