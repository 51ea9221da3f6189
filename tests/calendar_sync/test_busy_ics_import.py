"""Busy times imported from an ICS URL: recurrences expanded, free and cancelled ignored."""

import http.server
import threading
from datetime import UTC, timedelta

import pytest

from calendar_sync import availability, busy
from calendar_sync.models import BusyTime
from tests.calendar_sync.helpers import days_ahead, local

pytestmark = pytest.mark.django_db


@pytest.fixture
def ics_server():
    """Serves whatever the test puts in `server.body` on 127.0.0.1."""

    class Handler(http.server.BaseHTTPRequestHandler):
        body = b""
        status = 200

        def do_GET(self):
            self.send_response(Handler.status)
            self.send_header("Content-Type", "text/calendar")
            self.end_headers()
            self.wfile.write(Handler.body)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.handler = Handler
    server.url = f"http://127.0.0.1:{server.server_port}/agenda.ics"
    yield server
    server.shutdown()


def utc(moment):
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def test_ics_busy_times_block_slots(calendar, ics_server):
    """Daily recurring event, all-day event, free and cancelled events — each read right."""
    day = days_ahead(2)
    ics_server.handler.body = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
        # 10:00–11:00 Paris, every day for 3 days.
        "BEGIN:VEVENT\r\nUID:daily@x\r\nDTSTAMP:20260101T000000Z\r\n"
        f"DTSTART;TZID=Europe/Paris:{day:%Y%m%d}T100000\r\n"
        f"DTEND;TZID=Europe/Paris:{day:%Y%m%d}T110000\r\nRRULE:FREQ=DAILY;COUNT=3\r\nEND:VEVENT\r\n"
        # A whole day off, five days later.
        "BEGIN:VEVENT\r\nUID:allday@x\r\nDTSTAMP:20260101T000000Z\r\n"
        f"DTSTART;VALUE=DATE:{day + timedelta(days=5):%Y%m%d}\r\n"
        f"DTEND;VALUE=DATE:{day + timedelta(days=6):%Y%m%d}\r\nEND:VEVENT\r\n"
        # Marked free, and cancelled: neither blocks anything.
        "BEGIN:VEVENT\r\nUID:free@x\r\nDTSTAMP:20260101T000000Z\r\nTRANSP:TRANSPARENT\r\n"
        f"DTSTART:{utc(local(day, 14))}\r\nDTEND:{utc(local(day, 15))}\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:cancelled@x\r\nDTSTAMP:20260101T000000Z\r\nSTATUS:CANCELLED\r\n"
        f"DTSTART:{utc(local(day, 15))}\r\nDTEND:{utc(local(day, 16))}\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    ).encode()
    calendar.busy_ics_url = ics_server.url
    calendar.save()
    assert busy.sync_busy_times(calendar) == 4
    free = {s.start for s in availability.free_slots(calendar)}
    for offset in range(3):
        assert local(day + timedelta(days=offset), 10) not in free
        assert local(day + timedelta(days=offset), 11) in free
    assert local(day + timedelta(days=3), 10) in free
    assert not any(local(day + timedelta(days=5), h) in free for h in (9, 10, 11, 14, 15, 16))
    assert local(day, 14) in free and local(day, 15) in free


def test_a_failing_source_keeps_the_last_busy_times_and_says_why(calendar, ics_server):
    """An unreachable or broken calendar leaves the previous import and records the error."""
    day = days_ahead(2)
    ics_server.handler.body = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:a@x\r\n"
        f"DTSTAMP:20260101T000000Z\r\nDTSTART:{utc(local(day, 10))}\r\n"
        f"DTEND:{utc(local(day, 11))}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()
    calendar.busy_ics_url = ics_server.url
    calendar.save()
    busy.sync_busy_times(calendar)
    ics_server.handler.status = 500
    busy.sync_busy_times(calendar)
    calendar.refresh_from_db()
    assert "HTTP" in calendar.busy_sync_error
    assert BusyTime.objects.filter(calendar=calendar).count() == 1
