"""Initialising an instance — migrate, create the first administrator,
optionally load demo data, all or nothing — and keeping it in step with its
enabled plugins (``sync_plugins``)."""

from __future__ import annotations

from pathlib import Path
from typing import cast

from flask import current_app
from sqlalchemy import func, inspect, select

from core import migrate as mig
from core.declarations import Manifest, Permission
from core.errors import TrellisError
from core.events import transaction
from core.extensions import db
from core.i18n import _
from core.models import PluginState, User
from core.registry import current_registry
from core.schemas import UserInput
from core.services.base import load


class AlreadyInitialised(TrellisError):
    pass


def check_can_initialise(admin_email: str | None, admin_password: str | None) -> None:
    """Refuse early (before anything is written) if init cannot succeed."""
    mig.check_connection()
    if not mig.is_empty():
        mig.ensure_not_ahead()
        if "user_account" in inspect(db.engine).get_table_names() and db.session.scalar(
            select(func.count()).select_from(User)
        ):
            raise AlreadyInitialised(
                f"Trellis is already initialised at {database_shown()}; nothing changed "
                "(use `trellis db upgrade` to migrate, `trellis users create` to add users)"
            )
    if admin_email is not None:
        load(
            UserInput(), {"email": admin_email, "name": "Administrator", "password": admin_password}
        )


def initialise(admin_email: str, admin_password: str, locale: str, demo: bool) -> User:
    """Migrate, create the administrator and (with ``demo``) the demo data.

    If anything fails after migrating, the schema is downgraded again, so a
    retry starts from an empty database.
    """
    from core.demo import load_demo
    from core.services.users import create_user

    check_can_initialise(admin_email, admin_password)
    try:
        sync_plugins()
        admin = create_user(
            {
                "email": admin_email,
                "password": admin_password,
                "locale": locale,
                "name": "系统管理员" if locale == "zh_CN" else "Administrator",
            },
            None,
            role="admin",
        )
        if demo:
            load_demo(locale, admin)
    except Exception:
        db.session.rollback()
        for branch in reversed(mig.enabled_branches()):
            mig.downgrade(branch, "base")
        raise
    remember_locale(locale)
    return admin


def database_shown() -> str:
    return db.engine.url.render_as_string(hide_password=True)


def remember_locale(locale: str) -> None:
    """Keep the chosen default language in the instance trellis.toml."""
    path = Path(current_app.instance_path) / "trellis.toml"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if not any(line.strip().startswith("locale") for line in text.splitlines()):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + f'locale = "{locale}"\n', encoding="utf-8")


def sync_plugins() -> list[str]:
    """Bring the database in line with the enabled plugins; say what was done
    (first line: the branches migrated, from and to which revision, or that
    the database was up to date already).

    Migrates core and every enabled plugin, creates the default roles that
    are missing, grants each permission a plugin declares to its default
    roles once (an admin who takes it away later does not see it come back),
    and calls ``trellis_plugin_synced`` on each plugin that is newly enabled
    or at a new version. Idempotent: a second run changes nothing. Used by
    ``trellis init``, ``trellis db upgrade`` and ``trellis plugins sync``.
    """
    from core.services.users import ensure_default_roles

    reg = current_registry()
    migrated = mig.upgrade()
    done = [
        _(
            "Migrated: %(branches)s",
            branches=", ".join(
                f"{branch} ({before or 'base'} → {after})"
                for branch, (before, after) in migrated.items()
            ),
        )
        if migrated
        else _("Database already up to date")
    ]
    roles = ensure_default_roles()
    declared: dict[str, list[Permission]] = {}
    for owner, items in reg.answers("trellis_permissions"):
        declared.setdefault(owner, []).extend(items or ())
    with transaction():
        states = {s.name: s for s in db.session.scalars(select(PluginState))}
        for info in reg.plugins:
            state = states.get(info.name) or PluginState(name=info.name, version="", granted=[])
            fresh = [p for p in declared.get(info.name, []) if p.name not in state.granted]
            for permission in fresh:
                for role_name in permission.default_roles:
                    role = roles.get(role_name)
                    if role is not None and permission.name not in role.permissions:
                        role.permissions = [*role.permissions, permission.name]
            if fresh:
                state.granted = sorted({*state.granted, *(p.name for p in fresh)})
                done.append(
                    _(
                        "%(plugin)s: granted %(permissions)s",
                        plugin=info.name,
                        permissions=", ".join(p.name for p in fresh),
                    )
                )
            version = cast(Manifest, info.manifest).version  # an enabled plugin has one
            if state.version != version:
                previous = state.version or None
                state.version = version
                db.session.add(state)
                reg.call_on(info.name, "trellis_plugin_synced", previous_version=previous)
                done.append(
                    _("%(plugin)s: enabled at %(version)s", plugin=info.name, version=version)
                    if previous is None
                    else _(
                        "%(plugin)s: upgraded from %(previous)s at %(version)s",
                        plugin=info.name,
                        previous=previous,
                        version=version,
                    )
                )
    return done
