"""Two app servers and two job workers, real processes, on one PostgreSQL
database and one Redis — the set-up of ``compose.yaml`` and
``docs/deploy.md``, without the proxy: the test plays it, sending each
request to one server or the other with the headers the proxy adds.

What must hold across servers: a session made on one is good on the other
(and signing out on one ends it on both); failed sign-ins count against one
shared limit; the customer pool's claim limit holds for claims sent to both
at once; a queued job runs once, on one worker. And what must not be shared:
each server's gunicorn control socket and metrics are its own.

PostgreSQL only: several processes on one SQLite file is not a set-up
Trellis offers (``docs/deploy.md``), so on SQLite this module is skipped,
saying why.
"""

from __future__ import annotations

import os
import re
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie

import pytest
from cryptography.fernet import Fernet

BASE_URL = os.environ.get("TRELLIS_TEST_DATABASE_URL", "")
if not BASE_URL.startswith("postgresql"):
    pytest.skip(
        "several app servers need PostgreSQL: set TRELLIS_TEST_DATABASE_URL=postgresql+psycopg://…",
        allow_module_level=True,
    )

import redis  # noqa: E402  (only on PostgreSQL runs)
import requests  # noqa: E402
from limits import parse  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from core.testing.database import _drop_pg_database, _pg_database, _pg_name  # noqa: E402
from core.testing.servers import MIGRATE, running, trellis  # noqa: E402
from core.throttle import PER_ACCOUNT_AND_ADDRESS  # noqa: E402

# The whole module runs on one xdist worker: its processes start once.
pytestmark = pytest.mark.xdist_group("multi_server")

#: a Redis database the rest of the suite does not use (it uses /15)
REDIS_URL = os.environ.get("TRELLIS_TEST_REDIS_URL", "redis://127.0.0.1:6379/9")
PASSWORD = "correct horse battery"
CLAIM_LIMIT = 3
METRICS_TOKEN = secrets.token_urlsafe(24)
RUN = secrets.token_hex(3)  # this run's names: nothing left in Redis by another run matches


def client_address() -> str:
    """A client address no other test or run uses (the limits count per address)."""
    return f"198.18.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    """One installation's settings and its own, migrated PostgreSQL database."""
    redis.Redis.from_url(REDIS_URL).ping()  # Redis must be there: fail, not skip
    name = _pg_name(BASE_URL, "_multi")
    shared = {
        "TRELLIS_DATABASE_URL": _pg_database(BASE_URL, name),
        "TRELLIS_REDIS_URL": REDIS_URL,
        "TRELLIS_SECRET_KEY": secrets.token_urlsafe(48),
        "TRELLIS_PII_KEYS": Fernet.generate_key().decode(),
        "TRELLIS_INSTANCE_PATH": str(tmp_path_factory.mktemp("shared-instance")),
        "TRELLIS_ENV": "production",
        "TRELLIS_PROXIES": "1",
        "TRELLIS_JOBS": "queue",
        "TRELLIS_METRICS_TOKEN": METRICS_TOKEN,
    }
    try:
        trellis(MIGRATE, shared)  # the one-shot migration, before any server starts
        yield shared
    finally:
        _drop_pg_database(BASE_URL, name)


@pytest.fixture(scope="module")
def local_app(settings):
    """An app of the same installation in this process: to make records and
    look at the database, never to answer a request."""
    from core import create_app

    application = create_app(settings)
    with application.app_context():
        yield application
        from core.extensions import db

        db.session.remove()
        db.engine.dispose()
        _forget_queue(application)


def _forget_queue(application) -> None:
    """Remove this installation's job queue from Redis (its name is this run's)."""
    from core.jobs import queue_name

    conn = redis.Redis.from_url(REDIS_URL)
    for key in conn.scan_iter(f"*{queue_name(application)}*"):
        conn.delete(key)


@pytest.fixture(scope="module")
def records(local_app):
    """Reps with API tokens (one or more per test, so that no test sees
    another's sign-ins or claims), a pool rule, pool customers and a
    customer whose owner has not contacted it for 60 days."""
    from core.extensions import db
    from core.models import Customer, PoolRule
    from core.services.customers import create_customer
    from core.services.tokens import create_token
    from core.services.users import create_user

    def rep(n: int):
        user = create_user(
            {"email": f"rep{n}-{RUN}@example.com", "name": f"Rep {n}", "password": PASSWORD},
            None,
            role="sales",
        )
        return user, create_token(user, "multi-server test", None)[1]

    reps = [rep(n) for n in range(1, 9)]
    db.session.add(
        PoolRule(
            team_id=None,
            claim_limit=CLAIM_LIMIT,
            cool_off_days=0,
            recycle_after_days=30,
            remind_days_before=0,
        )
    )
    pool = [create_customer({"name": f"Pool {n}"}, None).customer.id for n in range(9)]
    neglected = create_customer({"name": "Neglected", "owner_id": reps[7][0].id}, None).customer
    neglected.last_contacted_at = datetime.now(UTC) - timedelta(days=60)
    db.session.commit()
    assert db.session.get(Customer, neglected.id).owner_id == reps[7][0].id
    return {
        "reps": [(user.id, user.email, token) for user, token in reps],
        "pool": pool,
        "neglected": neglected.id,
    }


