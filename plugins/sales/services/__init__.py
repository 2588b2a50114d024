"""The sales plugin's business rules, one module per concern; the API, the
web pages, the hooks and the demo call these, never the other way round.

Layers, each importing only those below it (no cycles):

- :mod:`.validation` (field types and validators the inputs share),
  :mod:`.access` (who sees which deals and leads)
- :mod:`.pipelines`, :mod:`.deals` (create, edit, move through the stages),
  :mod:`.lead_activities`, :mod:`.products` (and a deal's lines),
  :mod:`.followups` (revisits by customer grade), :mod:`.report_cells` (the
  deals added up in advance, kept in the deals' transaction)
- :mod:`.leads` (capture, assignment, conversion) → :mod:`.deals`;
  :mod:`.targets`; :mod:`.reports` (funnel, forecast) → :mod:`.report_cells`;
  :mod:`.recycle` (the pool condition, purges) → :mod:`.report_cells`
- :mod:`.commission` → :mod:`.targets`; :mod:`.kpis` (account-manager KPIs)
  → :mod:`.reports`; :mod:`.approvals` (deals declared to core's approval
  engine, submitted and read back) → :mod:`.access`
- :mod:`.quotes` (a package: prices to the cent, create from a deal's lines,
  edit a draft, revise, send once approved (``sales.quote``), accept with a
  contract (→ :mod:`.contracts`, called in the acceptance's transaction),
  reject, the daily expiry, the PDF) → :mod:`.products`, :mod:`.access`,
  :mod:`.validation`
- :mod:`.contracts` (a package: create and number, approval, sign → active
  → completed or terminated, amendments, the expiry rule and renewals, and
  merge/transfer/purge of every sales money record) → :mod:`.deals`,
  :mod:`.access`; :mod:`.recycle` → :mod:`.contracts`
- :mod:`.receivables` (a package: a contract's receivable plan, payments
  recorded, approved (``sales.payment``), confirmed and reversed keeping
  ``Instalment.collected`` and ``Contract.collected``, the collection list
  and its daily overdue tasks) → :mod:`.access`, :mod:`.validation`
- :mod:`.invoices` (a package: the customer's billing details, invoices
  requested, issued and cancelled keeping ``Contract.invoiced``, invoiced vs
  collected vs contracted per contract) → :mod:`.access`, :mod:`.validation`
- :mod:`.money_reports` (a package: aging, overdue, collection rate and DSO,
  contracted vs collected, quote conversion, approval turnaround; the one
  definition of collected money) → :mod:`.access`; :mod:`.targets` (by
  measure: won, contracted, collected) → :mod:`.money_reports`;
  :mod:`.commission` (:mod:`.commission_input` the rules' fields,
  :mod:`.commission_collected` the statement's collected money and
  clawbacks) → :mod:`.targets`, :mod:`.money_reports`
"""
