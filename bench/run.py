"""`make bench`: measure every hot path as a ratio against a bare Django view, in one run.

1. Fresh database (SQLite under var/bench/, or `<name>_bench` on the PostgreSQL server of
   DATABASE_URL), migrated, with `load_demo` and `create_random_data`.
2. Scaling: query counts and in-process render times of the admin pages at 100, 1,000 and
   10,000 organisations; list and report queries at 100,000 through direct service calls;
   peak memory of a streamed CSV export of 100,000 rows.
3. gunicorn (fixed workers) on 127.0.0.1, driven by wrk: requests/s, p50 and p95 per endpoint
   beside the baseline view, measured before and after the endpoints, in the same run.
4. The table is printed and written to docs/benchmarks.md with date, machine and commit.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
BENCH_DIR = ROOT / "var" / "bench"
REPORT = ROOT / "docs" / "benchmarks.md"


@dataclass
class Measure:
    name: str
    rps: float | None = None
    p50_ms: float | None = None
    p95_ms: float | None = None
    queries: int | None = None
    errors: int = 0
    note: str = ""


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- Database ---------------------------------------------------------------------------------


def bench_database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        base, _, name = url.rpartition("/")
        bench_name = f"{name.split('?')[0]}_bench"
        admin_url = f"{base}/postgres"
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{bench_name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{bench_name}"')
        return f"{base}/{bench_name}"
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    database = BENCH_DIR / "bench.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{database}"


def bench_environment(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.bench",
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": "memory://",
            "SPAM_PROTECTION": "off",
        }
    )
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [str(VENV_BIN / "python"), "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


# --- In-process measures (query counts, scaling) ------------------------------------------------


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def session_cookie(username: str) -> str:
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return f"sessionid={client.cookies['sessionid'].value}"


def count_queries(endpoint, runs: int = 3) -> tuple[int, float]:
    """Queries of one request (after a warm-up) and its median in-process time in ms."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    if endpoint.login_as:
        from django.contrib.auth import get_user_model

        client.force_login(get_user_model().objects.get(username=endpoint.login_as))
    counter = iter(range(10**9))

    def call():
        if endpoint.method == "POST":
            body = endpoint.body.replace("{n}", f"q{next(counter)}")
            client.cookies["csrftoken"] = "b" * 32
            return client.post(
                endpoint.path, body, content_type="application/x-www-form-urlencoded"
            )
        return client.get(endpoint.path)

    call()
    timings = []
    queries = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = call()
            timings.append((time.perf_counter() - start) * 1000)
        queries = len(captured)
        if response.status_code >= 400:
            raise RuntimeError(f"{endpoint.name}: HTTP {response.status_code}")
    return queries, statistics.median(timings)


# --- Load (gunicorn + wrk) --------------------------------------------------------------------


