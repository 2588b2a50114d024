"""Every page of every enabled plugin, in a real browser, as the administrator
and as each shipped role, in both languages, both themes, at desktop and
phone width: it answers without an error (nor does anything it loads), logs
no script error, never scrolls sideways, at 360 px either (a wide table or
board scrolls inside its own box), has no serious or critical accessibility
violation (axe-core, vendored in tests/e2e/vendor by `make vendor`), and a
Chinese page shows no catalogue message in English.

Which pages: each role's are found the way its users find them. The routes
of the URL map come filled with the demo's ids (tests/conftest.py); a record
the role may not see (another rep's customer) gives way to one that the
role's own pages link to, and a customer's tabs are pages of their own. So
a page added tomorrow is walked too, by every role that can open it. The
administrator must open every route but a file, a redirect and a public link
whose token the demo cannot have (only its hash is stored).

The matrix, to stay quick: each role sees each of its pages once, in one
of the four (language, theme) combinations, taken in turn from page to page
and from role to role so that every page is seen in both languages and both
themes (a page only one role opens is seen twice) and every role sees all
four. The demo is the Chinese one (so no record's name reads as an
untranslated message); English users read it too. Every page load is
checked at both widths without a reload: the overflow at both, axe on the
desktop layout.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from playwright.sync_api import Page, Response
from sqlalchemy import select

from core.api import User, db
from core.testing.pages import get_routes, untranslated
from core.throttle import is_public

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
#: each combination's opposite (other language, other theme) is two places on
COMBOS = (("en", "default"), ("en", "dark"), ("zh_CN", "dark"), ("zh_CN", "default"))
PASSWORD = "correct horse battery"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
#: axe rules about a whole document, which a fragment (a dashboard widget, a
#: customer tab swapped in by htmx) is not: its host page is checked for them
DOCUMENT_RULES = ["document-title", "html-has-lang", "landmark-one-main", "page-has-heading-one"]
#: the serious and critical violations, a line each (for contrast, the colours); the
#: minor and moderate rules are left out (the run is a third quicker), and ``skip``
RUN_AXE = """async (skip) => {
  const rules = {};
  for (const rule of axe._audit?.rules || [])  // not public: if it goes, every rule runs
    if (rule.impact === "minor" || rule.impact === "moderate" || skip.includes(rule.id))
      rules[rule.id] = {enabled: false};
  const {violations} = await axe.run(document, {resultTypes: ["violations"], rules});
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical").flatMap(
    (v) => v.nodes.map((n) => {
      const data = (n.any[0] || n.all[0] || n.none[0] || {}).data || {};
      const colours = data.contrastRatio ? ` (${data.fgColor} on ${data.bgColor}: ` +
        `${data.contrastRatio}, needs ${data.expectedContrastRatio})` : "";
      return `${v.id} [${v.impact}] ${n.target.join(" ")}${colours}`;
    })
  );
}"""
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"
#: whether the page is a fragment, and its overflow: one round trip to the browser
FRAGMENT_AND_OVERFLOW = f"[document.doctype === null, {OVERFLOW}]"
#: how long the browser may keep a static file (CSS, scripts, icons) without
#: asking again: loaded (and checked) once, not revalidated on every page
STATIC_SECONDS = 3600
LINK = re.compile(r'\s(?:href|hx-get)="(/[^"]*)"')


def role_users(admin: User) -> dict[str, User]:
    """A user of each shipped role, with ``PASSWORD``: the demo's (who own
    records), or a new one when the demo has none of the role."""
    from core.registry import current_registry
    from core.services.users import create_user, set_password

    users = {}
    for name in current_registry().roles:
        user = admin if name == "admin" else None
        user = user or db.session.scalar(
            select(User).where(User.role.has(name=name)).order_by(User.id).limit(1)
        )
        if user is None:
            payload = {"email": f"{name}@example.com", "name": name, "locale": admin.locale}
            user = create_user(payload, admin, role=name)
        set_password(user, PASSWORD, admin)
        users[name] = user
    db.session.commit()
    return users


class Pages:
    """The pages a signed-in test client's user may open, found from
    ``urls`` and then from the links of the pages found."""

    def __init__(self, app: Flask, client, urls: list[str]) -> None:
        self.adapter = app.url_map.bind("localhost")
        routes = [r for r in get_routes(app) if not r.rule.startswith("/api/")]
        self.endpoints = {r.endpoint for r in routes}
        #: one URL per page (a route, or a tab of one), by ``key``
        self.found: dict[str, str] = {}
        #: the found pages that are "not found" by design: a public link's page
        #: with a token the demo cannot have (only the token's hash is stored),
        #: in its path (``<token>``) or its query (a claim's tracking link)
        self.not_found: set[str] = set()
        #: the last answer of each route that gave no page
        self.refused: dict[str, str] = {}
        tokens = {
            r.endpoint for r in routes if "token" in r.arguments or is_public(app, r.endpoint)
        }
        tries: dict[str, int] = {}
        queue, seen = list(urls), set()
        self.home_links: list[str] = []
        while queue:
            url = queue.pop(0)
            key = self.key(url)
            if key is None or key in self.found or url in seen or tries.get(key, 0) >= 3:
                continue
            seen.add(url)
            tries[key] = tries.get(key, 0) + 1
            answer = client.get(url)
            status = answer.status_code
            a_page = status == 200 or (status == 404 and key in tokens)
            if a_page and answer.mimetype == "text/html":
                self.found[key] = url
                self.refused.pop(key.split("?")[0], None)
                text = answer.get_data(as_text=True)
                links = [html.unescape(link) for link in LINK.findall(text)]
                queue += links
                if url == "/":
                    self.home_links = links
                if status == 404:
                    self.not_found.add(url)
            elif key in self.endpoints:
                self.refused[key] = f"{url}: {status} {answer.mimetype}"
                if status != 404:  # another record (another link) may answer
                    tries[key] = 3

    def problems(self, opens_everything: bool) -> list[str]:
        """What is wrong: a link on the dashboard (the menu's among them) to a
        route that refuses, a server error, and for who ``opens_everything``
        a route that gives no page (nor a file or a redirect)."""
        dead = {self.key(link) for link in self.home_links} & set(self.refused)
        problems = [f"/ links to {self.refused[key]}" for key in sorted(dead)]
        problems += [why for why in self.refused.values() if re.search(r": 5\d\d ", why)]
        if opens_everything:
            reached = {key.split("?")[0] for key in self.found}
            missing = {e: "no URL: no id, no link" for e in self.endpoints - reached}
            answers = {**missing, **self.refused}.items()
            problems += [
                f"{e}: {why}" for e, why in sorted(answers) if not re.search(r": [23]\d\d ", why)
            ]
        return problems

    def key(self, url: str) -> str | None:
        """The page ``url`` shows: its route's endpoint (and ``?tab=``), or None."""
        parts = urlsplit(url)
        try:
            endpoint = self.adapter.match(parts.path, method="GET")[0]
        except Exception:  # noqa: BLE001 - a link out of the URL map, or to a POST-only route
            return None
        if endpoint not in self.endpoints:
            return None
        tab = parse_qs(parts.query).get("tab")
        return f"{endpoint}?tab={tab[0]}" if tab else endpoint


def plan(found: dict[str, dict[str, str]]) -> list[tuple[str, str, str, str]]:
    """(role, url, locale, theme) of each visit: every role's pages, each in
    one combination; page ``i``'s roles take combinations ``i``, ``i + 2``,
    ``i + 1``, ``i + 3`` in turn, and a page of one role is visited twice."""
    keys = sorted({key for pages in found.values() for key in pages})
    visits = []
    for i, key in enumerate(keys):
        roles = [role for role in found if key in found[role]]
        for k in range(max(2, len(roles))):
            role = roles[k % len(roles)]
            locale, theme = COMBOS[(i + (0, 2, 1, 3)[k % 4]) % 4]
            visits.append((role, found[role][key], locale, theme))
    return visits


class Walk:
    """One browser page walking pages, and what went wrong on them."""

    def __init__(self, page: Page, base: str) -> None:
        self.page, self.base = page, base
        self.failures: list[str] = []
        self.where, self.url, self.status = "", "", 200
        page.context.add_init_script(path=AXE)  # not a <script>: the pages' CSP allows none
        page.on("pageerror", lambda exc: self.fail(f"page error: {exc}"))
        page.on("console", self.console)
        page.on("response", self.response)

    def fail(self, what: str) -> None:
        self.failures.append(f"{self.where} {self.url}: {what}")

    def console(self, message) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.fail(f"console error: {message.text}")  # a failed load: see response()

    def response(self, response: Response) -> None:
        page_itself = response.url == f"{self.base}{self.url}"
        if response.status >= 400 and not (page_itself and response.status == self.status):
            self.fail(f"{response.url} answered {response.status}")

    def sign_in(self, who: str, email: str) -> None:
        page, self.where, self.url, self.status = self.page, f"signing in as {who}", "", 200
        page.context.clear_cookies()
        page.goto(f"{self.base}/login")
        page.locator("#email").fill(email)
        page.locator("#password").fill(PASSWORD)
        page.locator("form:has(#password) button[type=submit]").click()
        page.wait_for_url(f"{self.base}/")

    def visit(self, where: str, url: str, locale: str, status: int = 200) -> None:
        """Load ``url`` once; check it at the width it is at, then at the other."""
        page = self.page
        self.where, self.url, self.status = where, url, status
        answer = page.goto(f"{self.base}{url}")
        if answer is None or answer.status != status:
            self.fail(f"answered {answer and answer.status}, not {status}")
            return
        fragment, overflow = page.evaluate(FRAGMENT_AND_OVERFLOW)
        widths = (PHONE, DESKTOP) if page.viewport_size == PHONE else (DESKTOP, PHONE)
        for size in widths:
            if page.viewport_size != size:
                page.set_viewport_size(size)
                overflow = page.evaluate(OVERFLOW)
            if overflow > 0:
                self.fail(f"{overflow}px too wide at {size['width']} px")
            if size == DESKTOP:
                for violation in page.evaluate(RUN_AXE, DOCUMENT_RULES if fragment else []):
                    self.fail(violation)
        if locale == "zh_CN":
            for message in sorted(set(untranslated(page.content(), locale))):
                self.fail(f"untranslated: {message!r}")


@pytest.mark.one_database
def test_every_page_works_for_every_role_in_both_languages_themes_and_widths(
    page: Page, live_server, app, load_demo_as_admin, demo_pages, login_as
):
    from core.services.directory import update_user

    admin = load_demo_as_admin("zh_CN")  # a Chinese company; its English users read its records
    urls, _unfilled = demo_pages()  # the links of the pages may fill them
    users = role_users(admin)
    failures: list[str] = []
    found: dict[str, dict[str, str]] = {}
    not_found: set[str] = set()
    for role, user in users.items():
        pages = Pages(app, login_as(user), urls)
        found[role], not_found = pages.found, not_found | pages.not_found
        failures += [f"{role}: {why}" for why in pages.problems(role == "admin")]
    visits = plan(found)
    # the first load of each static file is checked; later pages use the browser's copy
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = STATIC_SECONDS
    walk = Walk(page, live_server)
    page.set_viewport_size(PHONE)
    for role, user in users.items():
        walk.sign_in(role, user.email)
        for locale, theme in COMBOS:
            update_user(user, {"locale": locale, "theme": theme}, None)
            db.session.commit()
            # each role and combination stands for another visitor: the public pages'
            # per-address limits (tested in test_web_safety) must not count the whole walk
            app.extensions["trellis_limiter"].storage.reset()
            for who, url, *combo in visits:
                if (who, *combo) == (role, locale, theme):
                    status = 404 if url in not_found else 200
                    walk.visit(f"{role} {locale} {theme}", url, locale, status)
        seen = {(locale, theme) for who, _url, locale, theme in visits if who == role}
        if len(seen) < len(COMBOS):
            failures.append(f"{role} sees only {sorted(seen)}")
    assert len(visits) > 200
    failures += walk.failures
    assert failures == [], "\n".join(failures)
