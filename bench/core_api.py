"""Core API benchmark: list, filter, search, detail, timeline and create.

    .venv/bin/python -m bench.core_api                       # SQLite, 100,000 customers
    .venv/bin/python -m bench.core_api --database postgresql+psycopg://postgres@127.0.0.1/bench
    .venv/bin/python -m bench.core_api --scale 1m            # 1,000,000 customers
    .venv/bin/python -m bench.core_api --scale 10k --no-write   # a quick look

Loads a fresh database (bench/load.py; ``--scale 100k|1m|10m``: customers,
three contacts and ten activities each), then measures each request through
the real WSGI app, signed in with a bearer token as a manager whose role has
team scope: p50/p95 over ``--requests`` runs, SQL statements per request,
and the same statements replayed directly on the database connection (the
app/raw ratio). Then starts ``trellis serve --workers 2`` and measures the
customer list's requests/s at concurrency 4 and each worker's memory.
Writes its section of bench/results.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from sqlalchemy import event

from bench.common import add_scale

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.md"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class StatementLog:
    """Every statement the app sends, with its parameters, while ``on``."""

    def __init__(self, engine):
        self.on, self.items = False, []
        event.listen(engine, "before_cursor_execute", self.record)

    def record(self, conn, cursor, statement, parameters, context, executemany):
        if self.on:
            self.items.append((statement, parameters, executemany))


def replay(engine, statements) -> float:
    """Run the captured statements on a raw DB-API connection; seconds."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        started = time.perf_counter()
        for statement, parameters, many in statements:
            if many:
                cursor.executemany(statement, parameters)
            else:
                cursor.execute(statement, parameters)
            if cursor.description:
                cursor.fetchall()
        elapsed = time.perf_counter() - started
        raw.rollback()
        return elapsed
    finally:
        raw.close()


def measure(app, client, headers, log, name, method, url, body=None, n=100) -> dict:
    from core.extensions import db

    times, raws, counts = [], [], []
    for i in range(n + 5):
        payload = body(i) if callable(body) else body
        log.items = []
        log.on = True
        started = time.perf_counter()
        response = client.open(url, method=method, headers=headers, json=payload)
        elapsed = time.perf_counter() - started
        log.on = False
        assert response.status_code in (200, 201), (name, response.status_code, response.text)
        if i < 5:
            continue  # warm-up
        times.append(elapsed)
        counts.append(len(log.items))
        if method == "GET":
            with app.app_context():
                raws.append(replay(db.engine, log.items))
    row = {
        "name": name,
        "p50": percentile(times, 0.5) * 1000,
        "p95": percentile(times, 0.95) * 1000,
        "statements": max(counts),
    }
    if raws:
        row["raw_p50"] = statistics.median(raws) * 1000
        row["ratio"] = row["p50"] / row["raw_p50"]
    return row


def scenarios(customer_id: int, owner_id: int):
    counter = iter(range(10**9))
    return [
        ("Customer list, first page (default sort)", "GET", "/api/v1/customers", None),
        (
            "List filtered by owner and stage",
            "GET",
            f"/api/v1/customers?owner_id={owner_id}&stage=customer",
            None,
        ),
        ("Search by name fragment", "GET", "/api/v1/customers?q=Long", None),
        ("Customer detail", "GET", f"/api/v1/customers/{customer_id}", None),
        (
            "Timeline page (50 of 1,000)",
            "GET",
            f"/api/v1/customers/{customer_id}/activities?per_page=50",
            None,
        ),
        (
            "Create customer",
            "POST",
            "/api/v1/customers",
            lambda i: {
                "name": f"Bench new {next(counter)}",
                "grade": "B",
                "phones": [f"+8615{next(counter):09d}"],
            },
        ),
    ]


