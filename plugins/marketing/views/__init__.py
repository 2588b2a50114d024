"""The plugin's web pages under ``/marketing``: one blueprint
(:data:`.blueprint.bp`), a module per area adding its routes to it.

- :mod:`.segments`: the segment list, a segment's page with its members,
  the form with its condition builder (:mod:`.builder` reads and draws the
  condition rows)
"""

from . import segments  # noqa: F401
from .blueprint import bp

__all__ = ["bp"]