def start_gunicorn(env: dict[str, str], port: int, workers: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "config.wsgi", "--workers", str(workers),
         "--bind", f"127.0.0.1:{port}", "--access-logfile", "-", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/baseline/", timeout=2):
                return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("gunicorn did not start")


def run_wrk(url: str, endpoint, *, duration: int, connections: int, cookie: str = "") -> Measure:
    env = dict(os.environ)
    headers = dict(endpoint.headers)
    if cookie:
        headers["Cookie"] = "; ".join(filter(None, [headers.get("Cookie"), cookie]))
    env["BENCH_METHOD"] = endpoint.method
    if endpoint.body:
        env["BENCH_BODY"] = endpoint.body
    if headers:
        env["BENCH_HEADERS"] = "\n".join(f"{k}: {v}" for k, v in headers.items())
    result = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency",
         "-s", str(ROOT / "bench" / "report.lua"), url],
        env=env,
        capture_output=True,
        text=True,
        timeout=duration + 60,
        check=False,
    )  # fmt: skip
    line = next((x for x in result.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if line is None:
        return Measure(endpoint.name, note=f"wrk failed: {result.stderr.strip()[:80]}")
    data = json.loads(line.removeprefix("BENCH_JSON "))
    seconds = data["duration_us"] / 1e6
    return Measure(
        endpoint.name,
        rps=data["requests"] / seconds if seconds else 0,
        p50_ms=data["p50_us"] / 1000,
        p95_ms=data["p95_us"] / 1000,
        errors=data["errors"],
    )


# --- Report -----------------------------------------------------------------------------------


def fmt(value, digits=1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}".replace(",", " ")


def machine_line() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"


def commit() -> str:
    result = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip() or "unknown"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=4, help="seconds of load per endpoint")
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--organisations", type=int, default=1000, help="data for the load table")
    parser.add_argument("--skip-scaling", action="store_true")
    args = parser.parse_args()

    if shutil.which("wrk") is None:
        print("wrk est introuvable : sudo apt-get install wrk", file=sys.stderr)
        return 2
    started = time.monotonic()
    database_url = bench_database_url()
    env = bench_environment(database_url)
    log(f"database {database_url.split('@')[-1]}")
    manage(env, "migrate", "--noinput")
    manage(env, "load_demo")
    setup_django(env)

    from bench import scaling
    from bench.endpoints import discover

    scaling_rows = []
    sizes = [100, 1000, 10000] if not args.skip_scaling else [args.organisations]
    loaded = 0
    for size in sizes:
        manage(env, "create_random_data", "--organisations", str(size - loaded))
        loaded = size
        log(f"{size} organisations loaded")
        scaling_rows.append(scaling.measure_admin_pages(size))
        if size == args.organisations:
            load_table = load_run(env, args, discover())
    if args.organisations not in sizes:
        load_table = load_run(env, args, discover())
    big = (
        scaling.measure_at_scale(env, target=100_000, loaded=loaded, manage=manage)
        if not args.skip_scaling
        else None
    )

    report = scaling.render(
        load_table=load_table,
        scaling_rows=scaling_rows,
        big=big,
        header={
            "date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
            "machine": machine_line(),
            "commit": commit(),
            "database": "PostgreSQL" if database_url.startswith("postgres") else "SQLite",
            "workers": args.workers,
            "connections": args.connections,
            "duration": args.duration,
            "organisations": args.organisations,
            "elapsed": time.monotonic() - started,
        },
    )
    print(report)
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(report, encoding="utf-8")
    log(f"written {REPORT.relative_to(ROOT)} in {time.monotonic() - started:.0f} s")
    return 0


def questionnaire_flow(port: int, endpoint, args) -> list[Measure]:
    """GET and final POST of the questionnaire, timed from the same visitors in the same run."""
    from bench import questionnaire_load as flow

    result = flow.run(
        f"http://127.0.0.1:{port}", endpoint.path,
        clients=args.connections, duration=max(args.duration, 6),
    )  # fmt: skip
    seconds = result["seconds"]

    def measure(name, samples, queries, note=""):
        return Measure(
            name,
            rps=len(samples) / seconds if seconds else None,
            p50_ms=(flow.percentile(samples, 50) or 0) * 1000 if samples else None,
            p95_ms=(flow.percentile(samples, 95) or 0) * 1000 if samples else None,
            queries=queries,
            errors=result["failures"] if name.endswith("POST") else 0,
            note=note,
        )

    get_queries, _ = count_queries(endpoint.__class__(endpoint.name, endpoint.path))
    note = f"{args.connections} visitors walking the 5 screens"
    measures = [
        measure("questionnaire GET (visitors)", result["get"], get_queries, note),
        measure("questionnaire POST", result["post"], flow.final_post_queries(endpoint.path), note),
    ]
    for m in measures:
        log(f"{m.name}: p95 {fmt(m.p95_ms)} ms over {fmt(m.rps)} req/s")
    return measures


def load_run(env, args, endpoints) -> list[Measure]:
    port = free_port()
    log(f"gunicorn --workers {args.workers} on 127.0.0.1:{port}")
    server = start_gunicorn(env, port, args.workers)
    measures: list[Measure] = []
    try:
        baseline, *others = endpoints
        first_baseline = run_wrk(
            f"http://127.0.0.1:{port}{baseline.path}", baseline,
            duration=args.duration, connections=args.connections,
        )  # fmt: skip
        for endpoint in others:
            if not endpoint.available:
                measures.append(Measure(endpoint.name, note=f"absent ({endpoint.missing_reason})"))
                continue
            if endpoint.method == "FLOW":
                measures.extend(questionnaire_flow(port, endpoint, args))
                continue
            queries, _ = count_queries(endpoint)
            cookie = session_cookie(endpoint.login_as) if endpoint.login_as else ""
            measure = run_wrk(
                f"http://127.0.0.1:{port}{endpoint.path}", endpoint,
                duration=args.duration, connections=args.connections, cookie=cookie,
            )  # fmt: skip
            measure.queries = queries
            measures.append(measure)
            log(f"{endpoint.name}: {fmt(measure.rps)} req/s, p95 {fmt(measure.p95_ms)} ms")
        last_baseline = run_wrk(
            f"http://127.0.0.1:{port}{baseline.path}", baseline,
            duration=args.duration, connections=args.connections,
        )  # fmt: skip
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    baseline_measure = Measure(
        baseline.name,
        rps=statistics.mean([first_baseline.rps or 0, last_baseline.rps or 0]),
        p50_ms=statistics.mean([first_baseline.p50_ms or 0, last_baseline.p50_ms or 0]),
        p95_ms=statistics.mean([first_baseline.p95_ms or 0, last_baseline.p95_ms or 0]),
        queries=0,
        note=f"before {fmt(first_baseline.rps, 0)} / after {fmt(last_baseline.rps, 0)} req/s",
    )
    return [baseline_measure, *measures]


if __name__ == "__main__":
    sys.exit(main())
