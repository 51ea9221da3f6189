"""Helpers for tests that need real services (a private Redis, a real Celery worker)."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def use_broker(app, url: str, *, eager: bool = False):
    """Point the Celery app at another broker for the duration of the block."""
    saved = {
        "broker_url": app.conf.broker_url,
        "broker_transport_options": app.conf.broker_transport_options,
        "task_always_eager": app.conf.task_always_eager,
    }
    # Celery reads CELERY_BROKER_URL from the environment before its own configuration.
    saved_environ = os.environ.get("CELERY_BROKER_URL")
    os.environ["CELERY_BROKER_URL"] = url
    app.conf.broker_url = url
    app.conf.broker_transport_options = {
        "socket_connect_timeout": 1,
        "socket_timeout": 3,
        "max_retries": 1,
    }
    app.conf.task_always_eager = eager
    _reset_connections(app)
    try:
        yield app
    finally:
        app.conf.update(saved)
        if saved_environ is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = saved_environ
        _reset_connections(app)


def _reset_connections(app) -> None:
    # Connection and producer pools are cached per broker URL; start afresh.
    from kombu import pools

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


class PrivateRedis:
    """A throw-away redis-server on a free port; never the machine's shared one."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None
        self.folder = tempfile.mkdtemp(prefix="passerelle-redis-")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> PrivateRedis:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server n'est pas installé sur cette machine")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", self.folder],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), 0.2),
            ):
                return self
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


class PrivateRadicale:
    """A throw-away Radicale CalDAV server on 127.0.0.1, storage in a temporary folder."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.folder = tempfile.mkdtemp(prefix="passerelle-radicale-")
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> PrivateRadicale:
        import sys

        try:
            import radicale  # noqa: F401
        except ImportError:
            pytest.skip("radicale n'est pas installé (dépendance de développement)")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "radicale", "--server-hosts", f"127.0.0.1:{self.port}",
             "--storage-filesystem-folder", os.path.join(self.folder, "collections"),
             "--auth-type", "none", "--logging-level", "error"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), 0.2),
            ):
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("radicale did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None
        shutil.rmtree(self.folder, ignore_errors=True)
