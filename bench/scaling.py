"""Cost as data grows: admin pages at 100 / 1,000 / 10,000 organisations, list and report at
100,000, and the peak memory of a streamed CSV export."""

from __future__ import annotations

import tracemalloc
from dataclasses import dataclass, field

ADMIN_PAGES = ("board", "list", "engagement page", "reports")


@dataclass
class ScalingRow:
    organisations: int
    pages: dict[str, tuple[int, float] | None] = field(default_factory=dict)


@dataclass
class AtScale:
    organisations: int
    pages: dict[str, tuple[int, float] | None] = field(default_factory=dict)
    csv_rows: int = 0
    csv_peak_mb: float | None = None
    note: str = ""


def _admin_endpoints():
    from bench.endpoints import discover

    return {e.name: e for e in discover() if e.name in ADMIN_PAGES}


def measure_admin_pages(size: int) -> ScalingRow:
    from bench.run import count_queries

    row = ScalingRow(size)
    for name, endpoint in _admin_endpoints().items():
        row.pages[name] = count_queries(endpoint) if endpoint.available else None
    return row


def measure_at_scale(env, *, target: int, loaded: int, manage) -> AtScale:
    from bench.run import count_queries, log

    manage(env, "create_random_data", "--organisations", str(target - loaded))
    log(f"{target} organisations loaded")
    result = AtScale(target)
    endpoints = _admin_endpoints()
    for name in ("list", "reports"):
        endpoint = endpoints.get(name)
        result.pages[name] = (
            count_queries(endpoint, runs=1) if endpoint and endpoint.available else None
        )
    listing = endpoints.get("list")
    if listing and listing.available:
        result.csv_rows, result.csv_peak_mb = csv_export_peak(listing)
    return result


def csv_export_peak(endpoint) -> tuple[int, float]:
    """Stream the list's CSV export and return (rows, peak traced memory growth in MB)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=endpoint.login_as))
    tracemalloc.start()
    baseline, _ = tracemalloc.get_traced_memory()
    response = client.get(endpoint.path, {"export": "csv"})
    rows = 0
    chunks = response.streaming_content if response.streaming else [response.content]
    for chunk in chunks:
        rows += chunk.count(b"\n")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return max(rows - 1, 0), (peak - baseline) / 1e6


def _cell(value) -> str:
    if value is None:
        return "—"
    queries, ms = value
    return f"{queries} q · {ms:,.0f} ms".replace(",", " ")


def render(*, load_table, scaling_rows, big, header) -> str:
    from bench.run import fmt

    baseline = load_table[0]
    lines = [
        "# Benchmarks",
        "",
        f"- Date: {header['date']}",
        f"- Machine: {header['machine']}",
        f"- Commit: `{header['commit']}`",
        f"- Database: {header['database']}; gunicorn {header['workers']} workers; wrk 1 thread, "
        f"{header['connections']} connections, {header['duration']} s per endpoint; "
        f"{header['organisations']} random organisations for the load table.",
        f"- Whole run: {header['elapsed']:.0f} s (`make bench`).",
        "",
        "## Load: each endpoint beside the bare Django view, same server, same run",
        "",
        "| endpoint | req/s | p50 ms | p95 ms | ratio to baseline req/s | SQL queries | notes |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for measure in load_table:
        ratio = (
            f"{measure.rps / baseline.rps:.0%}" if measure.rps is not None and baseline.rps else "—"
        )
        note = measure.note + (f" {measure.errors} errors" if measure.errors else "")
        lines.append(
            f"| {measure.name} | {fmt(measure.rps, 0)} | {fmt(measure.p50_ms)} | "
            f"{fmt(measure.p95_ms)} | {ratio} | "
            f"{'—' if measure.queries is None else measure.queries} | {note.strip()} |"
        )
    lines += ["", "## Scaling: queries and in-process render time per admin page", ""]
    names = [name for name in ADMIN_PAGES]
    lines.append("| organisations | " + " | ".join(names) + " |")
    lines.append("|---:|" + "---|" * len(names))
    for row in scaling_rows:
        lines.append(
            f"| {row.organisations:,} | ".replace(",", " ")
            + " | ".join(_cell(row.pages.get(n)) for n in names)
            + " |"
        )
    if big is not None:
        lines.append(
            f"| {big.organisations:,} | ".replace(",", " ")
            + " | ".join(
                _cell(big.pages.get(n)) if n in big.pages else "not measured" for n in names
            )
            + " |"
        )
        lines += [
            "",
            f"CSV export of the list at {big.organisations:,} organisations: "
            f"{big.csv_rows:,} rows streamed, peak traced memory growth "
            f"{fmt(big.csv_peak_mb)} MB.".replace(",", " "),
        ]
    lines += ["", *targets(load_table, scaling_rows, big), ""]
    return "\n".join(lines)


def targets(load_table, scaling_rows, big) -> list[str]:
    by_name = {m.name: m for m in load_table}
    baseline = load_table[0]
    out = ["## Targets (issue ratios)", ""]

    def check(label, ok, detail):
        mark = "✅" if ok else ("—" if ok is None else "❌")
        out.append(f"- {mark} {label}: {detail}")

    campaign = by_name.get("campaign page")
    if campaign and campaign.rps and baseline.rps:
        ratio = campaign.rps / baseline.rps
        check("campaign page ≥ 50 % of the bare view's req/s", ratio >= 0.5, f"{ratio:.0%}")
    else:
        check("campaign page ≥ 50 % of the bare view's req/s", None, "not measured")
    get = by_name.get("questionnaire GET (visitors)")
    post = by_name.get("questionnaire POST")
    if get and post and get.p95_ms and post.p95_ms:
        ratio = post.p95_ms / get.p95_ms
        check("questionnaire POST p95 ≤ 3× its GET", ratio <= 3, f"{ratio:.2f}×")
    else:
        check("questionnaire POST p95 ≤ 3× its GET", None, "not measured")
    for name in ("board", "list"):
        counts = [row.pages.get(name) for row in scaling_rows]
        counts = [c[0] for c in counts if c]
        if len(counts) == len(scaling_rows) and counts:
            check(f"{name} queries identical from 100 to 10 000", len(set(counts)) == 1, counts)
        else:
            check(f"{name} queries identical from 100 to 10 000", None, "not measured")
    full, cached = by_name.get("ICS feed (full)"), by_name.get("ICS feed (304)")
    if full and cached and full.p50_ms and cached.p50_ms:
        ratio = cached.p50_ms / full.p50_ms
        check("ICS 304 ≤ 10 % of a full response", ratio <= 0.1, f"{ratio:.0%}")
    else:
        check("ICS 304 ≤ 10 % of a full response", None, "not measured")
    if big and big.csv_peak_mb is not None:
        check(
            "CSV export of 100 000 rows: peak memory growth < 50 MB",
            big.csv_peak_mb < 50,
            f"{big.csv_peak_mb:.1f} MB",
        )
    else:
        check("CSV export of 100 000 rows: peak memory growth < 50 MB", None, "not measured")
    return out
