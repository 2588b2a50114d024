"""WSGI entry point for gunicorn: ``gunicorn core.wsgi:app``."""

from core import create_app

app = create_app()
