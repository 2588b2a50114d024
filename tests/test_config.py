"""Settings: environment over trellis.toml over defaults; a wrong one names itself."""

import os
import stat

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from core import create_app
from core.api import db
from core.errors import ConfigError


def base(tmp_path, **extra):
    return {
        "TESTING": True,
        "TRELLIS_INSTANCE_PATH": str(tmp_path),
        "TRELLIS_SECRET_KEY": "k",
        **extra,
    }


def test_defaults_use_sqlite_in_the_instance_folder(tmp_path):
    app = create_app(base(tmp_path))
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/trellis.db"
    assert app.config["TRELLIS_THEME"] == "default" and app.config["TRELLIS_LOCALE"] == "en"


def test_environment_overrides_the_instance_config_file(tmp_path, monkeypatch):
    (tmp_path / "trellis.toml").write_text('locale = "zh_CN"\ntheme = "dark"\n')
    monkeypatch.setenv("TRELLIS_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("TRELLIS_THEME", "default")
    app = create_app({"TESTING": True, "TRELLIS_SECRET_KEY": "k"})
    assert app.config["TRELLIS_LOCALE"] == "zh_CN"
    assert app.config["TRELLIS_THEME"] == "default"


@pytest.mark.parametrize("locale, currency, region", [("en", "USD", "US"), ("zh_CN", "CNY", "CN")])
def test_currency_and_region_follow_the_locale_unless_set(tmp_path, locale, currency, region):
    app = create_app(base(tmp_path, TRELLIS_LOCALE=locale))
    assert (app.config["TRELLIS_CURRENCY"], app.config["TRELLIS_REGION"]) == (currency, region)
    app = create_app(
        base(tmp_path, TRELLIS_LOCALE=locale, TRELLIS_CURRENCY="hkd", TRELLIS_REGION="hk")
    )
    assert (app.config["TRELLIS_CURRENCY"], app.config["TRELLIS_REGION"]) == ("HKD", "HK")


@pytest.mark.parametrize(
    "setting, value, message",
    [
        ("TRELLIS_DATABASE_URL", "not a url", "TRELLIS_DATABASE_URL: not a database URL"),
        ("TRELLIS_DATABASE_URL", "mysql://u@h/db", "TRELLIS_DATABASE_URL: only sqlite"),
        ("TRELLIS_LOCALE", "fr", "TRELLIS_LOCALE: 'fr' is not one of en, zh_CN"),
        ("TRELLIS_ENV", "staging", "TRELLIS_ENV: 'staging'"),
        ("TRELLIS_THEME", "neon", "TRELLIS_THEME: no theme 'neon' \\(available: dark, default\\)"),
        (
            "TRELLIS_PROXIES",
            "nginx",
            "TRELLIS_PROXIES: 'nginx' is not the number of reverse proxies",
        ),
        ("TRELLIS_PROXIES", "-1", "TRELLIS_PROXIES: -1 is not the number"),
        ("TRELLIS_CURRENCY", "RMB", "TRELLIS_CURRENCY: 'RMB' is not an ISO 4217 code"),
        ("TRELLIS_REGION", "ZZ", "TRELLIS_REGION: 'ZZ' is not a two-letter country code"),
        ("TRELLIS_IMPORT_MAX_MB", "lots", "TRELLIS_IMPORT_MAX_MB: 'lots' is not a whole number"),
        ("TRELLIS_IMPORT_MAX_MB", "500", "TRELLIS_IMPORT_MAX_MB: '500' .* from 1 to 100"),
    ],
)
def test_a_wrong_setting_stops_start_up_naming_it(tmp_path, setting, value, message):
    with pytest.raises(ConfigError, match=message):
        create_app(base(tmp_path, **{setting: value}))


def test_production_without_a_secret_key_refuses_to_start(tmp_path):
    with pytest.raises(ConfigError, match="TRELLIS_SECRET_KEY: not set"):
        create_app({"TRELLIS_INSTANCE_PATH": str(tmp_path), "TRELLIS_ENV": "production"})


PII_KEY = Fernet.generate_key().decode()
STRONG_KEY = "Zq3-vN8_tK1xWb7Lr5Yc9Hd2Mf6Gp4Sj0Ea"  # 35 characters, 34 distinct


@pytest.mark.parametrize(
    "key",
    [
        "s3cr!",  # five characters
        "short-but-not-empty-key",  # under 32 characters
        "a" * 64,  # long but one character
        "abababababababababababababababababab",  # long but two characters
    ],
)
def test_production_refuses_a_weak_secret_key(tmp_path, key):
    with pytest.raises(ConfigError) as err:
        create_app(
            {
                "TRELLIS_INSTANCE_PATH": str(tmp_path),
                "TRELLIS_ENV": "production",
                "TRELLIS_SECRET_KEY": key,
            }
        )
    message = str(err.value)
    assert message.startswith("TRELLIS_SECRET_KEY: ") and "\n" not in message
    assert "at least 32 characters" in message and "secrets.token_urlsafe" in message
    assert key not in message  # a secret is never echoed into a log


def test_production_refuses_the_generated_secret_key_file(tmp_path):
    create_app({"TRELLIS_INSTANCE_PATH": str(tmp_path)})  # development writes the file
    assert len((tmp_path / "secret_key").read_text().strip()) == 64
    with pytest.raises(ConfigError, match="TRELLIS_SECRET_KEY: not set.*secrets.token_urlsafe"):
        create_app({"TRELLIS_INSTANCE_PATH": str(tmp_path), "TRELLIS_ENV": "production"})


def test_production_starts_with_a_strong_secret_key_from_env_or_config_file(tmp_path, monkeypatch):
    settings = {
        "TRELLIS_INSTANCE_PATH": str(tmp_path),
        "TRELLIS_ENV": "production",
        "TRELLIS_PII_KEYS": PII_KEY,  # the insurance plugin keeps national IDs encrypted
    }
    monkeypatch.setenv("TRELLIS_SECRET_KEY", STRONG_KEY)
    assert create_app(settings).config["SECRET_KEY"] == STRONG_KEY
    monkeypatch.delenv("TRELLIS_SECRET_KEY")
    (tmp_path / "trellis.toml").write_text(f'secret_key = "{STRONG_KEY[::-1]}"\n')
    assert create_app(settings).config["SECRET_KEY"] == STRONG_KEY[::-1]
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize("zone", ["Mars/Base", "../etc/passwd", ""])
def test_an_unknown_time_zone_stops_start_up(tmp_path, zone):
    with pytest.raises(ConfigError) as err:
        create_app(base(tmp_path, TRELLIS_TIMEZONE=zone))
    assert str(err.value) == (
        f"TRELLIS_TIMEZONE: unknown time zone {zone!r} (use an IANA name such as Asia/Shanghai)"
    )


def test_a_known_time_zone_is_accepted(tmp_path):
    app = create_app(base(tmp_path, TRELLIS_TIMEZONE="Asia/Shanghai"))
    assert app.config["BABEL_DEFAULT_TIMEZONE"] == "Asia/Shanghai"


def test_development_generates_and_keeps_a_secret_key(tmp_path):
    first = create_app({"TRELLIS_INSTANCE_PATH": str(tmp_path)}).config["SECRET_KEY"]
    second = create_app({"TRELLIS_INSTANCE_PATH": str(tmp_path)}).config["SECRET_KEY"]
    assert first == second and len(first) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_unknown_key_in_the_config_file_is_named(tmp_path):
    (tmp_path / "trellis.toml").write_text('databse_url = "sqlite://"\n')
    with pytest.raises(ConfigError, match="unknown setting 'databse_url'"):
        create_app(base(tmp_path))


def test_invalid_toml_is_reported_with_the_file(tmp_path):
    (tmp_path / "trellis.toml").write_text("locale = \n")
    with pytest.raises(ConfigError, match="trellis.toml: not valid TOML"):
        create_app(base(tmp_path))


def test_an_unreachable_database_is_one_clear_line(tmp_path):
    from core.migrate import check_connection

    app = create_app(
        base(tmp_path, TRELLIS_DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:1/x")
    )
    with app.app_context(), pytest.raises(ConfigError) as err:
        check_connection()
    assert str(err.value).startswith("TRELLIS_DATABASE_URL: cannot connect to postgresql")
    assert "\n" not in str(err.value)


def test_the_shells_trellis_settings_never_reach_a_test():
    """``make test`` exports TRELLIS_INSTANCE_PATH, a developer's shell may hold
    TRELLIS_DATABASE_URL …: the suite's session fixture removes them all."""
    leaked = [
        n for n in os.environ if n.startswith("TRELLIS_") and not n.startswith("TRELLIS_TEST_")
    ]
    assert leaked == []


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_instance_folder_database_and_secret_key_are_private(tmp_path):
    instance = tmp_path / "instance"
    app = create_app({"TRELLIS_INSTANCE_PATH": str(instance)})
    with app.app_context():
        db.session.execute(text("CREATE TABLE t (x INTEGER)"))
        db.session.execute(text("INSERT INTO t VALUES (1)"))
        db.session.commit()
        files = {p.name: _mode(p) for p in instance.iterdir() if p.is_file()}
        db.session.remove()
        db.engine.dispose()
    assert _mode(instance) == 0o700
    assert {"secret_key", "trellis.db", "trellis.db-wal", "trellis.db-shm"} <= set(files)
    assert files == dict.fromkeys(files, 0o600)
