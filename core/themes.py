"""Themes: ``themes/<name>/theme.toml`` + ``templates/`` + ``static/``.

Every request renders with one theme: the user's own choice, else the site
theme an admin picked (a :class:`SiteSetting`), else ``TRELLIS_THEME``.
Templates are looked up in the instance's own ``templates/`` folder (an
integrator's overrides, e.g. ``instance/templates/sales/pdf/quote.html``),
then in that theme, then in the plugins, then in core, so a theme may
restyle any page, a plugin's included, and an instance may replace any one
template without touching the theme or the plugin.

Each theme has its own Jinja loader; Jinja caches compiled templates per
loader, so two users on two themes never get each other's pages.

The built-in themes are the ``themes/`` folder of a source checkout (or an
editable install); a wheel installs that folder as the package
``trellis_themes`` (see ``setup.py``) next to ``core``.
"""

from __future__ import annotations

import importlib.util
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import jinja2
from flask import Flask, current_app, g, has_request_context
from flask.templating import Environment
from flask_login import current_user
from sqlalchemy import select

from core.errors import ConfigError
from core.extensions import db
from core.models import SiteSetting

THEMES_PACKAGE = "trellis_themes"
#: the instance's own templates (``<instance>/templates/``), searched before all others
INSTANCE_TEMPLATES = "templates"
CORE_DIR = Path(__file__).resolve().parent


def builtin_themes_dir(core_dir: Path = CORE_DIR) -> Path:
    """The folder of the built-in themes.

    First the ones beside *this* ``core`` — the ``trellis_themes`` package of
    an installed wheel, else ``themes/`` of a source checkout — so a checkout
    never picks up the themes of another Trellis installed in the same
    environment, and an installed Trellis never mistakes another
    distribution's top-level ``themes`` for its own. Then wherever Python
    finds ``trellis_themes`` (an installer that put it elsewhere).
    """
    root = core_dir.parent
    for folder in (root / THEMES_PACKAGE, root / "themes"):
        if (folder / "default" / "theme.toml").is_file():
            return folder
    spec = importlib.util.find_spec(THEMES_PACKAGE)
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return root / "themes"


THEMES_DIR = builtin_themes_dir()


@dataclass(frozen=True)
class Theme:
    name: str
    title: str
    description: str
    path: Path
    titles: dict[str, str]
    descriptions: dict[str, str]


def _in_locale(texts: dict[str, str], default: str) -> str:
    from flask_babel import get_locale

    return texts.get(str(get_locale()), default)


def theme_title(theme: Theme) -> str:
    """The theme's ``title_<locale>`` for the user's locale, else its ``title``."""
    return _in_locale(theme.titles, theme.title)


def theme_description(theme: Theme) -> str:
    """The theme's ``description_<locale>`` for the user's locale, else its ``description``."""
    return _in_locale(theme.descriptions, theme.description)


def _by_locale(meta: dict, key: str) -> dict[str, str]:
    """``<key>_<locale>`` entries of a theme.toml by Babel's name of the
    locale (``title_zh_CN`` is ``zh_Hans_CN``, what ``get_locale`` says)."""
    from babel import Locale, UnknownLocaleError

    found = {}
    for name, value in meta.items():
        if name.startswith(f"{key}_"):
            try:
                found[str(Locale.parse(name[len(key) + 1 :]))] = value
            except (ValueError, UnknownLocaleError):
                continue
    return found


def available_themes(themes_dir: Path = THEMES_DIR) -> dict[str, Theme]:
    """Every folder of ``themes_dir`` with a ``theme.toml``, by name."""
    found = {}
    for toml in sorted(themes_dir.glob("*/theme.toml")):
        meta = tomllib.loads(toml.read_text(encoding="utf-8"))
        found[toml.parent.name] = Theme(
            toml.parent.name,
            meta.get("title", toml.parent.name),
            meta.get("description", ""),
            toml.parent,
            _by_locale(meta, "title"),
            _by_locale(meta, "description"),
        )
    return found


class ThemedEnvironment(Environment):
    """Flask's Jinja environment whose loader is the current request's theme's,
    with the instance's ``templates/`` folder in front when it has one."""

    theme_loaders: dict[str, jinja2.FileSystemLoader] | None = None  # set by init_themes
    instance_loaders: dict[tuple[str, str], jinja2.BaseLoader] | None = None

    @property
    def loader(self):
        if not self.theme_loaders:
            return self._plain_loader
        theme = active_theme()
        folder = os.path.join(self.app.instance_path, INSTANCE_TEMPLATES)
        if not os.path.isdir(folder):
            return self.theme_loaders[theme]
        # one loader per (theme, folder): Jinja caches templates per loader
        # (tests give each app its own instance folder)
        found = self.instance_loaders = self.instance_loaders or {}
        if (theme, folder) not in found:
            below = self.theme_loaders[theme].searchpath
            found[theme, folder] = jinja2.FileSystemLoader([folder, *below])
        return found[theme, folder]

    @loader.setter
    def loader(self, value):
        self._plain_loader = value


def init_themes(app: Flask, plugin_folders: list[Path], core_folder: Path) -> None:
    """One loader per theme (theme → plugins → core; the instance's folder is
    put in front when a template is looked up); check ``TRELLIS_THEME``."""
    themes = available_themes()
    default = app.config["TRELLIS_THEME"]
    if default not in themes:
        raise ConfigError(
            f"TRELLIS_THEME: no theme {default!r} (available: {', '.join(sorted(themes))})"
        )
    app.extensions["trellis_themes"] = themes
    env = cast(ThemedEnvironment, app.jinja_env)  # the app's jinja_environment (core.app)
    env.theme_loaders = {
        name: jinja2.FileSystemLoader(
            [str(theme.path / "templates")] + [str(f) for f in plugin_folders] + [str(core_folder)]
        )
        for name, theme in themes.items()
    }


def site_theme() -> str:
    """The admin's choice for everyone, else ``TRELLIS_THEME``."""
    chosen = db.session.scalar(select(SiteSetting.value).where(SiteSetting.key == "theme"))
    themes: dict[str, Theme] = current_app.extensions["trellis_themes"]
    return chosen if chosen in themes else current_app.config["TRELLIS_THEME"]


def active_theme() -> str:
    """The theme of this request: the user's, else the site's (looked up once)."""
    if not has_request_context():
        return current_app.config["TRELLIS_THEME"]
    if "trellis_theme" not in g:
        own = current_user.theme if current_user and current_user.is_authenticated else None
        g.trellis_theme = own if own in current_app.extensions["trellis_themes"] else site_theme()
    return g.trellis_theme
