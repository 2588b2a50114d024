"""Translation: core's catalogue plus one domain per plugin.

Core's strings use :func:`_` / :func:`_l` (domain ``messages`` in
``core/translations``). A plugin gets its own functions from
``core.api.translator("<plugin>")``, bound to the catalogue in the folder its
``trellis_translations_dir`` hook returns, so two plugins' message ids never
collide.
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app, request
from flask_login import current_user
from jinja2 import pass_context
from flask_babel import Domain, gettext, lazy_gettext, ngettext


_ = gettext
_l = lazy_gettext
__all__ = ["_", "_l", "ngettext", "translator", "template_gettext", "select_locale",
           "CORE_TRANSLATIONS"]

CORE_TRANSLATIONS = Path(__file__).parent / "translations"
_domains: dict[str, Domain] = {}


def translator(domain: str) -> tuple:
    """``(gettext, lazy_gettext)`` for a plugin's translation domain.

    The catalogue folder is looked up, at first use, from the plugin's
    ``trellis_translations_dir`` answer held in the app's registry.
    """
    def _domain() -> Domain:
        folders = current_app.extensions["trellis_translation_dirs"]
        key = f"{domain}:{folders.get(domain)}"
        if key not in _domains:
            _domains[key] = Domain(translation_directories=[str(folders.get(domain, ""))],
                                   domain=domain)
        return _domains[key]

    def plugin_gettext(string: str, **variables) -> str:
        return _domain().gettext(string, **variables)

    def plugin_lazy_gettext(string: str, **variables):
        from flask_babel import LazyString

        return LazyString(plugin_gettext, string, **variables)

    return plugin_gettext, plugin_lazy_gettext


@pass_context
def template_gettext(context, string: str, **variables) -> str:
    """``_()`` in templates: a plugin's templates (``<plugin>/...``) are
    translated from the plugin's catalogue, falling back to core's, so plugin
    authors write the ordinary ``_("...")`` and message ids never collide."""
    folder = (context.name or "").split("/", 1)[0]
    if folder in current_app.extensions["trellis_translation_dirs"]:
        translated = translator(folder)[0](string, **variables)
        if translated != (string % variables if variables else string):
            return translated
    return gettext(string, **variables)


def select_locale() -> str:
    """The signed-in user's locale, else the browser's, else ``TRELLIS_LOCALE``."""
    if current_user and current_user.is_authenticated and current_user.locale:
        return current_user.locale
    if request:
        best = request.accept_languages.best_match(["zh_CN", "zh", "en"])
        if best:
            return "zh_CN" if best.startswith("zh") else best
    return current_app.config["TRELLIS_LOCALE"]


