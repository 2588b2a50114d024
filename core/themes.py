"""Themes: ``themes/<name>/theme.toml`` + ``templates/`` + ``static/``.

Every request renders with one theme: the user's own choice, else the site
theme an admin picked (a :class:`SiteSetting`), else ``TRELLIS_THEME``.
Templates are looked up in that theme, then in the plugins, then in core, so
a theme may restyle any page, a plugin's included.

Each theme has its own Jinja loader; Jinja caches compiled templates per
loader, so two users on two themes never get each other's pages.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import jinja2
from flask import Flask, current_app, g, has_request_context
from flask.templating import Environment
from flask_login import current_user
from sqlalchemy import select

from core.errors import ConfigError
from core.extensions import db
from core.models import SiteSetting

THEMES_DIR = Path(__file__).resolve().parent.parent / "themes"


@dataclass(frozen=True)
class Theme:
    name: str
    title: str
    description: str
    path: Path
    titles: dict[str, str]


def theme_title(theme: Theme) -> str:
    """The theme's ``title_<locale>`` for the user's locale, else its ``title``."""
    from flask_babel import get_locale

    return theme.titles.get(str(get_locale()), theme.title)


def available_themes(themes_dir: Path = THEMES_DIR) -> dict[str, Theme]:
    """Every folder of ``themes_dir`` with a ``theme.toml``, by name."""
    found = {}
    for toml in sorted(themes_dir.glob("*/theme.toml")):
        meta = tomllib.loads(toml.read_text(encoding="utf-8"))
        found[toml.parent.name] = Theme(
            toml.parent.name, meta.get("title", toml.parent.name), meta.get("description", ""),
            toml.parent, {k[6:]: v for k, v in meta.items() if k.startswith("title_")})
    return found


class ThemedEnvironment(Environment):
    """Flask's Jinja environment whose loader is the current request's theme's."""

    theme_loaders: dict[str, jinja2.BaseLoader] = {}

    @property
    def loader(self):
        if not self.theme_loaders:
            return self._plain_loader
        return self.theme_loaders[active_theme()]

    @loader.setter
    def loader(self, value):
        self._plain_loader = value


def init_themes(app: Flask, plugin_folders: list[Path], core_folder: Path) -> None:
    """One loader per theme (theme → plugins → core); check ``TRELLIS_THEME``."""
    themes = available_themes()
    default = app.config["TRELLIS_THEME"]
    if default not in themes:
        raise ConfigError(
            f"TRELLIS_THEME: no theme {default!r} (available: {', '.join(sorted(themes))})")
    app.extensions["trellis_themes"] = themes
    app.jinja_env.theme_loaders = {
        name: jinja2.FileSystemLoader(
            [str(theme.path / "templates")] + [str(f) for f in plugin_folders] + [str(core_folder)])
        for name, theme in themes.items()}


def site_theme() -> str:
    """The admin's choice for everyone, else ``TRELLIS_THEME``."""
    chosen = db.session.scalar(select(SiteSetting.value).where(SiteSetting.key == "theme"))
    themes = current_app.extensions["trellis_themes"]
    return chosen if chosen in themes else current_app.config["TRELLIS_THEME"]


def active_theme() -> str:
    """The theme of this request: the user's, else the site's (looked up once)."""
    if not has_request_context():
        return current_app.config["TRELLIS_THEME"]
    if "trellis_theme" not in g:
        own = current_user.theme if current_user and current_user.is_authenticated else None
        g.trellis_theme = own if own in current_app.extensions["trellis_themes"] else site_theme()
    return g.trellis_theme
