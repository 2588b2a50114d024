"""Invoices (发票) and the customer's billing details (开票信息).

- :mod:`.billing`: a customer's billing details, read and saved by whoever
  may see and edit the customer; the taxpayer number checked as China's
  unified social credit code on a Chinese instance
- :mod:`.invoices`: an invoice requested against a signed contract, issued
  by finance with the tax system's number (which keeps ``Contract.invoiced``),
  or cancelled
- :mod:`.summary`: contracted, invoiced and collected side by side, per
  contract and for a list of contracts
"""
