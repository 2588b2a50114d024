"""Take the README's screenshots: the main pages of a fresh demo in both
locales and both themes, as an administrator, at 1,280 px (and the field
engineer's day at phone width). ``make screenshots`` runs it; it needs
Debian's Chromium, as the browser tests do.

Each locale gets its own instance in a temporary folder (``trellis init
--demo --locale …``), served by ``trellis run`` on a free port; the theme is
the admin's own preference, set through the preferences page.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

HERE = Path(__file__).parent
PASSWORD = "screenshots-only-1"
#: (file name, path) of the pages shown; ids are the demo's
PAGES = (
    ("dashboard", "/"),
    ("customers", "/customers/"),
    ("customer", "/customers/{customer}"),
    ("deals-board", "/sales/board"),
    ("sales-reports", "/sales/reports"),
    ("work-orders", "/service/work-orders"),
    ("service-reports", "/service/reports"),
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(locale: str, folder: str) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "TRELLIS_INSTANCE_PATH": folder, "TRELLIS_LOCALE": locale}
    trellis = str(Path(sys.executable).with_name("trellis"))
    subprocess.run(
        [trellis, "init", "--demo", "--locale", locale, "--admin-email", "admin@example.com",
         "--admin-password", PASSWORD],
        env=env, check=True, capture_output=True,
    )  # fmt: skip
    port = free_port()
    server = subprocess.Popen(
        [trellis, "run", "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{base}/login", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    return server, base


def sign_in(page: Page, base: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", "admin@example.com")
    page.fill("#password", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"^(?!.*login).*$"))


def choose_theme(page: Page, base: str, theme: str) -> None:
    page.goto(f"{base}/account/preferences")
    page.check(f"input[name=theme][value={theme}]")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()


def busiest_customer(page: Page, base: str) -> str:
    """The id of the listed customer with the most open deals (a full page)."""
    page.goto(f"{base}/customers/")
    rows = page.locator("#results tbody tr").evaluate_all(
        """rows => rows.map(r => [
            (r.querySelector("a[href^='/customers/']") || {}).pathname || "",
            Number((r.querySelector("td.col-sales_open_deals") || {}).textContent || 0)])"""
    )
    rows = [(deals, href) for href, deals in rows if re.fullmatch(r"/customers/\d+", href)]
    return max(rows)[1].rsplit("/", 1)[-1]


def main() -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium")
        for locale in ("en", "zh_CN"):
            with tempfile.TemporaryDirectory() as folder:
                server, base = serve(locale, folder)
                try:
                    page = browser.new_page(viewport={"width": 1280, "height": 800})
                    sign_in(page, base)
                    ids = {"customer": busiest_customer(page, base)}
                    for theme in ("default", "dark"):
                        choose_theme(page, base, theme)
                        for name, path in PAGES:
                            page.goto(base + path.format(**ids))
                            page.wait_for_load_state("networkidle")
                            page.screenshot(path=HERE / f"{name}-{locale}-{theme}.png")
                    page.close()
                finally:
                    server.terminate()
                    server.wait()
        browser.close()


if __name__ == "__main__":
    main()
