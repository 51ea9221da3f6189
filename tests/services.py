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

    from pipeline.outbox import broker_breaker

    pools.reset()
    broker_breaker.reset()
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


class SmtpSink:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that counts what it accepted, by Message-ID.

    `hold_mail_from` makes it stall at MAIL FROM, before any message data arrives, so a client
    killed there has not handed anything over (outside the window no system can close).
    """

    def __init__(self, port: int | None = None):
        import threading

        self.port = port or free_port()
        self.accepted: list[str] = []
        # Addresses refused at RCPT TO with this reply, e.g. {"x@y.fr": "550 5.1.1 Unknown"}.
        self.refuse: dict[str, str] = {}
        self.hold_mail_from = threading.Event()
        self.client_waiting = threading.Event()
        self.controller = None

    def start(self) -> SmtpSink:
        from aiosmtpd.controller import Controller

        sink = self

        class Handler:
            async def handle_MAIL(self, server, session, envelope, address, mail_options):
                import asyncio

                while sink.hold_mail_from.is_set():
                    sink.client_waiting.set()
                    await asyncio.sleep(0.05)
                envelope.mail_from = address
                return "250 OK"

            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                if address.lower() in sink.refuse:
                    return sink.refuse[address.lower()]
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):
                from email import message_from_bytes

                message = message_from_bytes(envelope.original_content or envelope.content)
                sink.accepted.append(message["Message-ID"])
                return "250 Message accepted"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


class WorkerProcess:
    """A real `celery worker` process (solo pool) on the test database, killable with SIGKILL."""

    def __init__(self, broker_url: str, queue: str, **extra_env: str):
        self.broker_url = broker_url
        self.queue = queue
        self.extra_env = extra_env
        self.process: subprocess.Popen | None = None
        self.output: list[str] = []

    def _database_url(self) -> str:
        from django.db import connection

        db = connection.settings_dict
        if db["ENGINE"].endswith("sqlite3"):
            return f"sqlite:///{db['NAME']}"
        user, host = db.get("USER") or "postgres", db.get("HOST") or "127.0.0.1"
        return f"postgres://{user}@{host}:{db.get('PORT') or 5432}/{db['NAME']}"

    def start(self, timeout: float = 60) -> WorkerProcess:
        import sys
        import threading
        from pathlib import Path

        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": self._database_url(),
            "CELERY_BROKER_URL": self.broker_url,
            "CELERY_TASK_DEFAULT_QUEUE": self.queue,
            **self.extra_env,
        }
        celery = str(Path(sys.executable).parent / "celery")
        self.process = subprocess.Popen(
            [celery, "-A", "config", "worker", "--pool", "solo", "--queues", self.queue,
             "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "INFO"],
            cwd=Path(__file__).resolve().parent.parent,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )  # fmt: skip
        ready = threading.Event()

        def read():
            for line in self.process.stdout:
                self.output.append(line)
                if " ready." in line:
                    ready.set()

        threading.Thread(target=read, daemon=True).start()
        if not ready.wait(timeout):
            self.kill()
            raise RuntimeError("celery worker did not start:\n" + "".join(self.output[-30:]))
        return self

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, no acknowledgement, no cleanup."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


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
