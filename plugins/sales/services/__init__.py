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
"""
