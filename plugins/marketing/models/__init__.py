"""The plugin's tables, a module per aggregate."""

from .segment import Segment

__all__ = ["Segment"]
