"""Browser tests: Playwright driving Debian's chromium against pytest-django's live server."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the test
# body around it are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


def close_idle_django_connections() -> None:
    """Playwright's sync API marks an event loop as running in this thread, and Django then
    keeps its connections in another (context-local) store: the connections opened before are
    orphaned, so close them rather than leave them holding a session open on the database."""
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        reason = "chromium absent (/usr/bin/chromium) : sudo apt-get install chromium"
        if os.environ.get("PASSERELLE_REQUIRE_BROWSER"):
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    close_idle_django_connections()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()
        close_idle_django_connections()


@pytest.fixture
def page_at(browser):
    """A fresh page at a given viewport width (French locale, Paris time)."""
    contexts = []

    def open_page(width: int = 1280, height: int = 900):
        context = browser.new_context(
            viewport={"width": width, "height": height},
            locale="fr-FR",
            timezone_id="Europe/Paris",
            device_scale_factor=1,
        )
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