def throughput(env: dict, seconds: float = 10.0) -> dict:
    """requests/s of the customer list at concurrency 4 against `trellis serve`."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    trellis = str(Path(sys.executable).parent / "trellis")
    server = subprocess.Popen(
        [trellis, "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.2)
        token = env["BENCH_TOKEN"]
        done, errors, stop = [0], [0], threading.Event()

        def worker():
            request = urllib.request.Request(
                base + "/api/v1/customers", headers={"Authorization": f"Bearer {token}"}
            )
            while not stop.is_set():
                try:
                    with urllib.request.urlopen(request, timeout=10) as r:
                        r.read()
                    done[0] += 1
                except OSError:
                    errors[0] += 1

        for _ in range(20):  # warm both workers
            urllib.request.urlopen(
                urllib.request.Request(
                    base + "/api/v1/customers", headers={"Authorization": f"Bearer {token}"}
                )
            ).read()
        threads = [threading.Thread(target=worker) for _ in range(4)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        time.sleep(seconds)
        stop.set()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        memory = [rss_mb(pid) for pid in descendants(server.pid) if is_gunicorn_worker(pid)]
        return {"rps": done[0] / elapsed, "errors": errors[0], "worker_mb": memory}
    finally:
        server.terminate()
        server.wait(timeout=30)


def descendants(pid: int) -> list[int]:
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError):
                continue
            if ppid == parent:
                found.append(int(stat.parent.name))
                frontier.append(int(stat.parent.name))
    return found


def is_gunicorn_worker(pid: int) -> bool:
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return False
    children = descendants(pid)
    return "gunicorn" in cmd and not children


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="database URL (default: a fresh SQLite file)")
    add_scale(parser)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--no-write", action="store_true", help="do not touch results.md")
    args = parser.parse_args()

    instance = Path(tempfile.mkdtemp(prefix="trellis-bench-"))
    url = args.database or f"sqlite:///{instance}/bench.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRELLIS_")}
    env.update(
        TRELLIS_DATABASE_URL=url, TRELLIS_INSTANCE_PATH=str(instance), TRELLIS_SECRET_KEY="bench"
    )
    os.environ.update(env)

    from bench.load import bench_user, load, team_size
    from core import create_app
    from core.extensions import db
    from core.migrate import upgrade
    from core.services.tokens import create_token

    app = create_app({"TRELLIS_JOBS": "immediate"})
    with app.app_context():
        upgrade()
        print(f"loading {args.customers:,} customers ...", flush=True)
        loaded = load(args.customers)
        print(f"  {load_figures(loaded)}", flush=True)
        with db.engine.begin() as conn:  # fresh planner statistics on both databases
            conn.exec_driver_sql("ANALYZE")
        user = bench_user()
        visible = team_size(user)
        _t, token = create_token(user, "bench", None)
        db.session.commit()
        user_id = user.id
        log = StatementLog(db.engine)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    rows = []
    for name, method, path, body in scenarios(1, user_id):
        row = measure(app, client, headers, log, name, method, path, body, args.requests)
        rows.append(row)
        print(
            f"  {name:<44} p50 {row['p50']:6.1f} ms  p95 {row['p95']:6.1f} ms  "
            f"{row['statements']:2d} statements"
            + (f"  raw {row['raw_p50']:.1f} ms  x{row['ratio']:.1f}" if "ratio" in row else ""),
            flush=True,
        )
    env["BENCH_TOKEN"] = token
    served = throughput(env)
    print(
        f"  trellis serve (2 workers), concurrency 4: {served['rps']:.0f} requests/s, "
        f"workers {', '.join(f'{m:.0f} MB' for m in served['worker_mb'])}",
        flush=True,
    )
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    if not args.no_write:
        write_results(backend, loaded, visible, rows, served, args.requests)


def machine() -> str:
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, "
        f"{round(os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30)} GiB, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def write_section(title: str, body: list[str]) -> None:
    """Replace (or add) the ``## title`` section of bench/results.md."""
    lines = [f"## {title}", "", f"Measured {time.strftime('%Y-%m-%d')} on {machine()}."] + body
    section = "\n".join(lines) + "\n"
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n\n"
    start = text.find(f"## {title}")
    if start >= 0:
        end = text.find("\n## ", start + 1)
        text = text[:start] + section + (text[end:] if end >= 0 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    RESULTS.write_text(text, encoding="utf-8")
    print(f"wrote {RESULTS}")


def load_figures(loaded: dict, bold: bool = False) -> str:
    """How fast the data went in: every row (search documents included) per
    second, the index builds counted in the time."""
    rate = f"{loaded['rate']:,.0f} rows/s"
    return (
        f"{loaded['data_rows']:,} rows and {loaded['documents']:,} search documents in "
        f"{loaded['seconds']:.1f} s = {f'**{rate}**' if bold else rate} "
        f"({loaded['data_rows'] / loaded['seconds']:,.0f} rows/s without the documents)"
    )


def write_results(backend, loaded, visible, rows, served, n) -> None:
    lines = [
        f"Data: {loaded['customers']:,} customers, {loaded['contacts']:,} contacts, "
        f"{loaded['activities']:,} activities, {loaded['users']} users in "
        f"{loaded['teams']} teams; the benchmark user (role `manager`, team scope) "
        f"sees {visible:,} customers. {n} requests per row after 5 warm-ups, through "
        "the WSGI app in-process; raw = the same SQL statements replayed on a DB-API "
        "connection.",
        "",
        "| request | p50 ms | p95 ms | raw SQL p50 ms | app/raw | statements |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        raw = f"{row['raw_p50']:.1f}" if "raw_p50" in row else "—"
        ratio = f"{row['ratio']:.1f}" if "ratio" in row else "—"
        lines.append(
            f"| {row['name']} | {row['p50']:.1f} | {row['p95']:.1f} | {raw} | "
            f"{ratio} | {row['statements']} |"
        )
    lines += [
        "",
        f"- Load: {load_figures(loaded, bold=True)}.",
        f"- `trellis serve` (gunicorn, 2 workers), customer list at concurrency 4 for "
        f"10 s: **{served['rps']:.0f} requests/s** ({served['errors']} errors); "
        f"worker memory {', '.join(f'{m:.0f} MB' for m in served['worker_mb'])} RSS.",
    ]
    write_section(f"Core API on {backend}", lines)


if __name__ == "__main__":
    main()
