"""The plugin's JSON API under ``/api/v1/his``: one blueprint
(:data:`.blueprint.bp`), a module per resource adding its routes to it.

- :mod:`.patients`: patients — register, find, read, edit, record a death
- :mod:`.bookings`: registrations (挂号), check-ins, the queue board, the waitlist
- :mod:`.clinic`: departments, clinic sessions, their slots; stopping a session
"""

# their routes join the blueprint in this order, which the OpenAPI document follows
from . import patients  # noqa: F401  # isort: skip
from . import bookings  # noqa: F401  # isort: skip
from . import clinic  # noqa: F401  # isort: skip
from .blueprint import bp

__all__ = ["bp"]
