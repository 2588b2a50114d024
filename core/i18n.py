"""Translation: core's catalogue plus one domain per plugin.

Core's strings use :func:`_` / :func:`_l` (domain ``messages`` in
``core/translations``). A plugin gets its own functions from
``core.api.translator("<plugin>")``, bound to the catalogue in the folder its
``trellis_translations_dir`` hook returns, so two plugins' message ids never
collide.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytz
from flask import current_app, request, session
from flask_babel import Domain, gettext, lazy_gettext, ngettext
from flask_login import current_user
from jinja2 import pass_context

_ = gettext
_l = lazy_gettext
__all__ = [
    "_",
    "_l",
    "ngettext",
    "translator",
    "template_gettext",
    "select_locale",
    "current_lang",
    "select_timezone",
    "translate_validation",
    "N_",
    "CORE_TRANSLATIONS",
]

CORE_TRANSLATIONS = Path(__file__).parent / "translations"
_domains: dict[str, Domain] = {}


#: the catalogue folders gettext reads for the supported locales: ``zh_CN``
#: is "zh_Hans_CN" to Babel, and gettext also falls back to the bare language
READ_FOLDERS = ("en", "zh_Hans_CN", "zh")


def unread_catalogues(folders: dict[str, Path]) -> list[str]:
    """One warning per catalogue folder that no supported locale reads.

    ``folders`` maps a plugin to its translations folder. A catalogue in
    ``zh_CN/`` is silently ignored by gettext (Chinese is read from
    ``zh_Hans_CN/``), and the plugin would show core's English instead.
    """
    return [
        f"plugin {name!r} ships a catalogue in {found.parent.name}/, which no supported "
        f"locale reads (use one of: {', '.join(READ_FOLDERS)})"
        for name, folder in sorted(folders.items())
        for found in sorted(Path(folder).glob("*/LC_MESSAGES"))
        if found.parent.name not in READ_FOLDERS
    ]


def _plugin_domain(domain: str) -> Domain:
    """The gettext domain of a plugin, its catalogue folder looked up at first
    use from the plugin's ``trellis_translations_dir`` answer."""
    folders = current_app.extensions["trellis_translation_dirs"]
    key = f"{domain}:{folders.get(domain)}"
    if key not in _domains:
        folder = str(folders.get(domain, ""))
        _domains[key] = Domain(translation_directories=[folder], domain=domain)
    return _domains[key]


def translator(domain: str) -> tuple:
    """``(gettext, lazy_gettext)`` for a plugin's translation domain.

    The catalogue folder is looked up, at first use, from the plugin's
    ``trellis_translations_dir`` answer held in the app's registry.
    """

    def plugin_gettext(string: str, **variables) -> str:
        return _plugin_domain(domain).gettext(string, **variables)

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
    """The signed-in user's locale, else the one a visitor picked (``?lang=en``
    or ``?lang=zh_CN`` on any page, the sign-in page's or a public page's
    language switch, kept for the visit), else the browser's, else
    ``TRELLIS_LOCALE``."""
    if current_user and current_user.is_authenticated and current_user.locale:
        return current_user.locale
    if request and request.args.get("lang") in ("en", "zh_CN"):
        session["locale"] = request.args["lang"]
    if request and session.get("locale") in ("en", "zh_CN"):
        return session["locale"]
    if request:
        best = request.accept_languages.best_match(["zh_CN", "zh", "en"])
        if best:
            return "zh_CN" if best.startswith("zh") else best
    return current_app.config["TRELLIS_LOCALE"]


#: the locales a visitor may pick with ``?lang=``
LANGS = ("en", "zh_CN")


def current_lang() -> str | None:
    """The page's language as ``?lang=`` names it (``en`` or ``zh_CN``; None
    outside a request or for another locale): what a public page's redirect
    carries on, so the next page speaks the same language."""
    from babel import Locale
    from flask_babel import get_locale

    locale = get_locale() if request else None
    if locale is None:
        return None
    return next((code for code in LANGS if Locale.parse(code) == locale), None)


