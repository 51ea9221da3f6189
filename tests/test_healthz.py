import json

import pytest

from config.celery import app as celery_app
from tests.services import free_port, use_broker

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/healthz", "/healthz/"])
def test_healthz_reports_database_and_broker(client, path):
    """Both reachable: 200 and "ok" for each."""
    response = client.get(path)
    assert response.status_code == 200
    assert json.loads(response.content) == {"database": "ok", "broker": "ok"}


def test_healthz_is_503_when_the_broker_is_down(client):
    """A broker nobody listens to makes the health check fail with 503."""
    with use_broker(celery_app, f"redis://127.0.0.1:{free_port()}/0"):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content) == {"database": "ok", "broker": "error"}
