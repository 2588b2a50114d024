"""Policies: :mod:`.queries` (the lists and a policy, through the access
rules). The life cycle (quote, bind, issue, endorse, cancel, renew) joins
this package."""
