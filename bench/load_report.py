"""The load test's section of bench/results.md, from the ladder's figures
(``bench/load_ladder.py``) and what ``bench/load_test.py`` saw around them."""

from __future__ import annotations

LIMIT_MS = 200


def held_step(steps: list[dict]) -> dict | None:
    """The largest step held at p95 <= the limit with no error."""
    good = [s for s in steps if s["total"]["p95"] <= LIMIT_MS and not errors_of(s)]
    return max(good, key=lambda s: s["users"]) if good else None


def errors_of(step: dict) -> int:
    return step["total"]["failures"] + step["ramp_failures"]


def cores(step: dict) -> str:
    cpu = step.get("cpu") or {}
    if not cpu:
        return "—"
    keys = ("app_cores", "pg_cores", "locust_cores", "other_cores")
    return " / ".join(f"{cpu.get(key, 0):.2f}" for key in keys)


def cost(steps: list[dict]) -> list[str]:
    """CPU per request over all steps: a figure that other work on the
    machine changes little (it takes cores away, not work off a request)."""
    measured = [s for s in steps if s.get("cpu") and s["total"]["requests"]]
    requests = sum(s["total"]["requests"] for s in measured)
    if not requests:
        return []
    per = {
        key: sum(s["cpu"][key] * s["seconds"] for s in measured) / requests * 1000
        for key in ("app_cores", "pg_cores", "locust_cores")
    }
    other = sum(s["cpu"]["other_cores"] for s in measured) / len(measured)
    ceiling = 2000 / sum(per.values())
    return [
        "",
        f"CPU per request, over all steps: app servers {per['app_cores']:.1f} ms, PostgreSQL "
        f"{per['pg_cores']:.1f} ms, locust {per['locust_cores']:.1f} ms. Other work on the "
        f"machine took {other:.2f} of its 2 cores on average while the steps were measured. "
        f"With the two cores to themselves, these would run out of CPU at about "
        f"{ceiling:.0f} requests/s (an estimate from the CPU times, not a measurement; "
        "latency grows before that).",
    ]


