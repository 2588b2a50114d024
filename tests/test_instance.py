"""``trellis init`` is all or nothing."""

import pytest
from sqlalchemy import inspect

from core import create_app
from core.api import db
from core.instance import AlreadyInitialised, initialise
from core.testing import plugin_module


def _app(url, tmp_path, *plugins):
    return create_app(
        {
            "TESTING": True,
            "TRELLIS_SECRET_KEY": "k",
            "TRELLIS_INSTANCE_PATH": str(tmp_path),
            "TRELLIS_DATABASE_URL": url,
            "TRELLIS_EXTRA_PLUGINS": list(plugins),
        }
    )


def test_a_failing_demo_hook_leaves_an_empty_database(empty_database_url, tmp_path):
    def explode(locale, customers, users):
        raise RuntimeError("demo data broke")

    app = _app(empty_database_url, tmp_path, plugin_module("faulty", trellis_demo_data=explode))
    with app.app_context():
        try:
            with pytest.raises(RuntimeError, match="demo data broke"):
                initialise("a@example.com", "long enough pw", "en", demo=True)
            assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        finally:
            db.session.remove()
            db.engine.dispose()


def test_initialise_twice_is_refused_and_remembers_the_locale(empty_database_url, tmp_path):
    app = _app(empty_database_url, tmp_path)
    with app.app_context():
        try:
            admin = initialise("a@example.com", "long enough pw", "zh_CN", demo=False)
            assert admin.name == "系统管理员" and admin.can("anything.at.all")
            assert 'locale = "zh_CN"' in (tmp_path / "trellis.toml").read_text()
            with pytest.raises(AlreadyInitialised):
                initialise("b@example.com", "long enough pw", "en", demo=False)
        finally:
            db.session.remove()
            db.engine.dispose()
