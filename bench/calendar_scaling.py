"""Calendar costs as data grows (issue 6): a consultant's free slots with 20 and 2,000 busy
events inside the booking horizon, and a subscription feed of 500 and 5,000 meetings.

Runs in-process against the bench database (`make bench` builds it; or any migrated database
named by DATABASE_URL). Each measure is the median of five calls; the data it creates is rolled
back. Usage: `python bench/calendar_scaling.py` (prints a Markdown table).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")

BUSY_SIZES = (20, 2_000)
FEED_SIZES = (500, 5_000)
AVAILABILITY_LIMIT, FEED_LIMIT = 5, 10  # issue 6: ×5 and ×10 at most


def median_ms(call, rounds: int = 5) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def measure() -> dict[str, dict[int, float]]:
    from django.db import transaction
    from django.utils import timezone

    from calendar_sync import ical
    from calendar_sync.availability import booking_window, free_slots
    from calendar_sync.models import (
        BusySource,
        BusyTime,
        ConsultantCalendar,
        Meeting,
        MeetingAttendee,
    )  # fmt: skip
    from pipeline.factories import ConsultantFactory, EngagementFactory

    results: dict[str, dict[int, float]] = {"availability": {}, "feed": {}}
    now = timezone.now()
    with transaction.atomic():
        consultant = ConsultantFactory(username="bench-calendar")
        calendar = ConsultantCalendar.objects.create(consultant=consultant)
        start, end = booking_window(calendar, now)
        span = end - start
        for size in BUSY_SIZES:
            BusyTime.objects.filter(calendar=calendar).delete()
            step = span / size
            BusyTime.objects.bulk_create(
                BusyTime(
                    calendar=calendar,
                    source=BusySource.ICS,
                    start=start + step * index,
                    end=start + step * index + min(step / 2, timedelta(minutes=30)),
                )
                for index in range(size)
            )
            results["availability"][size] = median_ms(lambda: free_slots(calendar, now=now))

        engagement = EngagementFactory(owner=consultant)
        for size in FEED_SIZES:
            Meeting.objects.filter(organiser=consultant).delete()
            Meeting.objects.bulk_create(
                Meeting(
                    engagement=engagement,
                    organiser=consultant,
                    start=now + timedelta(hours=3 * index),
                    end=now + timedelta(hours=3 * index, minutes=45),
                    uid=f"bench-{size}-{index}@passerelle",
                )
                for index in range(size)
            )
            meetings = Meeting.objects.filter(organiser=consultant)
            first = now.date()
            last = (now + timedelta(hours=3 * size)).date()

            def build(meetings=meetings, first=first, last=last):
                # As the feed view does: the names in one query, the meetings streamed.
                people: dict[int, list[str]] = {}
                for meeting_id, name in MeetingAttendee.objects.filter(
                    meeting__in=meetings
                ).values_list("meeting_id", "name"):
                    people.setdefault(meeting_id, []).append(name)
                return ical.feed(
                    meetings.select_related("engagement__organisation", "organiser")
                    .order_by("start", "pk")
                    .iterator(chunk_size=1000),
                    people=people, name="Bench", first=first, last=last, stamp=now,
                )  # fmt: skip

            results["feed"][size] = median_ms(build, rounds=3)
        transaction.set_rollback(True)
    return results


def report(results: dict[str, dict[int, float]]) -> str:
    small_busy, big_busy = (results["availability"][n] for n in BUSY_SIZES)
    small_feed, big_feed = (results["feed"][n] for n in FEED_SIZES)
    busy_ratio, feed_ratio = big_busy / small_busy, big_feed / small_feed
    lines = [
        "| measure | small | large | ratio | target |",
        "|---|---:|---:|---:|---|",
        f"| free slots, {BUSY_SIZES[0]} vs {BUSY_SIZES[1]:,} busy events | {small_busy:.1f} ms "
        f"| {big_busy:.1f} ms | {busy_ratio:.1f}× | ≤ {AVAILABILITY_LIMIT}× "
        f"**{'PASS' if busy_ratio <= AVAILABILITY_LIMIT else 'FAIL'}** |",
        f"| ICS feed, {FEED_SIZES[0]} vs {FEED_SIZES[1]:,} meetings | {small_feed:.1f} ms "
        f"| {big_feed:.1f} ms | {feed_ratio:.1f}× | ≤ {FEED_LIMIT}× "
        f"**{'PASS' if feed_ratio <= FEED_LIMIT else 'FAIL'}** |",
    ]
    return "\n".join(lines)


def main() -> int:
    import django

    django.setup()
    print(report(measure()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
