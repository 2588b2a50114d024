"""The deployment files (compose.yaml, the Dockerfile, deploy/) say what
tests/test_multi_server.py runs: the same commands for the migration, the
app servers and the workers (core.testing.servers), the same settings
shared by every process, and a proxy in front that forwards to every app
server and is believed (TRELLIS_PROXIES).

Docker is not needed: the files are read, and every command in them is
parsed by the ``trellis`` command line itself, so an option it does not
know fails here. (PyYAML comes with the test extra, through schemathesis.)
"""

from __future__ import annotations

import configparser
import re
import shlex
from pathlib import Path
from urllib.parse import urlsplit

import click
import pytest
import yaml

from core.cli import main
from core.config import DEFAULTS
from core.testing.servers import MIGRATE, SERVE, SHARED_SETTINGS, WORKER

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
SERVICES: dict[str, dict] = COMPOSE["services"]


def parsed(args: list[str]) -> click.Context:
    """``trellis <args>`` parsed (never run) by the command line; UsageError if wrong."""
    command: click.Command = main
    rest = list(args)
    while isinstance(command, click.Group):
        name = rest.pop(0)
        assert name in command.commands, f"trellis has no command {name!r}: {args}"
        command = command.commands[name]
    return command.make_context(command.name or "", rest)


def trellis_services(args: tuple[str, ...]) -> dict[str, list[str]]:
    """The services whose command is ``trellis <args> …``: name → the arguments."""
    found = {}
    for name, service in SERVICES.items():
        command = service.get("command") or []
        if command[:1] == ["trellis"] and tuple(command[1 : 1 + len(args)]) == args:
            found[name] = command[1:]
    return found


def substituted(value: str) -> str:
    """``value`` with compose's ``${NAME…}`` variables replaced by a word."""
    return re.sub(r"\$\{[^}]*\}", "value", value)


APPS = trellis_services(SERVE)
WORKERS = trellis_services(WORKER)
MIGRATIONS = trellis_services(MIGRATE)
TRELLIS = {**APPS, **WORKERS, **MIGRATIONS}


def test_compose_runs_the_set_up_of_the_multi_server_test():
    """PostgreSQL, Redis, a one-shot migration, two app servers, a worker and
    a proxy; every Trellis command is one the command line accepts."""
    images = {name: str(service.get("image", "")) for name, service in SERVICES.items()}
    assert any(image.startswith("postgres:") for image in images.values()), images
    assert any(image.startswith("redis:") for image in images.values()), images
    assert any(image.startswith(("caddy:", "nginx:")) for image in images.values()), images
    assert len(APPS) >= 2 and len(WORKERS) >= 1 and len(MIGRATIONS) == 1, SERVICES.keys()
    for args in TRELLIS.values():
        parsed(args)


def test_every_trellis_service_shares_the_same_settings():
    """Each setting the multi-server test gives every process is set, alike,
    in every Trellis service: production, behind one proxy, one database, one
    Redis, one key, one instance folder on one shared volume. And no service
    sets a TRELLIS_ variable Trellis does not know."""
    environments = {name: SERVICES[name]["environment"] for name in TRELLIS}
    first = next(iter(environments.values()))
    for name, env in environments.items():
        assert set(SHARED_SETTINGS) <= set(env), (name, set(SHARED_SETTINGS) - set(env))
        assert {k: env[k] for k in SHARED_SETTINGS} == {k: first[k] for k in SHARED_SETTINGS}
        unknown = {k for k in env if k.startswith("TRELLIS_")} - {f"TRELLIS_{n}" for n in DEFAULTS}
        assert not unknown, (name, unknown)
    assert first["TRELLIS_ENV"] == "production" and first["TRELLIS_JOBS"] == "queue"
    assert int(first["TRELLIS_PROXIES"]) == 1, "one proxy in front: believe it, and only it"
    database = urlsplit(substituted(first["TRELLIS_DATABASE_URL"]))
    postgres = SERVICES[database.hostname or ""]["environment"]
    assert (database.username, database.path) == (
        postgres["POSTGRES_USER"],
        "/" + postgres["POSTGRES_DB"],
    )
    assert SERVICES[urlsplit(first["TRELLIS_REDIS_URL"]).hostname or ""]["image"].startswith(
        "redis:"
    )
    assert first["TRELLIS_SECRET_KEY"].startswith("${"), "the key comes from .env, never the file"
    assert first["TRELLIS_PII_KEYS"].startswith("${"), "so do the personal-data keys"
    mounts = {name: set(SERVICES[name]["volumes"]) for name in TRELLIS}
    shared = {
        m for m in next(iter(mounts.values())) if m.endswith(":" + first["TRELLIS_INSTANCE_PATH"])
    }
    assert shared and all(shared <= m for m in mounts.values()), mounts
    assert shared.pop().split(":")[0] in COMPOSE["volumes"], "the instance folder is a named volume"


def test_the_app_servers_and_workers_start_after_the_migration():
    migration = next(iter(MIGRATIONS))
    assert SERVICES[migration].get("restart") == "no"
    for name in [*APPS, *WORKERS]:
        after = SERVICES[name]["depends_on"][migration]
        assert after["condition"] == "service_completed_successfully", name


