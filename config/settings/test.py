"""Settings for pytest: fast, isolated, never touching the network."""

from config.env import env

from .base import *  # noqa: F403
from .base import DATABASES

SECRET_KEY = "test-only-secret-key-not-used-anywhere-else-0123456789"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SITE_URL = "http://testserver"
WAGTAILADMIN_BASE_URL = SITE_URL
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]

# Tasks run inline unless a test starts a real worker; the broker named by CELERY_BROKER_URL
# (Redis in CI) is only used by those tests.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="memory://")
if CELERY_BROKER_URL.startswith("memory://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # In-memory, shared between threads so live-server and worker threads see the test data.
    DATABASES["default"]["OPTIONS"].pop("init_command", None)

SERVE_MEDIA = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"null": {"class": "logging.NullHandler"}},
    "root": {"handlers": ["null"]},
}
