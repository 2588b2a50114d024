"""Trellis core: the kernel every plugin grows on.

The public entry points are :func:`create_app` (the Flask application factory)
and, for plugin authors, the :mod:`core.api` module.
"""

__version__ = "0.1.0"


def create_app(config: dict | None = None):
    """Build a Trellis Flask application; see :func:`core.app.create_app`."""
    from core.app import create_app as _create_app

    return _create_app(config)


__all__ = ["__version__", "create_app"]
