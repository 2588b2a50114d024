"""Quotes (报价单): what a deal's products cost a customer, revised, sent,
accepted or rejected — the rules in one package, split by concern.

- :mod:`.pricing`: a line's and a quote's totals, exact to the cent
- :mod:`.lines`: a quote's lines read from the input (products, free lines)
- :mod:`.editing`: create (from a deal's lines or given lines), edit a
  draft, revise (a new row, the old one superseded)
- :mod:`.lifecycle`: send, accept (with a contract), reject, expire (daily)
- :mod:`.approval`: quotes declared to core's approval engine; a discount
  past a flow's threshold is approved before the quote is sent
- :mod:`.pdf`: the printed quote (HTML template → PDF)
"""
