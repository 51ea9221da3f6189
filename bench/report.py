"""The tables `make bench` prints and writes to docs/benchmarks.md, and the issue's targets."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from bench.scaling import ADMIN_PAGES, AtScale, ScalingRow


@dataclass
class Measure:
    name: str
    rps: float | None = None
    p50_ms: float | None = None
    p95_ms: float | None = None
    requests: int = 0
    bytes_per_response: float | None = None
    queries: int | None = None
    errors: int = 0
    baseline_rps: float | None = None  # the bare view measured just before, same server
    in_process_ms: float | None = None
    note: str = ""
    rounds: int = 1
    ratio: float | None = None  # req/s over the bare view's just before (median of rounds)
    p50_by_round: list[float | None] = field(default_factory=list)


@dataclass
class Target:
    label: str
    ok: bool | None
    detail: str

    @property
    def mark(self) -> str:
        return {True: "PASS", False: "FAIL", None: "NOT MEASURED"}[self.ok]


def fmt(value, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}".replace(",", " ")


def n(value: int) -> str:
    """An integer with a space between thousands (100 000)."""
    return f"{value:,}".replace(",", " ")


def _size(value: float | None) -> str:
    if value is None:
        return "—"
    if value >= 10_000:
        return f"{value / 1000:,.0f} kB".replace(",", " ")
    return f"{value:,.0f} B".replace(",", " ")


def load_table(measures: list[Measure]) -> list[str]:
    lines = [
        "| endpoint | req/s | p50 ms | p95 ms | ratio to bare view | SQL queries | "
        "requests | size | notes |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for m in measures:
        ratio = "—" if m.ratio is None else f"{m.ratio:.0%}"
        notes = [m.note] if m.note else []
        if m.errors:
            notes.append(f"**{m.errors} errors**")
        lines.append(
            f"| {m.name} | {fmt(m.rps, 0)} | {fmt(m.p50_ms)} | {fmt(m.p95_ms)} | {ratio} | "
            f"{'—' if m.queries is None else m.queries} | {n(m.requests)} | "
            f"{_size(m.bytes_per_response)} | {'; '.join(notes)} |"
        )
    return lines


def _cost(cost) -> str:
    if cost is None:
        return "—"
    return f"{cost.queries} q · {fmt(cost.ms, 0)} ms"


def scaling_table(rows: list[ScalingRow]) -> list[str]:
    sizes = [row.organisations for row in rows]
    lines = [
        "| page | " + " | ".join(f"{n(size)} organisations" for size in sizes) + " |",
        "|---|" + "---:|" * len(sizes),
    ]
    for page in ADMIN_PAGES:
        lines.append(f"| {page} | " + " | ".join(_cost(r.pages.get(page)) for r in rows) + " |")
    return lines


def at_scale_table(big: AtScale) -> list[str]:
    lines = [
        f"| direct call at {n(big.organisations)} organisations | SQL queries | time |",
        "|---|---:|---:|",
    ]
    for name, cost in big.calls.items():
        lines.append(f"| {name} | {cost.queries} | {fmt(cost.ms, 0)} ms |")
    csv = big.csv or {}
    if "error" in csv:
        lines += ["", f"CSV export failed: `{csv['error']}`"]
    elif csv:
        lines += [
            "",
            "CSV export of the engagement list (whole Django stack, in a fresh process): "
            f"{n(csv['rows'])} rows, {csv['bytes'] / 1e6:.1f} MB sent in {csv['seconds']:.1f} s "
            f"({n(round(csv['rows'] / csv['seconds']))} rows/s), "
            f"{'streamed' if csv['streaming'] else 'NOT streamed'}; resident memory "
            f"{csv['rss_before_mb']:.0f} MB before, peak {csv['rss_peak_mb']:.0f} MB: "
            f"**growth {csv['growth_mb']:.1f} MB**.",
        ]
    return lines


def targets(measures: list[Measure], rows: list[ScalingRow], big: AtScale | None) -> list[Target]:
    by_name = {m.name: m for m in measures}
    out: list[Target] = []

    campaign = by_name.get("campaign page")
    label = "campaign page ≥ 50% of the bare view's req/s"
    if campaign and campaign.ratio is not None:
        out.append(
            Target(
                label,
                campaign.ratio >= 0.5,
                f"{campaign.ratio:.0%} ({fmt(campaign.rps, 0)} vs {fmt(campaign.baseline_rps, 0)}"
                " req/s, bare view measured just before)",
            )
        )
    else:
        out.append(Target(label, None, "not measured"))

    get, post = by_name.get("questionnaire GET (walk)"), by_name.get("questionnaire POST")
    label = "questionnaire POST p95 ≤ 3× its GET p95"
    if get and post and get.p95_ms and post.p95_ms:
        ratio = post.p95_ms / get.p95_ms
        out.append(
            Target(
                label,
                ratio <= 3,
                f"{ratio:.2f}× ({fmt(post.p95_ms)} ms vs {fmt(get.p95_ms)} ms, same visitors)",
            )
        )
    else:
        out.append(Target(label, None, "not measured"))

    for page in ("board", "list"):
        label = f"{page}: same SQL query count at 100 and 10,000 organisations"
        counts = {r.organisations: r.pages[page].queries for r in rows if page in r.pages}
        if 100 in counts and 10_000 in counts:
            detail = ", ".join(f"{n(size)}: {q}" for size, q in counts.items())
            out.append(Target(label, counts[100] == counts[10_000], detail))
        else:
            out.append(Target(label, None, "not measured"))

    full = by_name.get("ICS feed (full)")
    for variant in ("If-None-Match", "If-Modified-Since"):
        cached = by_name.get(f"ICS feed (304, {variant})")
        label = f"ICS 304 ({variant}) ≤ 10% of a full response (p50 latency)"
        # Full and 304 measured back to back in each round: the ratio of each round, then the
        # median (what a busy machine does to one round weighs on both of its measures).
        pairs = (
            [c / f for f, c in zip(full.p50_by_round, cached.p50_by_round, strict=False) if f and c]
            if full and cached
            else []
        )
        if pairs:
            ratio = statistics.median(pairs)
            out.append(
                Target(
                    label,
                    ratio <= 0.1,
                    f"{ratio:.1%}, median of {len(pairs)} rounds "
                    f"({', '.join(f'{r:.1%}' for r in pairs)}); medians {fmt(cached.p50_ms)} ms "
                    f"vs {fmt(full.p50_ms)} ms; {_size(cached.bytes_per_response)} vs "
                    f"{_size(full.bytes_per_response)} per response with headers",
                )
            )
        else:
            out.append(Target(label, None, "not measured"))

    label = "CSV export of 100,000 rows: peak memory growth < 50 MB"
    csv = (big.csv or {}) if big else {}
    if csv.get("growth_mb") is not None and csv.get("rows", 0) >= 100_000:
        out.append(
            Target(
                label,
                csv["growth_mb"] < 50,
                f"{csv['growth_mb']:.1f} MB RSS growth for {n(csv['rows'])} rows",
            )
        )
    else:
        out.append(Target(label, None, csv.get("error", "not measured")))
    return out


def render(*, measures, rows, big, header, target_list) -> str:
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (bench/run.py); the reading of the figures is at the end.",
        "",
        f"- Date: {header['date']}",
        f"- Machine: {header['machine']}",
        f"- Commit: `{header['commit']}`",
        f"- Database: {header['database']}",
        f"- Server: gunicorn, {header['workers']} sync workers, settings `config.settings.bench`"
        " (DEBUG off, local-memory cache, anti-spam delays off); load: wrk, 1 thread, "
        f"{header['connections']} connections, {header['duration']} s per endpoint, on "
        "127.0.0.1 (wrk and the server share the 2 cores).",
        "- Data: `load_demo`, then `create_random_data` up to 100, 1 000 and 10 000 "
        "organisations (contacts, engagements with their stage history and timeline, tasks, "
        "meetings, roadmaps), then up to 100 000 with `--without-extras` (no timeline, tasks, "
        "meetings or roadmaps); the load table runs at "
        f"{n(header['organisations'])} random organisations.",
        f"- Whole run: {header['elapsed']:.0f} s.",
        "",
        "## Load: each endpoint beside the bare Django view, same server, same run",
        "",
        "The bare view (`bench/baseline.py`, through the whole middleware stack) is measured "
        "again just before each endpoint (the three ICS rows share one run); the ratio compares "
        "neighbouring runs, so a machine busy with something else weighs on both. The rows "
        "that targets check (campaign page, ICS feed) are measured in five rounds, the "
        "medians kept; the ICS rows, whose target compares latencies, use one connection "
        "(no request waits behind another; their bare view run too). SQL queries: one "
        "request, counted in-process with Django's test client after a warm-up. Size: bytes "
        "per response, headers included.",
        "",
        *load_table(measures),
        "",
        "## Scaling: SQL queries and in-process time per admin page",
        "",
        "Median of three requests through Django's test client (middleware, view, template), "
        "signed in as a consultant who sees every engagement.",
        "",
        *scaling_table(rows),
    ]
    if big is not None:
        lines += ["", *at_scale_table(big)]
    lines += [
        "",
        "## Targets (issue 9)",
        "",
        *[f"- **{t.mark}** {t.label}: {t.detail}" for t in target_list],
        "",
    ]
    return "\n".join(lines)
