"""`make bench` finds every endpoint of issue 9 in the data it loads, and each one answers."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db

ISSUE_ENDPOINTS = {
    "baseline (bare Django view)",
    "home",
    "campaign page",
    "article list",
    "questionnaire GET",
    "questionnaire",
    "results page",
    "booking slots",
    "board",
    "list",
    "engagement page",
    "reports",
    "ICS feed (full)",
    "ICS feed (304, If-None-Match)",
    "ICS feed (304, If-Modified-Since)",
    "roadmap page",
    "roadmap PDF",
}


def test_every_endpoint_of_the_issue_is_found_and_answers(settings, monkeypatch):
    """With the demo site and random data, the bench finds all the issue's endpoints (none
    "absent") with links it issues itself, and each answers 200 (304 with validators)."""
    from bench import fixtures
    from bench.endpoints import discover
    from pipeline import random_data

    settings.SPAM_PROTECTION = False
    random_data.create(40)
    endpoints = discover(fixtures.issue())
    assert {e.name for e in endpoints} >= ISSUE_ENDPOINTS
    for endpoint in endpoints:
        if endpoint.path == "/bench/baseline/":
            continue  # only routed with config.settings.bench
        client = Client()
        if endpoint.login_as:
            client.force_login(get_user_model().objects.get(username=endpoint.login_as))
        response = client.get(endpoint.path, **endpoint.client_headers())
        expected = 304 if "304" in endpoint.name else 200
        assert response.status_code == expected, (endpoint.name, endpoint.path)
