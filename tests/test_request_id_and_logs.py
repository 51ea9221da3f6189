import json
import logging

import pytest
from django.test import override_settings

from config.request_id import RequestIdFilter, current_request_id

pytestmark = pytest.mark.django_db


def test_every_response_carries_a_request_id(client):
    """A sane incoming X-Request-ID is kept; a hostile one is replaced."""
    kept = client.get("/healthz", HTTP_X_REQUEST_ID="proxy-1234abcd")
    assert kept["X-Request-ID"] == "proxy-1234abcd"
    replaced = client.get("/healthz", HTTP_X_REQUEST_ID="bad\r\nSet-Cookie: x=1")
    assert replaced["X-Request-ID"] != "bad\r\nSet-Cookie: x=1"
    assert len(replaced["X-Request-ID"]) == 32


def test_json_log_lines_carry_the_request_id():
    """LOG_FORMAT=json writes one JSON object per line with the current request id."""
    from pythonjsonlogger.json import JsonFormatter

    formatter = JsonFormatter("%(levelname)s %(name)s %(message)s %(request_id)s")
    record = logging.LogRecord("passerelle", logging.INFO, __file__, 1, "bonjour", None, None)
    token = current_request_id.set("abc12345")
    try:
        RequestIdFilter().filter(record)
    finally:
        current_request_id.reset(token)
    line = json.loads(formatter.format(record))
    assert line == {
        "levelname": "INFO",
        "name": "passerelle",
        "message": "bonjour",
        "request_id": "abc12345",
    }


def test_unknown_pages_get_the_french_404_page(client, demo_site):
    """A visitor who follows a dead link sees a French page, not a stack trace."""
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_staff_sign_in_is_locked_after_repeated_failures(client, consultant):
    """Three wrong passwords lock the account for this address, even with the right one."""
    for _ in range(3):
        response = client.post(
            "/admin/login/", {"username": consultant.username, "password": "mauvais"}
        )
    locked = client.post(
        "/admin/login/", {"username": consultant.username, "password": "passerelle-demo"}
    )
    assert locked.status_code == 429
    assert "Connexion temporairement bloquée" in locked.content.decode()
    assert response.status_code in (200, 429)


@override_settings(AXES_ENABLED=True)
def test_staff_sign_in_still_works_with_brute_force_protection(client, consultant):
    """The right password signs in through Wagtail's login page."""
    response = client.post(
        "/admin/login/", {"username": consultant.username, "password": "passerelle-demo"}
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
