"""The JSON API's marshmallow schemas: what each resource answers
(``…Out``) and the query arguments and bodies only the API reads (``…Args``,
``…Input``), a module per API module. The inputs the services validate live
with those services (``services.deals.DealInput``, ``services.leads.LeadInput``
…), since the rules load them; the API documents its request bodies with them.
"""
