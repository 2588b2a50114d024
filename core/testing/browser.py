"""Browser-test fixtures: Playwright (pytest-playwright) driving Debian's
Chromium against this test's app served over real HTTP. Part of
:mod:`core.testing`, so core's and every plugin's tests can use them."""

from __future__ import annotations

from pathlib import Path

import pytest

__all__ = [
    "pytest_collection_modifyitems",
    "DebianChromium",
    "pytest_configure",
    "_short_browser_timeouts",
    "trellis_live_server",
    "trellis_shoot",
]

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path.cwd() / "test-artifacts" / "screenshots"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Every test that uses a browser page joins one xdist group, so one
    browser serves the run (``make test`` passes ``--dist loadgroup``).
    First of the hook's implementations: pytest-xdist names the groups in
    its own implementation, which must see the marker."""
    for item in items:
        if "page" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("browser"))


class DebianChromium:
    """The browser-type fixture that makes Playwright launch Debian's Chromium.

    A plugin's fixture overrides another plugin's of the same name only if
    it is registered later, and the entry points of pytest-playwright and
    Trellis load in whatever order the installed distributions are found
    (``python -m pytest`` in a checkout finds Trellis's first). This object
    is registered in ``pytest_configure``, after every entry point.
    """

    @pytest.fixture(scope="session")
    @classmethod
    def browser_type_launch_args(cls, browser_type_launch_args):
        """Debian's Chromium, headless; Playwright never downloads a browser here."""
        return {
            **browser_type_launch_args,
            "executable_path": CHROMIUM,
            "headless": True,
            "args": [
                "--no-sandbox",
                "--disable-dev-shm-usage",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-extensions",
                "--no-first-run",
                "--disable-sync",
            ],
        }


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(DebianChromium(), "trellis-debian-chromium")


@pytest.fixture(autouse=True)
def _short_browser_timeouts(request):
    """Ten seconds, not thirty, before a missing element fails a browser test."""
    if "page" in request.fixturenames:
        request.getfixturevalue("page").set_default_timeout(10_000)


@pytest.fixture
def trellis_live_server(trellis_app):
    """This test's app served over real HTTP on a free port; yields its base URL."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, trellis_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def trellis_shoot():
    """``trellis_shoot(page, name)`` saves a full-page screenshot as a test artefact
    (``test-artifacts/screenshots/<name>.png``)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
