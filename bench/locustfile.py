"""Mixed user traffic for Trellis, for locust (``bench/load_test.py`` runs it).

Who comes (by share of simulated users):

- reps (80 %), signed in through the login form like a browser: browsing
  the customer list (page and JSON), searching (``/api/v1/customers?q=`` and
  the top bar's ``/search?q=``), opening a customer's page and its
  timeline — three actions in four; logging activities (the JSON API and
  the customer page's quick action) — one in four;
- dispatchers (15 %), signed in the same way: the work orders to dispatch,
  an order, its suggested engineers, assigning it, the dispatch board page;
- the public (5 %): a customer opening a request link's form, filing a
  request (a new phone: a pool customer and a work order; now and then a
  known phone: a request waiting for review), the thank-you page and the
  tracking page. Each visit is a new visitor with a new address.

Why a session, not API tokens: half of what a rep does is pages (the list,
search, the customer page), which only a session opens; the JSON calls go
with the same session and its ``X-CSRF-Token``, as the pages' own htmx
requests do. Each simulated user signs in once, when it starts.

The deployment has a reverse proxy in front of the app servers; none is
installed here, so this file plays it: every request goes to the next
server in turn (round robin over ``--servers``, across all users, as a
proxy does), with the headers the proxy adds (``X-Forwarded-For``: the
user's own address; ``X-Forwarded-Proto: https``).

The load comes as a ladder of steps (``bench/load_ladder.py``).

Accounts, the request link's key and the search words come from a plan
file (``--plan``) that ``bench/load_test.py`` writes.
"""

from __future__ import annotations

import itertools
import json
import random
import re
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path

from load_ladder import Ladder  # locust puts this file's folder on sys.path
from locust import FastHttpUser, between, events, task

__all__ = ["Dispatcher", "Ladder", "PublicVisitor", "Rep"]  # what locust runs

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
TRACK = re.compile(r"/service/track/([A-Za-z0-9_\-]+)")
TAGS = re.compile(r"<[^>]*>")
#: simulated users pause between actions (real people pause longer)
THINK = between(1, 5)


@events.init_command_line_parser.add_listener
def _options(parser) -> None:
    group = parser.add_argument_group("Trellis users")
    group.add_argument("--plan", default="", help="plan file written by bench/load_test.py")
    group.add_argument("--servers", default="", help="app server URLs, comma separated")


class Plan:
    """What the users need to know, read once from ``--plan``."""

    loaded: dict | None = None
    servers: itertools.cycle | None = None
    reps: itertools.cycle | None = None
    dispatchers: itertools.cycle | None = None
    addresses = itertools.count(1)

    @classmethod
    def get(cls, options) -> dict:
        if cls.loaded is None:
            cls.loaded = json.loads(Path(options.plan).read_text(encoding="utf-8"))
            urls = [u for u in (options.servers or "").split(",") if u] or [options.host]
            cls.servers = itertools.cycle(urls)
            cls.reps = itertools.cycle(cls.loaded["reps"])
            cls.dispatchers = itertools.cycle(cls.loaded["dispatchers"])
        return cls.loaded

    @classmethod
    def next_address(cls) -> str:
        n = next(cls.addresses)
        return f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"


def signed_in_check(response) -> str | None:
    """A sign-in that sends the user back to the form failed."""
    return (
        "sent back to the sign-in form"
        if "/login" in response.headers.get("Location", "")
        else None
    )


def csrf_check(response) -> str | None:
    return None if CSRF.search(response.text) else "no CSRF token on the page"


def gist(text: str | None) -> str:
    """A failed response's body, short: its text without the markup."""
    return " ".join(TAGS.sub(" ", text or "").split())[:160]


class PlainHop(DefaultCookiePolicy):
    """The session cookie is ``Secure`` (the browser talks HTTPS to the
    proxy); the hop from the proxy to the app servers is plain HTTP."""

    def return_ok_secure(self, cookie, request) -> bool:
        return True


