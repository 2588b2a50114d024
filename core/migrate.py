"""``trellis db``: Alembic, one version tree for core and one per plugin.

Core's tree carries the branch label ``core``; each plugin's first revision
carries its plugin name as branch label and ``depends_on`` core's first
revision. Upgrading walks every enabled branch to its head, so enabling a
plugin later migrates just that plugin.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import cast

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import Script, ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import inspect
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from core.errors import ConfigError, TrellisError
from core.extensions import db, migrate
from core.i18n import _
from core.registry import conventional_folder, current_registry

CORE_VERSIONS = Path(__file__).parent / "migrations" / "versions"
#: core's first revision; every plugin's first revision depends on it
CORE_BASE_REVISION = "c0de00000001"


def alembic_config(include_tables: set[str] | None = None, *, enabled_only: bool = False) -> Config:
    """Alembic's configuration: core's tree plus the plugins' trees.

    Disabled plugins' trees are included too (unless ``enabled_only``), so a
    database that holds a disabled plugin's revisions still makes sense.
    """
    # Flask-Migrate's Config is alembic's; its type stub cannot say so yet
    config = cast(Config, migrate.get_config())
    plugin_dirs = current_registry().migration_dirs() if enabled_only else branch_dirs()
    dirs = [CORE_VERSIONS, *plugin_dirs.values()]
    config.set_main_option("version_locations", " ".join(str(d) for d in dirs))
    config.set_main_option("path_separator", "space")
    config.attributes["include_tables"] = include_tables
    return config


def branch_dirs() -> dict[str, Path]:
    """plugin -> versions folder, for enabled plugins and for disabled ones
    that were read (so a database that knows a disabled plugin's revisions
    still makes sense to Alembic)."""
    reg = current_registry()
    dirs = dict(reg.migration_dirs())
    for info in reg.disabled:
        hook = getattr(info.module, "trellis_migrations_dir", None)
        folder = (
            Path(hook())
            if hook is not None and hook()
            else conventional_folder(info.module, "trellis_migrations_dir")
        )
        if folder is not None:
            dirs.setdefault(info.name, folder)
    return dirs


def enabled_branches() -> list[str]:
    """core plus every enabled plugin that has at least one revision."""
    dirs = current_registry().migration_dirs()
    return ["core", *(name for name, d in dirs.items() if any(Path(d).glob("*.py")))]


def check_connection() -> None:
    """Raise a one-line ConfigError if the database cannot be reached."""
    try:
        with db.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except SQLAlchemyError as exc:
        url = db.engine.url.render_as_string(hide_password=True)
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        raise ConfigError(
            _("TRELLIS_DATABASE_URL: cannot connect to %(url)s: %(reason)s", url=url, reason=reason)
        ) from None


def upgrade() -> dict[str, tuple[str | None, str | None]]:
    """Migrate core and every enabled plugin to their heads.

    Returns what moved: branch -> (revision before, revision after), in
    migration order; empty when the database was up to date already.
    """
    before = status()
    ensure_not_ahead(before)
    config = alembic_config()
    for branch in enabled_branches():
        try:
            command.upgrade(config, f"{branch}@head")
        except Exception as exc:  # one line naming the plugin; its migration rolled back
            reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
            error = f"{type(exc).__name__}: {reason}"
            raise TrellisError(
                _("core: a migration failed: %(error)s", error=error)
                if branch == "core"
                else _(
                    "plugin %(plugin)r: a migration failed: %(error)s", plugin=branch, error=error
                )
            ) from exc
    after = status().current
    return {
        branch: (before.current.get(branch), now)
        for branch, now in after.items()
        if before.current.get(branch) != now
    }


def downgrade(branch: str, revision: str = "-1") -> None:
    """Step one branch back: ``revision`` is ``-1``, ``base`` or a revision id."""
    check_connection()
    if branch not in enabled_branches():
        raise TrellisError(
            _(
                "no migration branch %(branch)r (enabled: %(enabled)s)",
                branch=branch,
                enabled=", ".join(enabled_branches()),
            )
        )
    target = (
        revision
        if revision not in ("base",) and not revision.startswith("-")
        else (f"{branch}@{revision}")
    )
    try:
        command.downgrade(alembic_config(), target)
    except CommandError as exc:
        raise TrellisError(
            _("cannot downgrade %(branch)s: %(error)s", branch=branch, error=str(exc))
        ) from None


@dataclass
class SchemaStatus:
    current: dict[str, str | None]  # branch -> revision in the database
    heads: dict[str, str]  # branch -> newest revision in the code
    unknown: list[str]  # revisions in the database this code does not know

    @property
    def ahead(self) -> bool:
        return bool(self.unknown)

    @property
    def behind(self) -> list[str]:
        return [b for b, head in self.heads.items() if self.current.get(b) != head]


def status() -> SchemaStatus:
    check_connection()
    script = ScriptDirectory.from_config(alembic_config())
    with db.engine.connect() as conn:
        db_heads = set(MigrationContext.configure(conn).get_current_heads())
    heads = {b: script.get_revision(f"{b}@head").revision for b in enabled_branches()}
    unknown = []
    reachable: dict[str, set[str]] = {}  # revision -> its ancestors (dependencies included)
    for rev_id in db_heads:
        try:
            script.get_revision(rev_id)
        except CommandError:
            unknown.append(rev_id)
            continue
        for rev in script.iterate_revisions(rev_id, "base"):
            reachable.setdefault(rev.revision, set())
    for rev_id in reachable:
        reachable[rev_id] = {r.revision for r in script.iterate_revisions(rev_id, "base")}
    current: dict[str, str | None] = {b: None for b in heads}
    for branch in heads:
        # the newest revision of the branch: the one with the most ancestors
        candidates = [r for r in reachable if branch in script.get_revision(r).branch_labels]
        if candidates:
            current[branch] = max(candidates, key=lambda r: len(reachable[r]))
    return SchemaStatus(current, heads, sorted(unknown))


def ensure_not_ahead(st: SchemaStatus | None = None) -> None:
    """Refuse a database migrated by a newer Trellis (``st``: a status just read)."""
    st = st or status()
    if st.ahead:
        raise ConfigError(
            _(
                "TRELLIS_DATABASE_URL: the database schema is newer than this Trellis "
                "(unknown revision %(revision)s); upgrade Trellis before using this database",
                revision=st.unknown[0],
            )
        )


def ensure_current() -> None:
    """Refuse to serve a database that is ahead of or behind the code."""
    st = status()
    ensure_not_ahead(st)
    if st.behind:
        raise ConfigError(
            _(
                "the database is not up to date for %(branches)s; run `trellis db upgrade`",
                branches=", ".join(st.behind),
            )
        )


def is_empty() -> bool:
    return not inspect(db.engine).get_table_names()


def new_revision(branch: str, message: str, autogenerate: bool = True) -> str:
    """Write a new revision into ``branch``'s tree; autogenerate sees only its tables."""
    reg = current_registry()
    dirs = {"core": CORE_VERSIONS, **reg.migration_dirs()}
    if branch not in dirs:
        raise TrellisError(
            _("no migration folder for %(branch)r; implement trellis_migrations_dir", branch=branch)
        )
    tables = {t for t, owner in reg.table_owners.items() if owner == branch}
    config = alembic_config(include_tables=tables, enabled_only=True)
    first = not any(Path(dirs[branch]).glob("*.py"))
    try:
        rev = command.revision(
            config,
            message=message,
            autogenerate=autogenerate,
            head="base" if first else f"{branch}@head",
            branch_label=branch if first else None,
            version_path=str(dirs[branch]),
            depends_on=CORE_BASE_REVISION if first and branch != "core" else None,
        )
    except (CommandError, OperationalError) as exc:
        raise TrellisError(
            _("cannot create a revision for %(branch)s: %(error)s", branch=branch, error=str(exc))
        ) from None
    return cast(Script, rev if not isinstance(rev, list) else rev[0]).path
