"""Shared test fixtures. No test may reach the network beyond this machine."""

from __future__ import annotations

import ipaddress
import socket

import pytest

from pipeline.factories import ConsultantFactory, MarketingFactory, UserFactory

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _is_local(address) -> bool:
    if not isinstance(address, tuple):  # Unix sockets and pipes stay on the machine.
        return True
    host = address[0]
    if host in {"localhost", ""}:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class OutboundNetworkForbidden(RuntimeError):
    pass


@pytest.fixture(autouse=True)
def forbid_outbound_network(monkeypatch):
    """Tests talk to 127.0.0.1 only (PostgreSQL, Redis, SMTP stubs, the live server)."""

    def guarded_connect(sock, address):
        if not _is_local(address):
            raise OutboundNetworkForbidden(f"Outbound network access in a test: {address!r}")
        return _real_connect(sock, address)

    def guarded_connect_ex(sock, address):
        if not _is_local(address):
            raise OutboundNetworkForbidden(f"Outbound network access in a test: {address!r}")
        return _real_connect_ex(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Reference data built once per session, not per test: the tool catalogue and the demo
    site (tests roll back what they change; transactional tests rebuild it when needed)."""
    from audits import demo as audits_demo
    from audits.catalogue_import import import_catalogue, load_catalogue_file
    from cms import demo as cms_demo

    with django_db_blocker.unblock():
        import_catalogue(load_catalogue_file())
        audits_demo.load(cms_demo.load())


@pytest.fixture(autouse=True)
def reset_broker_breaker():
    """The outbox's broker breaker is per process: no test inherits another's outage."""
    from pipeline.outbox import broker_breaker

    broker_breaker.reset()
    yield
    broker_breaker.reset()


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in French: a request to an /en/ page leaves its thread in English
    (LocaleMiddleware activates, nothing deactivates), which later tests must not inherit."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def clear_cache():
    """Rate-limit counters live in the cache: each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def demo_site(db):
    """Home page, legal pages and the demo questionnaire."""
    from audits import demo as audits_demo
    from audits.catalogue_import import import_catalogue, load_catalogue_file
    from audits.models import Usage
    from cms import demo as cms_demo

    if not Usage.objects.exists():  # emptied by a transactional test
        import_catalogue(load_catalogue_file())
    home = cms_demo.load()
    audit_page = audits_demo.load(home)
    return {"home": home, "audit_page": audit_page}


@pytest.fixture
def consultant(db):
    return ConsultantFactory(username="consultant-test", email="consultant@passerelle.test")


@pytest.fixture
def marketing_user(db):
    return MarketingFactory(username="marketing-test")


@pytest.fixture
def superuser(db):
    user = UserFactory(username="admin-test")
    user.is_superuser = True
    user.is_staff = True
    user.save()
    return user


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run on_commit callbacks (the outbox hand-off) as a real commit would."""

    def runner():
        return django_capture_on_commit_callbacks(execute=True)

    return runner
