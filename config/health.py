"""/healthz: is the database reachable, is the broker reachable."""

from __future__ import annotations

import logging

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.celery import app as celery_app

logger = logging.getLogger(__name__)

BROKER_CHECK_TIMEOUT_SECONDS = 2


def database_is_reachable() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("Health check: database unreachable")
        return False
    return True


def broker_is_reachable() -> bool:
    try:
        with celery_app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, timeout=BROKER_CHECK_TIMEOUT_SECONDS)
    except Exception:
        logger.warning("Health check: broker unreachable", exc_info=True)
        return False
    return True


@never_cache
@require_GET
def healthz(request):
    checks = {
        "database": "ok" if database_is_reachable() else "error",
        "broker": "ok" if broker_is_reachable() else "error",
    }
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(checks, status=200 if healthy else 503)
