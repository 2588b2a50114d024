"""A plugin installed as its own package (tests/thirdparty/trellis_hello,
pip-installed by `make test`) is found through the `trellis.plugins` entry
point, migrated, and its hooks called — with no change to core."""

from importlib.metadata import entry_points

from sqlalchemy import inspect, select

from core import create_app
from core import migrate as mig
from core.api import db


def test_the_example_package_is_announced_through_the_entry_point():
    (ep,) = [ep for ep in entry_points(group="trellis.plugins") if ep.name == "hello"]
    assert ep.value == "trellis_hello" and ep.dist.name == "trellis-hello"


def test_an_installed_plugin_is_migrated_and_its_hooks_are_called(empty_database_url, tmp_path):
    from click.testing import CliRunner

    from core.cli import main
    from core.services.customers import create_customer

    app = create_app(
        {
            "TESTING": True,
            "TRELLIS_SECRET_KEY": "k",
            "TRELLIS_INSTANCE_PATH": str(tmp_path),
            "TRELLIS_DATABASE_URL": empty_database_url,
            "TRELLIS_PLUGINS": "all",
        }
    )
    with app.app_context():
        try:
            assert "hello" in app.extensions["trellis"].enabled_names
            assert "hello" in mig.upgrade()
            assert "hello_greeting" in inspect(db.engine).get_table_names()

            create_customer({"name": "Ada Ltd"}, None)
            from trellis_hello.models import Greeting

            assert db.session.scalars(select(Greeting.text)).all() == ["Welcome, Ada Ltd!"]
            assert CliRunner().invoke(main, ["hello"], obj=app).output == "1 greetings\n"
            assert "hello.read" in app.extensions["trellis"].permissions
        finally:
            db.session.remove()
            db.engine.dispose()