def report(run: dict) -> list[str]:
    args, held, steps = run["args"], run["held"], run["steps"]
    best = held_step(steps)
    ms = lambda v: f"{v:.0f}"  # noqa: E731
    lines = [
        "",
        f"Set-up: {args['servers']} app servers (`trellis serve --workers {args['app_workers']}`, "
        f"gunicorn sync workers), {args['workers']} job worker (`trellis worker --threads 2`), "
        "PostgreSQL and Redis on the same machine, `TRELLIS_ENV=production`, "
        "`TRELLIS_JOBS=queue` — the processes and settings of `compose.yaml`, started by "
        "`core.testing.servers`. No reverse proxy is installed here: `bench/locustfile.py` "
        "sends each request to the next server in turn (round robin over all users, as the "
        "proxy does) with the proxy's `X-Forwarded-For`/`X-Forwarded-Proto` headers.",
        "",
        f"Data: {held['customers']:,} customers, {held['contacts']:,} contacts, "
        f"{held['activities']:,} activities, {held['orders']:,} work orders (two years; the "
        f"open ones in the last two weeks), {held['reps']} reps (role `sales`, own scope, about "
        f"{held['customers'] // max(held['reps'], 1):,} customers each), {held['dispatchers']} "
        "dispatchers (scope all), 200 engineers, one public "
        "request link; search index rebuilt after loading.",
        "",
        "Traffic (`bench/locustfile.py`), by share of users: reps 80 % (signed in through "
        "the form; three actions in four browse or search — list page and API, "
        "`/api/v1/customers?q=` and `/search?q=` with a Latin prefix, a Chinese city or a "
        "phone fragment, a customer page with its timeline — one in four logs an activity, "
        "through the API or the page's quick action), dispatchers 15 % (work orders to "
        "dispatch, an order, suggested engineers, assign; the board page), the public 5 % "
        "(request form, file a request, thank-you page, tracking page; a new visitor and "
        "address each time). Each user pauses 1–5 s between actions (people pause longer, so "
        f"one simulated user stands for several real ones). Each step: users started at "
        f"{args['ramp_rate']:g}/s, the new ones sign in, then {args['duration']:g} s measured "
        "(sign-ins fall in the ramp and are not in the step's figures, but a failure in the "
        f"ramp counts). The ladder stops after the first step with p95 > {LIMIT_MS} ms or an "
        "error.",
        "",
        "| users (reps/dispatchers/public) | req/s | p50 ms | p95 ms | max ms | requests | "
        "errors | error rate | cores: app / PostgreSQL / locust / other work |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for step in steps:
        total, mix = step["total"], step["user_classes"]
        who = f"{mix.get('Rep', 0)}/{mix.get('Dispatcher', 0)}/{mix.get('PublicVisitor', 0)}"
        errors = errors_of(step)
        rate = errors / max(total["requests"] + step["ramp_failures"], 1)
        lines.append(
            f"| {step['users']} ({who}) | {total['rps']:.1f} | {ms(total['p50'])} | "
            f"{ms(total['p95'])} | {ms(total['max'])} | {total['requests']:,} | {errors} | "
            f"{rate:.2%} | {cores(step)} |"
        )
    lines.append("")
    if best:
        lines.append(
            f"**Largest load held at p95 ≤ {LIMIT_MS} ms with 0 errors: {best['users']} users, "
            f"{best['total']['rps']:.1f} requests/s** (p50 {ms(best['total']['p50'])} ms, "
            f"p95 {ms(best['total']['p95'])} ms)."
        )
    else:
        lines.append(f"No step held p95 ≤ {LIMIT_MS} ms with 0 errors.")
    lines += cost(steps)
    names = sorted({name for step in steps for name in step["types"]})
    lines += [
        "",
        "Per request type, p50 / p95 ms at each step (share of the requests at the "
        "largest step held):",
        "",
        "| request | share | " + " | ".join(f"{s['users']} users" for s in steps) + " |",
        "|---|---:|" + "---:|" * len(steps),
    ]
    for name in names:
        share = (
            f"{best['types'][name]['requests'] / best['total']['requests']:.0%}"
            if best and name in best["types"]
            else "—"
        )
        cells = [
            f"{ms(s['types'][name]['p50'])} / {ms(s['types'][name]['p95'])}"
            if name in s["types"]
            else "—"
            for s in steps
        ]
        lines.append(f"| {name} | {share} | " + " | ".join(cells) + " |")
    sign_ins = [s["sign_in"] for s in steps if s.get("sign_in")]
    if sign_ins:
        lines += [
            "",
            "Sign-ins (in the ramps, Argon2): "
            + ", ".join(f"{s['requests']} at p95 {ms(s['p95'])} ms" for s in sign_ins)
            + ".",
        ]
    broken = [s for s in steps if errors_of(s)]
    for step in broken[:1]:
        lines += ["", f"Errors at {step['users']} users:"]
        for error in (step["ramp_errors"] + step["errors"])[:5]:
            lines.append(f"- {error['occurrences']}× {error['name']}: `{error['error'][:160]}`")
    lines += [
        "",
        "Machine: 2 cores for everything — the app servers, the job worker, PostgreSQL, "
        "Redis and locust itself — and this machine is shared: other sessions run their test "
        "suites on it at the same time. The cores column says who used the cores while a "
        "step was measured (1.00 = one core busy all along, 2.00 = all of them): the two app "
        "servers' processes, PostgreSQL's backends serving this database, locust, and other "
        "work — what the rest of the machine used (the job worker and Redis are in it, next "
        "to nothing). A step whose other work is high measured the app on less than two "
        f"cores. Load average (1 min): {run['load_before']:.2f} before "
        f"loading the data, {run['load_start']:.2f} when the ladder started, "
        f"{run['load_end']:.2f} at its end. Tracebacks in the servers' logs: "
        f"{run['tracebacks']}.",
        "",
        "Reproduce (PostgreSQL at 127.0.0.1:5432, Redis at 127.0.0.1:6379; "
        "`pip install -e '.[bench]'` for locust):",
        "",
        "```sh",
        ".venv/bin/python -m bench.load_test     # creates and drops database trellis_loadtest",
        "```",
    ]
    return lines