@pytest.fixture(scope="module")
def installation(settings, records, tmp_path_factory):
    """Two app servers and two workers, started once for the module."""
    with running(settings, tmp_path_factory.mktemp("logs"), servers=2, workers=2) as started:
        yield started


class Visitor:
    """A browser behind the proxy: one client address, the headers the proxy
    adds (the client's address, HTTPS), and its own cookies — kept by hand,
    since the session cookie is ``Secure`` and this hop is plain HTTP."""

    def __init__(self, address: str | None = None) -> None:
        self.address = address or client_address()
        self.cookies: dict[str, str] = {}

    def send(self, method: str, url: str, **kwargs) -> requests.Response:
        headers = {"X-Forwarded-For": self.address, "X-Forwarded-Proto": "https"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = requests.request(
            method, url, headers=headers, allow_redirects=False, timeout=60, **kwargs
        )
        for header in response.raw.headers.getlist("Set-Cookie"):
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response

    def token(self, url: str) -> str:
        """The CSRF token of the page at ``url`` (the session gets one)."""
        found = re.search(r'name="csrf_token" value="([^"]+)"', self.send("GET", url).text)
        assert found, f"no CSRF token on {url}"
        return found[1]

    def sign_in(self, url: str, email: str, password: str, token: str) -> requests.Response:
        form = {"csrf_token": token, "email": email, "password": password}
        return self.send("POST", f"{url}/login", data=form)


def test_a_session_made_on_one_server_is_good_on_the_other(installation, records):
    """Signed in through server 1 with a form from server 2, the visitor
    is signed in on both; signing out on server 2 ends the session on server
    1 too (the session is a signed cookie, its version is in the database)."""
    one, two = installation.urls
    email = records["reps"][0][1]
    visitor = Visitor()

    signed_in = visitor.sign_in(one, email, PASSWORD, visitor.token(f"{two}/login"))

    assert signed_in.status_code == 302, signed_in.text
    assert signed_in.headers["Location"].endswith("/")
    for url in (two, one):
        page = visitor.send("GET", f"{url}/")
        assert page.status_code == 200 and "Rep 1" in page.text
    assert visitor.send("GET", f"{two}/api/v1/customers").status_code == 200
    copy = dict(visitor.cookies)

    out = visitor.send("POST", f"{two}/logout", data={"csrf_token": visitor.token(f"{one}/")})

    assert out.status_code == 302
    visitor.cookies = copy  # a copy of the cookie from before the sign-out
    after = visitor.send("GET", f"{one}/")
    assert after.status_code == 302 and "/login" in after.headers["Location"]


def test_failed_sign_ins_spread_over_both_servers_count_against_one_limit(installation, records):
    """The per-account-and-address limit counts failures sent to either
    server: alternating servers, the attempt after the limit is refused (429)
    on both — even with the right password — while the same account from
    another address still signs in."""
    one, two = installation.urls
    limit = parse(PER_ACCOUNT_AND_ADDRESS).amount
    email = records["reps"][1][1]
    guesser = Visitor()
    token = guesser.token(f"{one}/login")

    failures = [
        guesser.sign_in(installation.urls[n % 2], email, f"guess {n}", token).status_code
        for n in range(limit)
    ]
    refused = [guesser.sign_in(url, email, PASSWORD, token).status_code for url in (one, two)]

    assert failures == [401] * limit
    assert refused == [429, 429]
    owner = Visitor()
    assert owner.sign_in(two, email, PASSWORD, owner.token(f"{one}/login")).status_code == 302


def readiness(url: str) -> dict:
    """``/readyz`` of the server at ``url``, once it says ready (a worker that
    has just started may not have beaten its heart yet), or after 30 s."""
    deadline = time.monotonic() + 30
    while True:
        answer = requests.get(f"{url}/readyz", timeout=30)
        if answer.status_code == 200 or time.monotonic() > deadline:
            return answer.json()
        time.sleep(0.5)


def test_both_servers_are_ready_and_see_the_workers_heartbeat(installation):
    """``/readyz`` of each server: the database and its schema, Redis, and the
    heartbeat a worker — another process — keeps in the shared database."""
    answers = [readiness(url) for url in installation.urls]

    assert [answer["status"] for answer in answers] == ["ok", "ok"], answers
    assert {answer["checks"]["worker"]["status"] for answer in answers} == {"ok"}


def test_each_app_server_has_its_own_gunicorn_control_socket(installation):
    """gunicorn listens on a control socket (``gunicornc``); two app servers
    on one host — here, as on shared storage, with one instance folder —
    must not share one: the second would take it over from the first."""
    paths = [
        path
        for server in installation.servers
        for path in re.findall(r"Control socket listening at (\S+)", server.output())
    ]
    assert len(paths) == len(set(paths)), paths


def healthz_answers(url: str) -> float:
    """How many ``/healthz`` requests the server at ``url`` says it answered."""
    from prometheus_client.parser import text_string_to_metric_families

    text = requests.get(
        f"{url}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}, timeout=30
    ).text
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "trellis_http_request_duration_seconds_count"
        and sample.labels.get("endpoint") == "health.healthz"
    )


