"""Ten visitors racing for one slot on PostgreSQL: exactly one wins."""

import threading
from datetime import UTC

import pytest
from django.db import connection
from django.test import Client

from calendar_sync.models import Meeting
from pipeline.factories import ContactFactory, EngagementFactory
from pipeline.stages import Stage
from tests.calendar_sync.helpers import booking_path, days_ahead, local

RACERS = 10


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_bookings_of_one_slot_give_one_meeting(consultant, calendar):
    """Row lock + unique constraint: one 302, nine answers offering the next slots."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "Concurrence réelle seulement sur PostgreSQL (SQLite sérialise toutes les écritures) ; "
            "lancer avec DATABASE_URL=postgres://…"
        )
    paths = []
    for _ in range(RACERS):
        engagement = EngagementFactory(owner=consultant, stage=Stage.NEW)
        ContactFactory(organisation=engagement.organisation)
        paths.append(booking_path(engagement))
    slot = local(days_ahead(3), 10).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    barrier = threading.Barrier(RACERS)
    results: list[tuple[int, str]] = []
    lock = threading.Lock()

    def race(path):
        client = Client()
        try:
            barrier.wait(timeout=30)
            response = client.post(path, {"slot": slot, "kind": "video"})
            with lock:
                results.append((response.status_code, response.content.decode()))
        finally:
            connection.close()

    threads = [threading.Thread(target=race, args=(p,)) for p in paths]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    statuses = sorted(status for status, _ in results)
    assert statuses == [302] + [409] * (RACERS - 1)
    assert Meeting.objects.count() == 1
    for status, body in results:
        if status == 409:
            assert "plus disponible" in body
            assert f'value="{slot}"' not in body
            assert 'name="slot"' in body  # the next free slots are offered
