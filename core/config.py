"""Settings: environment variables prefixed ``TRELLIS_`` over an optional
``trellis.toml`` in the instance folder, over defaults.

Every setting is validated here, once, at start-up. A wrong one raises
:class:`~core.errors.ConfigError` whose message names the setting, so that a
self-hosting business sees *which* line to fix instead of a traceback.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from babel.numbers import list_currencies
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from core.errors import ConfigError

#: setting name -> default; the environment variable is ``TRELLIS_<NAME>``.
DEFAULTS: dict[str, Any] = {
    "INSTANCE_PATH": "instance",
    "DATABASE_URL": None,  # default: SQLite file in the instance folder
    "SECRET_KEY": None,  # default: generated into the instance folder
    "PLUGINS": None,  # default: every built-in plugin
    "THEME": "default",
    "LOCALE": "en",
    "TIMEZONE": "UTC",
    "CURRENCY": None,  # default: CNY when LOCALE is zh_CN, else USD
    "REGION": None,  # phone numbers' home country; default: CN when LOCALE is zh_CN, else US
    "REDIS_URL": None,
    "ENV": "development",  # or "production"
    "JOBS": "queue",  # or "immediate" (tests: a job runs when enqueued)
    "PROXIES": 0,  # reverse proxies in front of Trellis whose X-Forwarded-* headers to trust
    "TOKEN_DAYS": 90,  # life of a new API token when its creator names none
    "TOKEN_MAX_DAYS": 365,  # the longest life a token may be given
    "DOUBLE_OPT_IN": True,  # a marketing e-mail grant holds once the customer confirms it
    "LOG_FORMAT": "text",  # or "json": a JSON object per log line, with the request id
    "METRICS_TOKEN": None,  # set: /metrics answers Prometheus given this bearer token; unset: off
    "PII_KEYS": None,  # Fernet keys for personal data, first encrypts (core.pii); default: instance
    "SMTP_URL": None,  # e-mail out: smtp://user:password@host:587 (STARTTLS), smtps://, smtp+plain://
    "MAIL_FROM": None,  # the From of e-mail sent; default: trellis@<the SMTP host>
    "IMPORT_MAX_MB": 50,  # the largest file an import takes, in MB
    "KEEP_LOGS_DAYS": 90,  # automation runs, webhook deliveries, import files: kept this long
    "SMS_URL": None,  # texts out: twilio://SID:TOKEN@api.twilio.com/?from=%2B1…; unset: the log
}
LOCALES = ("en", "zh_CN")
#: settings that take one of a few values
CHOICES = {
    "LOCALE": LOCALES,
    "ENV": ("development", "production"),
    "JOBS": ("queue", "immediate"),
    "LOG_FORMAT": ("text", "json"),
}
CONFIG_FILE = "trellis.toml"
SECRET_FILE = "secret_key"
#: what production asks of TRELLIS_SECRET_KEY: a length, and enough distinct
#: characters that "aaaa…" or "abab…" does not pass for a key
MIN_SECRET_LENGTH = 32
MIN_SECRET_DISTINCT = 10
#: a metrics token shorter than this is refused (it guards an unauthenticated URL)
MIN_METRICS_TOKEN_LENGTH = 16
_STRONG_KEY_HINT = (
    f"production needs a strong secret key of at least {MIN_SECRET_LENGTH} characters; "
    'set one with: python -c "import secrets; print(secrets.token_urlsafe(48))"'
)


def load_settings(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return the validated settings as a dict of ``TRELLIS_*`` keys.

    Precedence, highest first: ``overrides`` (what ``create_app(config)``
    was given), environment variables, the instance ``trellis.toml``,
    defaults.
    """
    overrides = {_key(k): v for k, v in (overrides or {}).items()}
    instance = Path(
        overrides.get("TRELLIS_INSTANCE_PATH")
        or os.environ.get("TRELLIS_INSTANCE_PATH")
        or DEFAULTS["INSTANCE_PATH"]
    ).resolve()
    file_values = _read_config_file(instance / CONFIG_FILE)

    settings: dict[str, Any] = {}
    for name, default in DEFAULTS.items():
        key = f"TRELLIS_{name}"
        if key in overrides:
            settings[key] = overrides[key]
        elif key in os.environ:
            settings[key] = os.environ[key]
        elif name.lower() in file_values:
            settings[key] = file_values[name.lower()]
        else:
            settings[key] = default
    settings["TRELLIS_INSTANCE_PATH"] = str(instance)
    settings["TRELLIS_PLUGIN_SETTINGS"] = file_values.get("plugins_settings", {})
    for key, value in overrides.items():  # extra Flask settings (TESTING, ...)
        settings.setdefault(key, value)

    _validate(settings)
    return settings


def _key(name: str) -> str:
    name = name.upper()
    return name if name.startswith("TRELLIS_") or name not in DEFAULTS else f"TRELLIS_{name}"


