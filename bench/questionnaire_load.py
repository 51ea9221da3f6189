"""Questionnaire GET versus final POST under concurrent visitors, with real step tokens.

wrk cannot replay a multi-step form (each screen carries a signed token and each submission a
one-time nonce), so each client here walks the whole questionnaire like a visitor: GET /audit/
(timed as a GET), four "Continuer" screens, then the final "Voir mon diagnostic" POST (timed as
the POST). Both measures come from the same clients, in the same run.
"""

from __future__ import annotations

import http.client
import re
import threading
import time
from html import unescape
from urllib.parse import urlencode, urlsplit

# One dict per screen, all answers valid (same shape as the demo questionnaire).
STEPS = [
    {"organisation_type": "association", "headcount": "11_50", "current_suite": "google"},
    {
        "tools_by_usage__email": ["gmail"],
        "tools_by_usage__visio": ["zoom", "google-meet"],
        "tools_by_usage__chat": ["whatsapp"],
        "tools_by_usage__files": ["google-drive"],
    },
    {
        "pain_points": ["dependance_us_cloud_act", "cout"],
        "data_sensitivity": ["donnees_personnelles"],
        "own_domain": "oui",
        "deadline": "pas_urgence",
    },
    {
        "it_capacity": "volontaire_interne",
        "budget": "moins_1000",
        "pace": "progressivement",
        "change_readiness": "mitige",
    },
    {
        "organisation_name": "Structure de mesure",
        "contact_name": "Camille Mesure",
        "role": "Direction",
        "postcode": "69007",
        "consent_contact": "on",
    },
]
HIDDEN = re.compile(r'name="(etape|brouillon|csrfmiddlewaretoken)" value="([^"]*)"')


class Walker:
    def __init__(self, base_url: str, path: str, index: int):
        parts = urlsplit(base_url)
        self.host, self.port, self.path = parts.hostname, parts.port, path
        self.index = index
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)

    def request(self, method: str, body: dict | None = None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        payload = None
        if body is not None:
            payload = urlencode(body, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"http://{self.host}:{self.port}"
            headers["Referer"] = f"http://{self.host}:{self.port}{self.path}"
        started = time.perf_counter()
        self.connection.request(method, self.path, body=payload, headers=headers)
        response = self.connection.getresponse()
        html = response.read().decode("utf-8", "replace")
        elapsed = time.perf_counter() - started
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, html, elapsed

    def walk(self, n: int) -> tuple[float, float | None]:
        """One submission; returns (GET seconds, final POST seconds or None if refused)."""
        status, html, get_time = self.request("GET")
        answers = {key: value for step in STEPS for key, value in step.items()}
        answers["email"] = f"mesure-{self.index}-{n}@structure-{self.index}-{n}.example.org"
        for step in range(len(STEPS)):
            hidden = {unescape(k): unescape(v) for k, v in HIDDEN.findall(html)}
            action = "submit" if step == len(STEPS) - 1 else "next"
            status, html, elapsed = self.request("POST", {**answers, **hidden, "action": action})
            if action == "submit":
                return get_time, elapsed if status == 303 else None
            if status != 200:
                return get_time, None
        return get_time, None


def run(base_url: str, path: str, *, clients: int = 10, duration: float = 6.0) -> dict:
    gets: list[float] = []
    posts: list[float] = []
    failures = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + duration

    def worker(index: int):
        walker = Walker(base_url, path, index)
        n = 0
        while time.monotonic() < deadline:
            try:
                get_time, post_time = walker.walk(n)
            except (OSError, http.client.HTTPException):
                walker = Walker(base_url, path, index)
                post_time, get_time = None, None
            with lock:
                if get_time is not None:
                    gets.append(get_time)
                if post_time is None:
                    failures[0] += 1
                else:
                    posts.append(post_time)
            n += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return {"get": gets, "post": posts, "failures": failures[0], "seconds": elapsed}


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def final_post_queries(path: str) -> int:
    """SQL queries of the final POST, walking the steps with Django's test client in-process."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    html = client.get(path).content.decode()
    answers = {key: value for step in STEPS for key, value in step.items()}
    answers["email"] = f"requetes-{time.monotonic_ns()}@example.org"
    for step in range(len(STEPS)):
        hidden = {unescape(k): unescape(v) for k, v in HIDDEN.findall(html)}
        action = "submit" if step == len(STEPS) - 1 else "next"
        if action == "submit":
            with CaptureQueriesContext(connection) as captured:
                response = client.post(path, {**answers, **hidden, "action": action})
            if response.status_code != 303:
                raise RuntimeError(f"final POST answered {response.status_code}")
            return len(captured)
        html = client.post(path, {**answers, **hidden, "action": action}).content.decode()
    return 0


def first_get_queries(path: str) -> int:
    """SQL queries of the first screen's GET for a new visitor (after a warm-up)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    Client().get(path)
    with CaptureQueriesContext(connection) as captured:
        Client().get(path)
    return len(captured)
