"""E-mail campaigns, a module per concern:

- :mod:`.merge`: the merge fields a template may name, checked and filled in
- :mod:`.templates`: the template library
- :mod:`.lifecycle`: campaigns saved, test-sent, scheduled, started, paused
- :mod:`.recipients`: who a campaign goes to (scope, consent, suppression)
- :mod:`.sending`: the worker's runs — claims, batches, rate, resuming
- :mod:`.links`: unsubscribe, open and click links in each e-mail
- :mod:`.tracking`: what a recipient does with them
- :mod:`.results`: a campaign's figures and its recipient list
"""
