"""The JSON API's marshmallow schemas: what each resource answers
(``…Out``) and the query arguments it reads (``…Args``), a module per API
module. The inputs the services validate live with those services
(``services.orders.WorkOrderInput``, ``services.stock.UseLine`` …), since
the rules load them; the API documents its request bodies with them.
"""