def _read_config_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    unknown = set(data) - {n.lower() for n in DEFAULTS} - {"plugins_settings"}
    if unknown:
        raise ConfigError(f"{path}: unknown setting {sorted(unknown)[0]!r}")
    return data


#: the largest import a setting may allow: a request body above 110 MB is refused anyway
MAX_IMPORT_MB = 100


def _import_max_mb(value: Any) -> int:
    """``TRELLIS_IMPORT_MAX_MB`` as a whole number of megabytes, 1 to 100."""
    try:
        megabytes = int(str(value).strip())
    except (TypeError, ValueError):
        megabytes = 0
    if not 1 <= megabytes <= MAX_IMPORT_MB:
        raise ConfigError(
            f"TRELLIS_IMPORT_MAX_MB: {value!r} is not a whole number of megabytes "
            f"from 1 to {MAX_IMPORT_MB}"
        )
    return megabytes


def _keep_logs_days(value: Any) -> int:
    """``TRELLIS_KEEP_LOGS_DAYS`` as a whole number of days, 1 to 3650."""
    try:
        days = int(str(value).strip())
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= 3650:
        raise ConfigError(
            f"TRELLIS_KEEP_LOGS_DAYS: {value!r} is not a whole number of days from 1 to 3650"
        )
    return days


def _validate(settings: dict[str, Any]) -> None:
    url = settings["TRELLIS_DATABASE_URL"]
    if url:
        try:
            parsed = make_url(url)
        except ArgumentError:
            raise ConfigError(f"TRELLIS_DATABASE_URL: not a database URL: {url!r}") from None
        if parsed.get_backend_name() not in ("sqlite", "postgresql"):
            raise ConfigError(
                "TRELLIS_DATABASE_URL: only sqlite:// and postgresql:// are supported, "
                f"got {parsed.get_backend_name()!r}"
            )
    for name, allowed in CHOICES.items():
        value = settings[f"TRELLIS_{name}"]
        if value not in allowed:
            raise ConfigError(f"TRELLIS_{name}: {value!r} is not one of {', '.join(allowed)}")
    try:
        settings["TRELLIS_PROXIES"] = int(settings["TRELLIS_PROXIES"])
        if settings["TRELLIS_PROXIES"] < 0:
            raise ValueError
    except (TypeError, ValueError):
        raise ConfigError(
            f"TRELLIS_PROXIES: {settings['TRELLIS_PROXIES']!r} is not the number "
            "of reverse proxies in front of Trellis (0, 1, 2, …)"
        ) from None
    _check_token_days(settings)
    settings["TRELLIS_IMPORT_MAX_MB"] = _import_max_mb(settings["TRELLIS_IMPORT_MAX_MB"])
    settings["TRELLIS_KEEP_LOGS_DAYS"] = _keep_logs_days(settings["TRELLIS_KEEP_LOGS_DAYS"])
    settings["TRELLIS_DOUBLE_OPT_IN"] = _flag(settings, "TRELLIS_DOUBLE_OPT_IN")
    _check_metrics_token(settings)
    _check_smtp_url(settings["TRELLIS_SMTP_URL"])
    _check_sms_url(settings)
    from core.pii import parse_keys  # the Fernet key check; cryptography loads with it

    settings["TRELLIS_PII_KEYS"] = parse_keys(settings["TRELLIS_PII_KEYS"])
    zone = settings["TRELLIS_TIMEZONE"]
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError):  # OSError: "Asia" (a folder)
        raise ConfigError(
            f"TRELLIS_TIMEZONE: unknown time zone {zone!r} (use an IANA name such as Asia/Shanghai)"
        ) from None
    _check_money_and_region(settings)
    if settings["TRELLIS_ENV"] == "production":
        _check_production_secret_key(settings["TRELLIS_SECRET_KEY"])
    plugins = settings["TRELLIS_PLUGINS"]
    if isinstance(plugins, str):
        settings["TRELLIS_PLUGINS"] = [p.strip() for p in plugins.split(",") if p.strip()]
    if not isinstance(settings["TRELLIS_PLUGINS"], (list, tuple, type(None))):
        raise ConfigError("TRELLIS_PLUGINS: expected a comma-separated list of plugin names")


def _flag(settings: dict[str, Any], key: str) -> bool:
    """An on/off setting: true or false (also 1/0, yes/no, on/off)."""
    value = settings[key]
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off"):
        return False
    raise ConfigError(f"{key}: {value!r} is not true or false")


def _check_money_and_region(settings: dict[str, Any]) -> None:
    """The instance's currency (ISO 4217) and region (ISO 3166 alpha-2, the
    country whose phone numbers are written without a country code); both
    follow the locale unless set."""
    chinese = settings["TRELLIS_LOCALE"] == "zh_CN"
    currency = str(settings["TRELLIS_CURRENCY"] or ("CNY" if chinese else "USD")).upper()
    if currency not in list_currencies():
        raise ConfigError(
            f"TRELLIS_CURRENCY: {currency!r} is not an ISO 4217 code such as CNY or USD"
        )
    settings["TRELLIS_CURRENCY"] = currency
    region = str(settings["TRELLIS_REGION"] or ("CN" if chinese else "US")).upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise ConfigError(
            f"TRELLIS_REGION: {region!r} is not a two-letter country code such as CN or US"
        )
    settings["TRELLIS_REGION"] = region