def test_the_worker_is_stopped_with_sigint_so_its_jobs_finish():
    """Huey stops at once on SIGTERM, gently on SIGINT (as the test stops it)."""
    for name in WORKERS:
        assert SERVICES[name].get("stop_signal") == "SIGINT", name


def caddy_upstreams() -> tuple[set[str], str]:
    text = (DEPLOY / "Caddyfile").read_text(encoding="utf-8")
    found = re.search(r"^\s*reverse_proxy\s+([^{\n]+)\{(.*?)\n\s*\}", text, re.M | re.S)
    assert found, "no reverse_proxy block in deploy/Caddyfile"
    return set(found[1].split()), found[2]


def test_the_proxy_forwards_to_every_app_server_and_checks_healthz():
    proxies = [n for n, s in SERVICES.items() if str(s.get("image", "")).startswith("caddy:")]
    assert len(proxies) == 1
    proxy = SERVICES[proxies[0]]
    assert any(v.startswith("./deploy/Caddyfile:") for v in proxy["volumes"])
    assert set(proxy["depends_on"]) == set(APPS)
    ports = {name: parsed(args).params["port"] for name, args in APPS.items()}
    upstreams, options = caddy_upstreams()
    assert upstreams == {f"{name}:{port}" for name, port in ports.items()}
    assert re.search(r"^\s*health_uri\s+/healthz\s*$", options, re.M)
    for name, port in ports.items():
        assert f"127.0.0.1:{port}/healthz" in " ".join(SERVICES[name]["healthcheck"]["test"])


#: the PostgreSQL client (pg_dump) each Debian release of the image installs
DEBIAN_PG_DUMP = {"bookworm": 15, "trixie": 17}


def test_the_image_is_built_from_this_checkout_with_postgresql():
    """The image installs the wheel of this checkout with the PostgreSQL
    driver, and a pg_dump (``trellis backup``) as new as compose's server."""
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    release = re.search(r"^FROM python:3\.11-slim-(\w+)$", dockerfile, re.M)
    assert release and release[1] in DEBIAN_PG_DUMP
    assert "[postgres]" in dockerfile and "postgresql-client" in dockerfile
    server = next(
        s["image"] for s in SERVICES.values() if s.get("image", "").startswith("postgres:")
    )
    assert int(server.split(":")[1].split(".")[0].split("-")[0]) <= DEBIAN_PG_DUMP[release[1]]
    cmd = re.search(r"^CMD (\[.*\])$", dockerfile, re.M)
    assert cmd and yaml.safe_load(cmd[1])[:2] == ["trellis", *SERVE]
    assert all(service.get("build") == "." for name, service in SERVICES.items() if name in TRELLIS)


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys keep their case
    parser.read_string((DEPLOY / "systemd" / name).read_text(encoding="utf-8"))
    return parser


def exec_start(parser: configparser.ConfigParser) -> list[str]:
    program, *args = shlex.split(parser["Service"]["ExecStart"].replace("%i", "8001"))
    assert program.endswith("/trellis"), program
    return args


@pytest.mark.parametrize(
    "name, command", [("trellis-web@.service", SERVE), ("trellis-worker.service", WORKER)]
)
def test_the_systemd_units_run_the_same_commands_on_one_settings_file(name, command):
    service = unit(name)["Service"]
    args = exec_start(unit(name))
    assert tuple(args[: len(command)]) == command
    parsed(args)
    assert service["EnvironmentFile"] == "/etc/trellis/trellis.env"
    if command == WORKER:
        assert service["KillSignal"] == "SIGINT"
    else:
        assert parsed(args).params["port"] == 8001, "the instance name is the port"


def test_the_systemd_settings_example_holds_every_shared_setting():
    lines = (DEPLOY / "systemd" / "trellis.env.example").read_text(encoding="utf-8").splitlines()
    env = dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))
    assert set(SHARED_SETTINGS) <= set(env), set(SHARED_SETTINGS) - set(env)
    assert env["TRELLIS_ENV"] == "production" and int(env["TRELLIS_PROXIES"]) == 1
    assert not set(env) - {f"TRELLIS_{n}" for n in DEFAULTS}


def test_nginx_forwards_to_the_systemd_app_servers_and_says_who_the_client_is():
    conf = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    upstream = re.search(r"upstream trellis \{(.*?)\}", conf, re.S)
    assert upstream
    servers = re.findall(r"^\s*server\s+(\S+)", upstream[1], re.M)
    assert servers == ["127.0.0.1:8001", "127.0.0.1:8002"]
    for header in ("X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host"):
        assert re.search(rf"proxy_set_header {header} \$", conf), header
    assert "proxy_pass http://trellis;" in conf


def test_every_file_docs_deploy_links_to_exists():
    """docs/deploy.md links the files it explains (and docs/backup.md)."""
    doc = ROOT / "docs" / "deploy.md"
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", doc.read_text(encoding="utf-8"))
    local = [t for t in targets if "://" not in t]
    assert {"../compose.yaml", "../Dockerfile", "backup.md"} <= set(local)
    missing = [t for t in local if not (doc.parent / t).exists()]
    assert not missing, missing
