"""Benchmarks (`make bench`): production-like (DEBUG off, WhiteNoise) over plain HTTP on
127.0.0.1, with the bare baseline view switched on and anti-spam delays off."""

from config.env import env

from .base import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
SPAM_PROTECTION = False
BENCHMARK_BASELINE_VIEW = True
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
# A full ICS feed response is measured as a calendar client meets it after a change: built.
# (In production the body is kept under its ETag; an unchanged feed fetched without
# validators then costs about what a 304 does, plus the bytes.)
CALENDAR_FEED_CACHE_SECONDS = 0