def _check_token_days(settings: dict[str, Any]) -> None:
    """Both token lifetimes are whole days from 1, the default within the maximum."""
    for key in ("TRELLIS_TOKEN_DAYS", "TRELLIS_TOKEN_MAX_DAYS"):
        value = settings[key]
        try:
            if isinstance(value, (bool, float)):  # True or 2.5 in trellis.toml
                raise ValueError
            days = int(value)
            if days < 1:
                raise ValueError
        except (TypeError, ValueError):
            raise ConfigError(f"{key}: {value!r} is not a number of days (1, 2, …)") from None
        settings[key] = days
    if settings["TRELLIS_TOKEN_DAYS"] > settings["TRELLIS_TOKEN_MAX_DAYS"]:
        raise ConfigError(
            f"TRELLIS_TOKEN_DAYS: {settings['TRELLIS_TOKEN_DAYS']} is more than "
            f"TRELLIS_TOKEN_MAX_DAYS ({settings['TRELLIS_TOKEN_MAX_DAYS']})"
        )


def _check_metrics_token(settings: dict[str, Any]) -> None:
    """Unset or empty: no /metrics. Set: a bearer token long enough not to be
    guessed (the message never repeats it)."""
    token = settings["TRELLIS_METRICS_TOKEN"]
    if token in (None, ""):
        settings["TRELLIS_METRICS_TOKEN"] = None
        return
    if not isinstance(token, str) or len(token) < MIN_METRICS_TOKEN_LENGTH:
        raise ConfigError(
            f"TRELLIS_METRICS_TOKEN: must be at least {MIN_METRICS_TOKEN_LENGTH} characters, "
            'e.g. python -c "import secrets; print(secrets.token_urlsafe(32))"'
        )


def _check_smtp_url(url: Any) -> None:
    if url is None:
        return
    scheme = str(url).split("://", 1)[0] if "://" in str(url) else ""
    if scheme not in ("smtp", "smtps", "smtp+plain"):
        raise ConfigError(
            f"TRELLIS_SMTP_URL: {scheme or 'no'} scheme; use smtp://, smtps:// or smtp+plain:// "
            "(e.g. smtp://user:password@mail.example.com:587)"
        )


def _check_sms_url(settings: dict[str, Any]) -> None:
    """Unset or empty: texts go to the log. Set: a gateway URL (core.messaging.sms)."""
    url = settings["TRELLIS_SMS_URL"]
    if url in (None, ""):
        settings["TRELLIS_SMS_URL"] = None
        return
    from core.messaging.sms import parse_sms_url

    try:
        parse_sms_url(str(url))
    except ValueError as exc:
        raise ConfigError(f"TRELLIS_SMS_URL: {exc}") from None


def _check_production_secret_key(key: Any) -> None:
    """Production signs sessions with an explicitly configured, strong key:
    never the generated instance file, never a short or repetitive one. The
    message never repeats the key."""
    if not key:
        raise ConfigError(
            "TRELLIS_SECRET_KEY: not set (production does not use a generated "
            f"instance/secret_key file); {_STRONG_KEY_HINT}"
        )
    key = str(key)
    if len(key) < MIN_SECRET_LENGTH or len(set(key)) < MIN_SECRET_DISTINCT:
        raise ConfigError(f"TRELLIS_SECRET_KEY: too weak; {_STRONG_KEY_HINT}")


def database_url(settings: dict[str, Any]) -> str:
    """The configured database URL, or the default SQLite file."""
    url = settings["TRELLIS_DATABASE_URL"]
    if url:
        return url
    return "sqlite:///" + str(Path(settings["TRELLIS_INSTANCE_PATH"]) / "trellis.db")


def secret_key(settings: dict[str, Any], *, create: bool) -> str:
    """The secret key: the setting, else the instance file.

    In development a missing key is generated into the instance folder (when
    ``create``). In production the key must be set explicitly (environment or
    ``trellis.toml``) and strong, checked by :func:`load_settings`; the
    instance file is never used there.
    """
    _check_money_and_region(settings)
    if settings["TRELLIS_ENV"] == "production":
        _check_production_secret_key(settings["TRELLIS_SECRET_KEY"])
    if settings["TRELLIS_SECRET_KEY"]:
        return str(settings["TRELLIS_SECRET_KEY"])
    path = Path(settings["TRELLIS_INSTANCE_PATH"]) / SECRET_FILE
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    if not create:
        return "development-only-" + secrets.token_hex(16)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # created owner-only from the start: never readable by others, not even briefly
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as out:
        out.write(key + "\n")
    return key
