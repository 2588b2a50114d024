"""The plugin's web pages under ``/his``: one blueprint
(:data:`.blueprint.bp`), a module per area adding its routes to it.

- :mod:`.visits`: the visits list and the customer page's Visits tab
- :mod:`.patients`: the patients list, registration, the customer page's
  Medical record tab, the record's edit and the death form
- :mod:`.clinic`: departments, the week schedule, planning, a session's page
- :mod:`.bookings`: the desk's Registration page, the slip, a department's day
- :mod:`.queue`: the queue board, the doctor's My queue
"""

# their routes join the blueprint in this order
from . import visits  # noqa: F401  # isort: skip
from . import patients  # noqa: F401  # isort: skip
from . import clinic  # noqa: F401  # isort: skip
from . import bookings  # noqa: F401  # isort: skip
from . import queue  # noqa: F401  # isort: skip
from .blueprint import bp
from .visits import LIST_SIZE, patient_visits_query

__all__ = ["LIST_SIZE", "bp", "patient_visits_query"]
