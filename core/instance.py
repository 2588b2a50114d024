"""Initialising an instance: migrate, create the first administrator,
optionally load demo data — all or nothing."""

from __future__ import annotations

from pathlib import Path

from flask import current_app
from sqlalchemy import func, inspect, select

from core import migrate as mig
from core.errors import TrellisError
from core.extensions import db
from core.models import User
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
                select(func.count()).select_from(User)):
            raise AlreadyInitialised(
                f"Trellis is already initialised at {database_shown()}; nothing changed "
                "(use `trellis db upgrade` to migrate, `trellis users create` to add users)")
    if admin_email is not None:
        load(UserInput(), {"email": admin_email, "name": "Administrator",
                           "password": admin_password})


def initialise(admin_email: str, admin_password: str, locale: str, demo: bool) -> User:
    """Migrate, create the administrator and (with ``demo``) the demo data.

    If anything fails after migrating, the schema is downgraded again, so a
    retry starts from an empty database.
    """
    from core.demo import load_demo
    from core.services.users import create_user, ensure_default_roles

    check_can_initialise(admin_email, admin_password)
    mig.upgrade()
    try:
        ensure_default_roles()
        admin = create_user({"email": admin_email, "password": admin_password, "locale": locale,
                             "name": "系统管理员" if locale == "zh_CN" else "Administrator"},
                            None, role="admin")
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