def test_each_app_server_counts_only_its_own_requests_in_its_metrics(installation):
    """Prometheus scrapes every app server and adds their figures up, so a
    server's ``/metrics`` must count its own requests only — not those of
    another server that shares its instance folder."""
    one, two = installation.urls
    for _ in range(3):
        assert requests.get(f"{two}/healthz", timeout=30).status_code == 200

    assert [healthz_answers(one), healthz_answers(two)] == [0, 3]


def claim_at_once(installation, claims: list[tuple[str, int]]) -> list[int]:
    """POST every ``(token, customer id)`` claim at the same moment, sent to
    the servers in turn; the status of each answer."""
    start = threading.Barrier(len(claims))

    def claim(n: int) -> int:
        token, customer_id = claims[n]
        url = installation.urls[n % len(installation.urls)]
        start.wait(timeout=30)
        return requests.post(
            f"{url}/api/v1/pool/{customer_id}/claim",
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        ).status_code

    with ThreadPoolExecutor(len(claims)) as pool:
        return list(pool.map(claim, range(len(claims))))


def owned(user_id: int) -> int:
    from core.extensions import db
    from core.models import Customer

    db.session.expire_all()
    return db.session.scalar(
        select(func.count()).select_from(Customer).where(Customer.owner_id == user_id)
    )


def test_claims_sent_to_both_servers_at_once_stop_at_the_claim_limit(installation, records):
    """Six claims by one rep at once, three to each server, limit three:
    three succeed, three are refused (422), and the rep owns three."""
    rep_id, _email, token = records["reps"][2]

    statuses = claim_at_once(installation, [(token, cid) for cid in records["pool"][:6]])

    assert sorted(statuses) == [200] * CLAIM_LIMIT + [422] * (6 - CLAIM_LIMIT), statuses
    assert owned(rep_id) == CLAIM_LIMIT


def test_reps_claiming_one_customer_through_both_servers_only_one_wins(installation, records):
    """Four reps claim one pool customer at once, two through each server:
    one claim succeeds, and that rep owns the customer."""
    from core.extensions import db
    from core.models import Customer

    reps = records["reps"][3:7]
    customer_id = records["pool"][6]

    statuses = claim_at_once(installation, [(token, customer_id) for _i, _e, token in reps])

    assert statuses.count(200) == 1, statuses
    db.session.expire_all()
    assert db.session.get(Customer, customer_id).owner_id in {rep_id for rep_id, _e, _t in reps}


def test_a_queued_job_runs_once_on_one_of_the_workers(installation, records, settings):
    """``trellis jobs enqueue`` with the servers' settings queues the pool's
    recycling job; the neglected customer is back in the pool, released
    once, and the two workers' logs hold one run of the job between them.

    Stops the workers (gently: a job they run finishes) to read complete
    logs, so it comes last."""
    from core.extensions import db
    from core.models import Customer, PoolRelease

    trellis(["jobs", "enqueue", "core.pool_recycle"], settings)
    customer_id = records["neglected"]
    back_in_pool = False
    deadline = datetime.now(UTC) + timedelta(seconds=60)
    while not back_in_pool and datetime.now(UTC) < deadline:
        db.session.expire_all()
        back_in_pool = db.session.get(Customer, customer_id).owner_id is None
        db.session.rollback()
        time.sleep(0.2)
    installation.stop_workers()

    assert back_in_pool, [w.output() for w in installation.workers]
    releases = db.session.scalars(
        select(PoolRelease.reason).where(PoolRelease.customer_id == customer_id)
    ).all()
    assert releases == ["recycled"]
    runs = [w.output().count("job core.pool_recycle done") for w in installation.workers]
    recycling = [
        w.output().count("core.pool_recycle done: 1 returned") for w in installation.workers
    ]
    assert sum(recycling) == 1, runs  # one run did the work, on one worker
    # and no other run happened — but in minute 0 the hourly run is due as well,
    # queued by both workers' schedulers and run once (the slot is claimed)
    hourly = 1 if _an_hour_began(installation.started_at, datetime.now(UTC)) else 0
    assert 1 <= sum(runs) <= 1 + hourly, runs


def _an_hour_began(start: datetime, end: datetime) -> bool:
    """Whether some moment from ``start`` to ``end`` is in minute 0 of an
    hour (UTC), when ``core.pool_recycle`` is also due as a periodic job."""
    hour = lambda moment: moment.replace(minute=0, second=0, microsecond=0)
    return start.minute == 0 or hour(start) != hour(end)
