"""Settings for pytest: fast, isolated, never touching the network."""

import os

from config.env import ensure_var_dir, env

from .base import *  # noqa: F403
from .base import DATABASES

SECRET_KEY = "test-only-secret-key-not-used-anywhere-else-0123456789"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Mail stays in memory unless a fault test's worker process is pointed at a real SMTP server.
if not env.str("EMAIL_URL", default=""):
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SITE_URL = "http://testserver"
WAGTAILADMIN_BASE_URL = SITE_URL
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]

# Tasks run inline unless a test starts a real worker; the broker named by CELERY_BROKER_URL
# (Redis in CI) is only used by those tests.
# Tests read mail.outbox right after a request: hand off during it (a test covers deferral).
OUTBOX_DEFER_PUBLISH = False
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="memory://")
if CELERY_BROKER_URL.startswith("memory://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory: worker processes started by fault tests must see the test data.
    # One file per run, so two test runs in the same checkout never share a database.
    DATABASES["default"]["TEST"] = {"NAME": str(ensure_var_dir() / f"test-{os.getpid()}.sqlite3")}

SERVE_MEDIA = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# django-axes needs the request in authenticate(); tests that check lockouts switch it on.
AXES_ENABLED = False
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"null": {"class": "logging.NullHandler"}},
    "root": {"handlers": ["null"]},
}

# Tests fill the questionnaire in milliseconds; the spam tests set a minimum time themselves.
AUDIT_MIN_SUBMIT_SECONDS = 0
# Audience counters are written at once, so tests can read them right after a request.
AUDIENCE_FLUSH_SECONDS = 0