def select_timezone() -> str | None:
    """The signed-in user's time zone; ``None`` means ``TRELLIS_TIMEZONE``.

    Times are stored in UTC; ``format_datetime`` shows them in this zone."""
    zone = current_user.timezone if current_user and current_user.is_authenticated else None
    return zone if zone in pytz.all_timezones_set else None


def instance_currency() -> str:
    """The instance's currency (``TRELLIS_CURRENCY``, ISO 4217): what a new
    price, deal or target is in unless its form says otherwise."""
    return current_app.config["TRELLIS_CURRENCY"]


def instance_timezone() -> str:
    """The instance's time zone (``TRELLIS_TIMEZONE``, an IANA name): what a
    business calendar or a schedule runs on until someone sets another."""
    return current_app.config["TRELLIS_TIMEZONE"]


def instance_region() -> str:
    """The instance's country (``TRELLIS_REGION``, ISO 3166 alpha-2): phone
    numbers without a country code are read as this country's and shown in
    its national format."""
    return current_app.config["TRELLIS_REGION"]


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it yet."""
    return message


#: marshmallow's own messages (English, with its placeholders) → translatable ones
_MARSHMALLOW = [
    (re.compile(rf"^{pattern}$"), template)
    for pattern, template in [
        (r"Missing data for required field\.", N_("This field is required.")),
        (r"Field may not be null\.", N_("This field may not be empty.")),
        (r"Unknown field\.", N_("Unknown field.")),
        (r"Invalid input type\.", N_("Invalid input type.")),
        (r"Invalid value\.", N_("Invalid value.")),
        (r"Not a valid email address\.", N_("Not a valid email address.")),
        (r"Not a valid (?:integer|number)\.", N_("Not a valid number.")),
        (r"Not a valid string\.", N_("Not a valid text.")),
        (r"Not a valid boolean\.", N_("Not a valid yes/no value.")),
        (r"Not a valid date\.", N_("Not a valid date.")),
        (r"Not a valid (?:aware |naive )?datetime\.", N_("Not a valid date and time.")),
        (r"Not a valid list\.", N_("Not a valid list.")),
        (r"Not a valid mapping type\.", N_("Not a valid object.")),
        (r"String does not match expected pattern\.", N_("Not in the expected format.")),
        (r"Shorter than minimum length (?P<min>\d+)\.", N_("Shorter than %(min)s characters.")),
        (r"Longer than maximum length (?P<max>\d+)\.", N_("Longer than %(max)s characters.")),
        (
            r"Length must be between (?P<min>\d+) and (?P<max>\d+)\.",
            N_("Must be %(min)s to %(max)s characters long."),
        ),
        (r"Must be one of: (?P<choices>.*)\.", N_("Must be one of: %(choices)s.")),
        (
            r"Must be greater than or equal to (?P<min>\S+) and less than or equal to (?P<max>\S+)\.",  # noqa: E501
            N_("Must be from %(min)s to %(max)s."),
        ),
        (r"Must be greater than or equal to (?P<min>\S+)\.", N_("Must be %(min)s or more.")),
        (r"Must be less than or equal to (?P<max>\S+)\.", N_("Must be %(max)s or less.")),
    ]
]


def translate_validation(message: str) -> str:
    """A validation message in the user's language: marshmallow's built-in
    English messages are recognised and translated, their values kept; ours
    are translated already."""
    for pattern, template in _MARSHMALLOW:
        found = pattern.match(message)
        if found:
            return gettext(template, **found.groupdict())
    return message


@pass_context
def template_ngettext(context, singular: str, plural: str, num: int, **variables) -> str:
    """``ngettext()`` in templates, from the plugin's catalogue first as
    ``_()`` is (``template_gettext``)."""
    folder = (context.name or "").split("/", 1)[0]
    if folder in current_app.extensions["trellis_translation_dirs"]:
        translated = _plugin_domain(folder).ngettext(singular, plural, num, **variables)
        untranslated = (singular if num == 1 else plural) % {"num": num, **variables}
        if translated != untranslated:
            return translated
    return ngettext(singular, plural, num, **variables)