class Client(FastHttpUser):
    """A user behind the proxy: its own address, its own cookies."""

    abstract = True
    wait_time = THINK
    signs_in = False

    def on_start(self) -> None:
        self.client.cookiejar.set_policy(PlainHop())
        self.plan = Plan.get(self.environment.parsed_options)
        self.address = Plan.next_address()
        self.csrf = ""
        if self.signs_in:
            self.sign_in()

    def send(self, method: str, path: str, name: str, expect=(200,), check=None, **kwargs):
        """``path`` on the next server in turn; a failure unless the status is
        in ``expect`` and ``check(response)`` (if given) finds nothing wrong.
        Returns the response (``None`` after a failure)."""
        headers = {"X-Forwarded-For": self.address, "X-Forwarded-Proto": "https"}
        headers.update(kwargs.pop("headers", {}))
        url = next(Plan.servers) + path
        with self.client.request(
            method,
            url,
            name=name,
            headers=headers,
            allow_redirects=False,
            catch_response=True,
            **kwargs,
        ) as response:
            if response.status_code not in expect:
                response.failure(f"{response.status_code}: {gist(response.text)}")
                return None
            wrong = check(response) if check else None
            if wrong:
                response.failure(wrong)
                return None
            if response.status_code == 409:  # an expected conflict: a row of its own
                response.request_meta["name"] = f"{name} (409: taken first)"
            response.success()
            return response

    def sign_in(self) -> bool:
        email = next(self.account_cycle())
        page = self.send("GET", "/login", "sign-in form")
        found = CSRF.search(page.text) if page is not None else None
        if not found:
            return False
        form = {"csrf_token": found[1], "email": email, "password": self.plan["password"]}
        done = self.send(
            "POST", "/login", "sign in", expect=(302,), check=signed_in_check, data=form
        )
        if done is None:
            return False
        # where the browser lands; the signed-in session has a new CSRF token
        home = self.send("GET", "/", "page: dashboard", check=csrf_check)
        if home is None:
            return False
        self.csrf = CSRF.search(home.text)[1]
        Ladder.signed_in += 1
        return True

    def account_cycle(self):
        raise NotImplementedError

    def signed_in(self) -> bool:
        return bool(self.csrf) or self.sign_in()


class Rep(Client):
    """A sales rep: browses and searches three times in four, writes once."""

    weight = 80
    signs_in = True

    def account_cycle(self):
        return Plan.reps

    def on_start(self) -> None:
        super().on_start()
        self.customers: list[int] = []
        if self.csrf:
            self.load_customers()

    def load_customers(self) -> None:
        found = self.send("GET", "/api/v1/customers?per_page=100", "api: customer list")
        if found is not None:
            self.customers = [item["id"] for item in found.json()["items"]]

    def customer(self) -> int | None:
        if not self.customers:
            self.load_customers()
        return random.choice(self.customers) if self.customers else None

    def words(self) -> str:
        kind = random.random()
        if kind < 0.4:
            return random.choice(self.plan["latin"])
        if kind < 0.7:
            return random.choice(self.plan["chinese"])
        return f"{random.randrange(1, self.plan['customers'] + 1):08d}"[-6:]  # a phone fragment

    # --- browsing and searching (15 of 20)
    @task(3)
    def list_page(self) -> None:
        if self.signed_in():
            self.send("GET", "/customers/", "page: customer list")

    @task(2)
    def list_api(self) -> None:
        if self.signed_in():
            page = random.randint(1, 3)
            self.send("GET", f"/api/v1/customers?page={page}", "api: customer list")

    @task(3)
    def search_api(self) -> None:
        if self.signed_in():
            self.send(
                "GET", "/api/v1/customers", "api: customer search", params={"q": self.words()}
            )

    @task(3)
    def search_page(self) -> None:
        if self.signed_in():
            self.send("GET", "/search", "page: top-bar search", params={"q": self.words()})

    @task(4)
    def open_customer(self) -> None:
        if self.signed_in() and (cid := self.customer()):
            self.send("GET", f"/customers/{cid}", "page: customer")
            self.send("GET", f"/api/v1/customers/{cid}/activities", "api: timeline")

    # --- writing (5 of 20)
    @task(3)
    def log_activity_api(self) -> None:
        if self.signed_in() and (cid := self.customer()):
            body = {
                "kind": random.choice(("call", "email", "meeting", "note")),
                "subject": "Load test follow-up",
                "body": "Asked about the renewal.",
                "customer_id": cid,
            }
            self.send(
                "POST",
                "/api/v1/activities",
                "api: log activity",
                expect=(201,),
                json=body,
                headers={"X-CSRF-Token": self.csrf},
            )

    @task(2)
    def log_call_page(self) -> None:
        """The customer page's quick action, as htmx sends it."""
        if self.signed_in() and (cid := self.customer()):
            form = {"kind": "call", "direction": "out", "subject": "Load test call"}
            self.send(
                "POST",
                f"/customers/{cid}/activities",
                "page: quick action (log a call)",
                data=form,
                headers={"X-CSRF-Token": self.csrf, "HX-Request": "true"},
            )


