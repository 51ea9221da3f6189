"""Peak memory growth of the engagement list's CSV export, in a process of its own.

Run by bench/scaling.py with the bench environment: signs in, requests the export through the
whole Django stack (test client: middleware, view, StreamingHttpResponse), reads the stream to
the end and samples the resident set size (RSS, /proc/self/statm) every 1,000 lines. The growth
is the peak minus the RSS just before the request, after a warm-up export of the same view
(imports, templates and translations loaded). Prints one line: CSV_JSON {...}.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = os.sysconf("SC_PAGE_SIZE")


def rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE


def main(username: str) -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    url = reverse("pipeline_engagements:index")
    warm = client.get(url, {"export": "csv", "q": "structure-1."})
    for _chunk in warm.streaming_content:
        pass
    gc.collect()
    before = peak = rss()
    started = time.perf_counter()
    response = client.get(url, {"export": "csv"})
    lines = size = 0
    for chunk in response.streaming_content:
        lines += 1
        size += len(chunk)
        if lines % 1000 == 0:
            peak = max(peak, rss())
    peak = max(peak, rss())
    seconds = time.perf_counter() - started
    print(
        "CSV_JSON "
        + json.dumps(
            {
                "rows": lines - 1,
                "bytes": size,
                "seconds": seconds,
                "streaming": response.streaming,
                "rss_before_mb": before / 1e6,
                "rss_peak_mb": peak / 1e6,
                "growth_mb": (peak - before) / 1e6,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main(sys.argv[1])
