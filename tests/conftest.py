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


@pytest.fixture
def demo_site(db):
    """Home page, legal pages and the demo questionnaire."""
    from audits import demo as audits_demo
    from cms import demo as cms_demo

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
