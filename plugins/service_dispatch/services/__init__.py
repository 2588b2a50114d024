"""The plugin's business rules, one module per concern; the API and the web
pages call these, never the other way round.

Layers, each importing only those below it (no cycles):

- :mod:`.validation` (field types and validators the inputs share),
  :mod:`.access` (who sees which orders), :mod:`.business_hours`
- :mod:`.dispatch`, :mod:`.parts` → :mod:`.stock`, :mod:`.attachments`, :mod:`.sla`
- :mod:`.lifecycle` (the state machine; takes parts out of stock on completion)
- :mod:`.entitlement` → :mod:`.orders` (opening and editing an order),
  :mod:`.schedule`, :mod:`.revisits`, :mod:`.reports` → :mod:`.watchlist`
- :mod:`.public` (requests customers file themselves)
"""
