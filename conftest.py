"""Short fixture names for Trellis's own suite.

The shipped pytest plugin (:mod:`core.testing`) names every fixture
``trellis_*`` so that it never collides with a plugin project's own ``app``,
``db`` or ``client``. Inside this repository the tests were written with the
short names; each below is the ``trellis_`` fixture of the same name.
"""

import pytest

SHORT_NAMES = (
    "app",
    "db",
    "client",
    "login_as",
    "as_user",
    "make_user",
    "make_customer",
    "make_contact",
    "make_activity",
    "events",
    "make_app",
    "register_plugin",
    "run_due",
    "scope_leak_check",
    "empty_database_url",
    "live_server",
    "shoot",
)


def _alias(name: str):
    @pytest.fixture(name=name)
    def fixture(request):
        return request.getfixturevalue(f"trellis_{name}")

    fixture.__doc__ = f"``trellis_{name}`` (see core.testing)."
    return fixture


for _name in SHORT_NAMES:
    globals()[f"_{_name}_fixture"] = _alias(_name)


@pytest.fixture
def trellis_settings():
    """This suite's phone numbers are Chinese (13800138000): its apps read
    them as China's (``TRELLIS_REGION=CN``) unless a test says otherwise;
    the shipped fixture stays neutral (the locale decides)."""
    return {"TRELLIS_REGION": "CN"}