class Dispatcher(Client):
    """A dispatcher: looks at the orders to dispatch and assigns them."""

    weight = 15
    signs_in = True

    def account_cycle(self):
        return Plan.dispatchers

    def to_dispatch(self) -> list[dict]:
        # new orders first; when there are none, reassign assigned ones
        for status in ("new", "assigned"):
            found = self.send(
                "GET",
                f"/api/v1/service/work-orders?status={status}&per_page=50",
                "api: work orders to dispatch",
            )
            items = found.json()["items"] if found is not None else []
            if items:
                return items
        return []

    @task(3)
    def board_api(self) -> None:
        if self.signed_in():
            self.to_dispatch()

    @task(1)
    def board_page(self) -> None:
        if self.signed_in():
            self.send("GET", "/service/board", "page: dispatch board")

    @task(2)
    def open_order(self) -> None:
        if self.signed_in() and (orders := self.to_dispatch()):
            oid = random.choice(orders)["id"]
            self.send("GET", f"/api/v1/service/work-orders/{oid}", "api: work order")

    @task(3)
    def assign(self) -> None:
        """Pick an order, ask for engineers, assign the first one suggested.
        A 409 (another dispatcher assigned it first) is an answer, not an error."""
        if not (self.signed_in() and (orders := self.to_dispatch())):
            return
        order = random.choice(orders)
        base = f"/api/v1/service/work-orders/{order['id']}"
        found = self.send("GET", f"{base}/suggested-engineers", "api: suggested engineers")
        if found is None or not found.json():
            return
        best = found.json()[0]
        body = {"action": "assign", "version": order["version"], "engineer_id": best["engineer_id"]}
        if not (best["skill_match"] and best["region_match"]):
            body["override_reason"] = "load test: nearest free engineer"
        self.send(
            "POST",
            f"{base}/transitions",
            "api: assign work order",
            expect=(200, 409),
            json=body,
            headers={"X-CSRF-Token": self.csrf},
        )


class PublicVisitor(Client):
    """A customer filing a service request through a request link."""

    weight = 5

    def account_cycle(self):
        raise AssertionError("the public does not sign in")

    @task
    def file_request(self) -> None:
        self.client.cookiejar.clear()  # each visit: a new visitor
        self.address = Plan.next_address()
        key = self.plan["request_key"]
        if self.send("GET", f"/service/request/{key}", "public: request form") is None:
            return
        if random.random() < 0.2:  # a known customer's phone: waits for review
            phone = f"+86138{random.randrange(1, self.plan['customers'] + 1):08d}"
        else:
            phone = f"+86139{random.randrange(10**8):08d}"
        form = {
            "name": f"访客 {random.randrange(10**6)}",
            "phone": phone,
            "description": "空调不制冷，请尽快上门。\nThe unit does not cool.",
            "product": "AC-200",
            "category": random.choice(self.plan["categories"] or [""]),
            "website": "",
        }
        posted = self.send(
            "POST", f"/service/request/{key}", "public: file request", expect=(303,), data=form
        )
        if posted is None:
            return
        thanks = self.send(
            "GET",
            f"/service/request/{key}/thanks",
            "public: thank-you page",
            check=lambda r: None if TRACK.search(r.text) else "no tracking link",
        )
        if thanks is not None:
            token = TRACK.search(thanks.text)[1]
            self.send("GET", f"/service/track/{token}", "public: tracking page")
