"""`make bench`: measure every hot path as a ratio against a bare Django view, in one run.

1. A fresh database (SQLite under var/bench/, or `bench_<name>` on the PostgreSQL server of
   DATABASE_URL), migrated, with `load_demo`.
2. Scaling: `create_random_data` up to 100, 1,000 and 10,000 organisations; at each size the
   query counts and in-process times of the admin pages (board, list, engagement, reports).
3. At 1,000 organisations (--organisations), the load table: gunicorn (fixed workers) on
   127.0.0.1 driven by wrk, requests/s, p50 and p95 per endpoint, each beside the bare view
   measured just before it on the same server; the questionnaire walked screen by screen by
   simulated visitors (GET and final POST); SQL queries per request counted in-process.
4. Up to 100,000 organisations (`--without-extras`): the list and report queries through
   direct service calls, and the peak memory of the streamed CSV export of 100,000 rows.
5. The issue's targets checked (PASS/FAIL; the exit status is 1 if one fails); the tables
   printed and written to docs/benchmarks.md (docs/benchmarks-postgresql.md on PostgreSQL)
   with date, machine, commit and database; the hand-written "Reading the figures" section at
   the end of the file is kept.
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
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.report import Measure, fmt, render, targets  # noqa: E402

VENV_BIN = Path(sys.executable).parent
BENCH_DIR = ROOT / "var" / "bench"
REPORT = ROOT / "docs" / "benchmarks.md"  # SQLite (the default); PostgreSQL: REPORT_POSTGRESQL
REPORT_POSTGRESQL = ROOT / "docs" / "benchmarks-postgresql.md"
READING_HEADING = "## Reading the figures"
SCALING_SIZES = (100, 1_000, 10_000)
BIG_SIZE = 100_000


STARTED = time.monotonic()


def log(message: str) -> None:
    print(f"[bench +{time.monotonic() - STARTED:4.0f} s] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- Database ---------------------------------------------------------------------------------


def bench_database_url() -> str:
    """A database of its own, recreated at each run; never the one DATABASE_URL names, unless
    its name starts with "bench" (so `test` or `test_*` are never touched)."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        base, _, name = url.rpartition("/")
        name = name.split("?")[0]
        bench_name = name if name.startswith("bench") else f"bench_{name}"
        with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
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
    env.pop("CACHE_URL", None)  # local memory: what one instance keeps for itself
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [str(VENV_BIN / "python"), "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django

    django.setup()


# --- In-process measures ----------------------------------------------------------------------


def _client(endpoint):
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    if endpoint.login_as:
        client.force_login(get_user_model().objects.get(username=endpoint.login_as))
    return client


def count_queries(endpoint, runs: int = 3) -> tuple[int, float, float]:
    """SQL queries of one request after a warm-up, the median in-process time (ms) and the
    time of the first (cold) request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client(endpoint)
    headers = endpoint.client_headers()
    start = time.perf_counter()
    first = client.get(endpoint.path, **headers)
    cold_ms = (time.perf_counter() - start) * 1000
    if first.status_code >= 400:
        raise RuntimeError(f"{endpoint.name}: HTTP {first.status_code} for {endpoint.path}")
    timings, queries = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(endpoint.path, **headers)
            if response.streaming:
                b"".join(response.streaming_content)
            timings.append((time.perf_counter() - start) * 1000)
        queries = len(captured)
    return queries, statistics.median(timings), cold_ms


def session_cookie(username: str) -> str:
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return f"sessionid={client.cookies['sessionid'].value}"


# --- Load (gunicorn + wrk) --------------------------------------------------------------------


def start_gunicorn(env: dict[str, str], port: int, workers: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "config.wsgi", "--workers", str(workers),
         "--bind", f"127.0.0.1:{port}", "--timeout", "120", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/baseline/", timeout=2):
                return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("gunicorn did not start")


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def fetch(port: int, endpoint, cookie: str = "", timeout: float = 120) -> int:
    headers = dict(endpoint.headers)
    if cookie:
        headers["Cookie"] = cookie
    request = urllib.request.Request(f"http://127.0.0.1:{port}{endpoint.path}", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def wait_idle(port: int, baseline) -> None:
    """Requests still queued from the last run are served before this one gets an answer."""
    for _ in range(2):
        fetch(port, baseline)


def run_wrk(port: int, endpoint, *, duration: int, connections: int, cookie: str = "") -> Measure:
    env = dict(os.environ)
    headers = dict(endpoint.headers)
    if cookie:
        headers["Cookie"] = cookie
    env["BENCH_METHOD"] = endpoint.method
    env.pop("BENCH_BODY", None)
    env["BENCH_HEADERS"] = "\n".join(f"{k}: {v}" for k, v in headers.items())
    result = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "60s", "--latency",
         "-s", str(ROOT / "bench" / "report.lua"), f"http://127.0.0.1:{port}{endpoint.path}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=duration + 120,
        check=False,
    )  # fmt: skip
    line = next((x for x in result.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if line is None:
        return Measure(endpoint.name, note=f"wrk failed: {result.stderr.strip()[:80]}")
    data = json.loads(line.removeprefix("BENCH_JSON "))
    seconds = data["duration_us"] / 1e6
    requests = data["requests"]
    return Measure(
        endpoint.name,
        rps=requests / seconds if seconds else 0,
        p50_ms=data["p50_us"] / 1000 if requests else None,
        p95_ms=data["p95_us"] / 1000 if requests else None,
        requests=requests,
        bytes_per_response=data["bytes"] / requests if requests else None,
        errors=data["errors"],
    )


# Issue 4: the questionnaire's POST p95 is compared with its GET under 10 concurrent clients.
QUESTIONNAIRE_VISITORS = 10


def questionnaire_flow(port: int, endpoint, args) -> list[Measure]:
    """The first screen's GET and the final POST, timed from the same visitors."""
    from bench import questionnaire_load as flow

    visitors = max(args.connections, QUESTIONNAIRE_VISITORS)
    result = flow.run(
        f"http://127.0.0.1:{port}", endpoint.path,
        clients=visitors, duration=max(3 * args.duration, 9),
    )  # fmt: skip
    seconds = result["seconds"]
    note = f"{visitors} visitors walking the 5 screens; "

    def measure(name, samples, queries, extra):
        return Measure(
            name,
            rps=len(samples) / seconds if seconds else None,
            bytes_per_response=None,
            p50_ms=flow.percentile(samples, 50) * 1000 if samples else None,
            p95_ms=flow.percentile(samples, 95) * 1000 if samples else None,
            requests=len(samples),
            queries=queries,
            errors=result["failures"] if name.endswith("POST") else 0,
            note=note + extra,
        )

    return [
        measure(
            "questionnaire GET (walk)", result["get"], flow.first_get_queries(endpoint.path),
            "GET of the first screen",
        ),
        measure(
            "questionnaire POST", result["post"], flow.final_post_queries(endpoint.path),
            "final screen: records the submission, opens the engagement, scores",
        ),
    ]  # fmt: skip


def _groups(endpoints) -> list[list]:
    groups: list[list] = []
    for endpoint in endpoints:
        if endpoint.group and groups and groups[-1][0].group == endpoint.group:
            groups[-1].append(endpoint)
        else:
            groups.append([endpoint])
    return groups


def _combine(runs: list[Measure]) -> Measure:
    """One line from several rounds: medians, and the median of the per-round ratios."""
    first = runs[0]

    def median(values):
        values = [v for v in values if v is not None]
        return statistics.median(values) if values else None

    ratios = [m.rps / m.baseline_rps for m in runs if m.rps is not None and m.baseline_rps]
    return Measure(
        first.name,
        rps=median(m.rps for m in runs),
        p50_ms=median(m.p50_ms for m in runs),
        p95_ms=median(m.p95_ms for m in runs),
        requests=sum(m.requests for m in runs),
        bytes_per_response=median(m.bytes_per_response for m in runs),
        queries=first.queries,
        errors=sum(m.errors for m in runs),
        baseline_rps=median(m.baseline_rps for m in runs),
        in_process_ms=first.in_process_ms,
        note="; ".join(
            part
            for part in (first.note, f"median of {len(runs)} rounds" if len(runs) > 1 else "")
            if part
        ),
        rounds=len(runs),
        ratio=median(ratios),
        p50_by_round=[m.p50_ms for m in runs],
    )


def measure_endpoint(port, endpoint, args, cookies, counted) -> list[Measure]:
    if endpoint.method == "FLOW":
        return questionnaire_flow(port, endpoint, args)
    queries, in_process_ms, cold_ms = counted
    measure = run_wrk(
        port, endpoint, duration=args.duration,
        connections=endpoint.connections or args.connections,
        cookie=cookies.get(endpoint.login_as, ""),
    )  # fmt: skip
    measure.queries = queries
    measure.in_process_ms = in_process_ms
    measure.note = endpoint.note
    if endpoint.name == "roadmap PDF":
        measure.note += f"; first rendering {cold_ms:,.0f} ms".replace(",", " ")
    return [measure]


def load_run(env, args, endpoints) -> list[Measure]:
    port = free_port()
    log(f"gunicorn --workers {args.workers} on 127.0.0.1:{port}")
    server = start_gunicorn(env, port, args.workers)
    baseline, *others = endpoints
    cookies = {e.login_as: session_cookie(e.login_as) for e in others if e.login_as}
    counted = {e.name: count_queries(e) for e in endpoints if e.method != "FLOW"}
    measures: list[Measure] = []
    bare: list[Measure] = []
    try:
        # Warm-up: imports, template loaders, page and PDF caches in every worker.
        run_wrk(port, baseline, duration=1, connections=args.connections)
        # Concurrent requests, so that every worker renders (and caches) each page once.
        with ThreadPoolExecutor(max_workers=2 * args.workers) as pool:
            for endpoint in others:
                if endpoint.method != "FLOW":
                    cookie = cookies.get(endpoint.login_as, "")
                    list(pool.map(lambda _i, e=endpoint, c=cookie: fetch(port, e, c),
                                  range(4 * args.workers)))  # fmt: skip
        for group in _groups(others):
            runs: dict[str, list[Measure]] = {}
            for _round in range(max(e.rounds for e in group)):
                wait_idle(port, baseline)
                reference = run_wrk(
                    port,
                    baseline,
                    duration=args.baseline_duration,
                    connections=group[0].connections or args.connections,
                )
                bare.append(reference)
                for endpoint in group:
                    wait_idle(port, baseline)
                    for measure in measure_endpoint(
                        port, endpoint, args, cookies, counted.get(endpoint.name)
                    ):
                        measure.baseline_rps = reference.rps
                        runs.setdefault(measure.name, []).append(measure)
            for name, found in runs.items():
                measure = _combine(found)
                measures.append(measure)
                log(
                    f"{name}: {fmt(measure.rps, 0)} req/s (bare view "
                    f"{fmt(measure.baseline_rps, 0)}), p50 {fmt(measure.p50_ms)} ms, "
                    f"p95 {fmt(measure.p95_ms)} ms, {measure.queries} queries"
                )
    finally:
        stop(server)
    rates = [m.rps for m in bare if m.rps]
    baseline_measure = Measure(
        baseline.name,
        rps=statistics.median(rates),
        p50_ms=statistics.median(m.p50_ms for m in bare if m.p50_ms is not None),
        p95_ms=statistics.median(m.p95_ms for m in bare if m.p95_ms is not None),
        requests=sum(m.requests for m in bare),
        bytes_per_response=bare[0].bytes_per_response,
        queries=counted[baseline.name][0],
        ratio=1.0,
        note=f"median of {len(bare)} runs, one before each group: "
        f"{fmt(min(rates), 0)} to {fmt(max(rates), 0)} req/s",
    )
    return [baseline_measure, *measures]


def ics_in_process(endpoints) -> str:
    """The feed's in-process cost: built, from the body cache (production), and a 304."""
    from django.test import override_settings

    by_name = {e.name: e for e in endpoints}
    built = count_queries(by_name["ICS feed (full)"])[1]
    with override_settings(CALENDAR_FEED_CACHE_SECONDS=3600):
        cached = count_queries(by_name["ICS feed (full)"])[1]
    not_modified = count_queries(by_name["ICS feed (304, If-None-Match)"])[1]
    return (
        f"in-process medians: built {built:.1f} ms, from the body cache {cached:.1f} ms, "
        f"304 {not_modified:.1f} ms"
    )


# --- Report -----------------------------------------------------------------------------------


def machine_line(load_at_start: float) -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return (
        f"{os.cpu_count()} cores, {cpu}{memory}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}; load average {load_at_start:.1f} at the start, "
        f"{os.getloadavg()[0]:.1f} at the end (others use this machine too)"
    )


def commit() -> str:
    def git(*args):
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()

    sha = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--untracked-files=no", "--", ".", ":!docs")
    return sha + (" (with uncommitted changes)" if dirty else "")


def database_line(database_url: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
            return f"PostgreSQL {version} (database `{connection.settings_dict['NAME']}`)"
        cursor.execute("select sqlite_version()")
        path = Path(database_url.split(":///")[-1]).relative_to(ROOT)
        return f"SQLite {cursor.fetchone()[0]} (WAL, `{path}`)"


def kept_reading(report: Path) -> str:
    if not report.exists():
        return ""
    text = report.read_text(encoding="utf-8")
    index = text.find(READING_HEADING)
    return text[index:] if index >= 0 else ""


def calendar_costs(env: dict[str, str]) -> str:
    """Free slots against 20 / 2,000 busy events and a feed of 500 / 5,000 meetings."""
    from bench.scaling import run_bench_script

    result = run_bench_script(env, "calendar_scaling.py")
    if result.returncode:
        return "Not measured: " + (result.stderr.strip().splitlines() or ["?"])[-1]
    return result.stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=3, help="seconds of load per endpoint")
    parser.add_argument("--baseline-duration", type=int, default=2)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--organisations", type=int, default=1000, help="data for the load table")
    parser.add_argument(
        "--skip-scaling", action="store_true", help="only the load table (no 10,000 / 100,000)"
    )
    parser.add_argument("--no-write", action="store_true", help="print, leave docs/ alone")
    args = parser.parse_args()

    if shutil.which("wrk") is None:
        print("wrk est introuvable : sudo apt-get install wrk", file=sys.stderr)
        return 2
    started, load_at_start = time.monotonic(), os.getloadavg()[0]
    database_url = bench_database_url()
    env = bench_environment(database_url)
    log(f"database {database_url.split('@')[-1]}")
    manage(env, "migrate", "--noinput")
    manage(env, "load_demo")
    log("migrated, demo loaded")
    setup_django(env)

    from bench import fixtures, scaling
    from bench.endpoints import discover

    sizes = sorted({*SCALING_SIZES, args.organisations}) if not args.skip_scaling else []
    sizes = sizes or [args.organisations]
    rows, measures, ics_note, loaded = [], None, "", 0
    for size in sizes:
        manage(env, "create_random_data", "--organisations", str(size - loaded))
        loaded = size
        log(f"{size} organisations loaded")
        endpoints = discover(fixtures.issue())
        rows.append(scaling.measure_admin_pages(size, endpoints, count_queries))
        log(
            f"{size}: "
            + ", ".join(f"{k} {v.queries} q {v.ms:.0f} ms" for k, v in rows[-1].pages.items())
        )
        if size == args.organisations:
            measures = load_run(env, args, endpoints)
            ics_note = ics_in_process(endpoints)
    big = None
    if not args.skip_scaling:
        manage(env, "create_random_data", "--organisations", str(BIG_SIZE - loaded),
               "--without-extras", "--seed", "43")  # fmt: skip
        log(f"{BIG_SIZE} organisations loaded")
        big = scaling.measure_at_scale(BIG_SIZE, "bench-consultant-1", env)
        log(f"at {BIG_SIZE}: {big.calls}; CSV {big.csv}")

    for measure in measures:
        if measure.name == "ICS feed (full)":
            measure.note = "; ".join(filter(None, [measure.note, ics_note]))
    target_list = targets(measures, rows, big)
    calendar_table = calendar_costs(env)
    log("calendar costs measured")
    from django.db import connection

    header = {
        "date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "machine": machine_line(load_at_start),
        "commit": commit(),
        "database": database_line(database_url),
        "workers": args.workers,
        "connections": args.connections,
        "duration": args.duration,
        "organisations": args.organisations,
        "elapsed": time.monotonic() - started,
    }
    connection.close()
    report = render(measures=measures, rows=rows, big=big, header=header, target_list=target_list)
    report += (
        "\n\n## Calendar costs as data grows (issue 6)\n\n"
        "In-process, median of several calls (bench/calendar_scaling.py).\n\n"
        + calendar_table
        + "\n"
    )
    print(report)
    if not args.no_write:
        path = REPORT_POSTGRESQL if database_url.startswith("postgres") else REPORT
        reading = kept_reading(path)
        path.write_text(report + ("\n" + reading if reading else ""), encoding="utf-8")
        log(f"written {path.relative_to(ROOT)}")
    log(f"done in {time.monotonic() - started:.0f} s")
    return 0 if all(t.ok is not False for t in target_list) else 1


if __name__ == "__main__":
    sys.exit(main())
