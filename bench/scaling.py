"""Cost as data grows: the admin pages at 100 / 1,000 / 10,000 organisations, the list and
report queries at 100,000 through direct service calls, and the peak memory of the list's
streamed CSV export of 100,000 rows (in a fresh process, bench/csv_memory.py)."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ADMIN_PAGES = ("board", "list", "engagement page", "reports")
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Cost:
    queries: int
    ms: float


@dataclass
class ScalingRow:
    organisations: int
    pages: dict[str, Cost] = field(default_factory=dict)


@dataclass
class AtScale:
    organisations: int
    calls: dict[str, Cost] = field(default_factory=dict)
    csv: dict | None = None


def measure_admin_pages(size: int, endpoints, count_queries) -> ScalingRow:
    row = ScalingRow(size)
    for endpoint in endpoints:
        if endpoint.name in ADMIN_PAGES:
            queries, ms, _ = count_queries(endpoint)
            row.pages[endpoint.name] = Cost(queries, ms)
    return row


def _timed(call, runs: int = 3) -> Cost:
    """Queries of one call (after a warm-up) and its median time."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call()
    timings, queries = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            call()
            timings.append((time.perf_counter() - start) * 1000)
        queries = len(captured)
    return Cost(queries, statistics.median(timings))


def service_calls(username: str) -> dict[str, object]:
    """The list's and the report's queries, called directly (no view, no template)."""
    from django.contrib.auth import get_user_model

    from pipeline import access
    from pipeline.services.reports import Period, pipeline_report

    user = get_user_model().objects.get(username=username)

    def first_page():
        # What the list runs: the total, then one page of 50 with organisation and owner.
        engagements = access.engagements_for(user).select_related("organisation", "owner")
        engagements.count()
        list(engagements.order_by("-created_at", "-pk")[:50])

    def first_page_filtered():
        engagements = access.engagements_for(user).select_related("organisation", "owner")
        engagements = engagements.filter(stage="meeting_scheduled", score__gte=50)
        engagements.count()
        list(engagements.order_by("-created_at", "-pk")[:50])

    return {
        "list: count + first page": first_page,
        "list: filtered (stage, score)": first_page_filtered,
        "report: last 90 days": lambda: pipeline_report(
            access.engagements_for(user), Period.last_days(90)
        ),
        "report: last 12 months": lambda: pipeline_report(
            access.engagements_for(user), Period.last_days(365)
        ),
    }


def measure_at_scale(size: int, username: str, env: dict[str, str]) -> AtScale:
    result = AtScale(size)
    for name, call in service_calls(username).items():
        result.calls[name] = _timed(call, runs=1 if "report" in name else 3)
    result.csv = csv_export_memory(env, username)
    return result


def run_bench_script(env: dict[str, str], script: str, *args: str):
    """A bench/ script in a fresh process (its own memory, its own Django setup)."""
    return subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *args],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip


def csv_export_memory(env: dict[str, str], username: str) -> dict:
    """Stream the list's CSV export in a fresh process: rows, seconds, RSS growth."""
    completed = run_bench_script(env, "csv_memory.py", username)
    line = next(
        (x for x in completed.stdout.splitlines() if x.startswith("CSV_JSON ")),
        None,
    )
    if line is None:
        return {"error": (completed.stderr or completed.stdout).strip()[-300:]}
    return json.loads(line.removeprefix("CSV_JSON "))
