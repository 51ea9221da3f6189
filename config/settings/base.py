"""Settings shared by every environment. Every value comes from the environment.

The defaults are the embedded ones (SQLite, a broker-less Celery transport,
console e-mail) so that `make run` needs no server. See design.md §5.
"""

from __future__ import annotations

from datetime import timedelta

from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from config.env import BASE_DIR, VAR_DIR, email_config, ensure_var_dir, env

SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-change-me-in-production")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

INSTALLED_APPS = [
    "cms",
    "audits",
    "pipeline",
    "calendar_sync",
    "audience",
    "cms.images",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.simple_translation",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.routable_page",
    "wagtail.locales",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "simple_history",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "whitenoise.runserver_nostatic",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "config.request_id.RequestIdMiddleware",
    "pipeline.outbox.DeferredPublishMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "pipeline.two_factor.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Counts page views (daily counters, nothing personal), cache hits included.
    "audience.middleware.AudienceMiddleware",
    # Serves anonymous visitors the rendered campaign pages from the cache (cms/cache.py).
    "cms.cache.PageCacheMiddleware",
    # Last, as django-axes asks: it turns a lockout into the French lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "config.context_processors.sign_in",
            ],
        },
    },
]

# --- Security headers -------------------------------------------------------------------------
# Public pages: no inline script or style at all. The Wagtail admin (and page previews served
# under /admin/) needs inline code and keeps its own rules. Videos play in an iframe from the
# provider only after a click (PeerTube instances are many, hence https:).
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/", "/documents/"],
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF, "https:"],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
# Wagtail marks its own preview views SAMEORIGIN; everything else may not be framed.
X_FRAME_OPTIONS = "DENY"

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url(
        "DATABASE_URL", default=f"sqlite:///{ensure_var_dir() / 'passerelle.sqlite3'}"
    )
}
# Connections are kept between requests (both engines): opening one costs more than the
# queries of a cached page (measured by `make bench`: on SQLite, connecting and its PRAGMAs
# took most of the time of a page served from the page cache).
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat write to the same file: WAL lets readers go on while one writes,
    # IMMEDIATE takes the write lock up front instead of failing half-way with "locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://passerelle")}

# --- Auth -----------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "wagtailadmin_login"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Brute-force protection of staff sign-in (django-axes): 5 failures per user and address.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "axes_lockout.html"
AXES_VERBOSE = False

# Optional OpenID Connect sign-in for staff (config/oidc.py), on when a client id is given.
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_OP_LOGOUT_ENDPOINT = env.str("OIDC_OP_LOGOUT_ENDPOINT", default="")
# "Log out" also ends the provider's session (needs the ID token, kept in the server-side session).
OIDC_STORE_ID_TOKEN = True
OIDC_OP_LOGOUT_URL_METHOD = "config.oidc.provider_logout_url"
OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env.str("OIDC_RP_SCOPES", default="openid email profile groups")
OIDC_GROUPS_CLAIM = env.str("OIDC_GROUPS_CLAIM", default="groups")
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="votre compte professionnel")
OIDC_USE_PKCE = True
OIDC_TIMEOUT = 10
LOGIN_REDIRECT_URL = "/admin/"
LOGOUT_REDIRECT_URL = "/admin/login/"


def _group_map(value: str) -> dict[str, str]:
    pairs = (pair.partition(":") for pair in value.split(","))
    return {claim.strip(): group.strip() for claim, _, group in pairs if claim.strip() and group}


OIDC_GROUP_MAP = _group_map(
    env.str("OIDC_GROUP_MAP", default="consultants:Consultants,marketing:Marketing")
)
if OIDC_ENABLED:
    AUTHENTICATION_BACKENDS.append("config.oidc.PasserelleOIDCBackend")
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 10)

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="fr")
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Paris")
USE_I18N = True
USE_TZ = True
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(ensure_var_dir("static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
# Let Django serve uploaded images itself (development, tests, a small single-server install).
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# --- E-mail ---------------------------------------------------------------------------------
vars().update(email_config())
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Passerelle <audit@passerelle.localhost>"
)
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)

# --- Wagtail --------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "Passerelle"
# No Gravatar: it would send a hash of every staff e-mail to a third party.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAILIMAGES_IMAGE_MODEL = "images.PasserelleImage"
WAGTAILIMAGES_AVIF_QUALITY = 55
WAGTAILIMAGES_WEBP_QUALITY = 75
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "ods", "pdf", "pptx", "odp", "txt", "xlsx"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
# Wagtail's own small jobs (reference index, focal points) stay synchronous; ours use Celery.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# --- Celery ---------------------------------------------------------------------------------
_celery_folder = VAR_DIR / "celery"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue = ensure_var_dir("celery", "queue")
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue),
        "data_folder_out": str(_queue),
        "processed_folder": str(ensure_var_dir("celery", "processed")),
        "control_folder": str(ensure_var_dir("celery", "control")),
        "store_processed": False,
    }
else:
    # Fail fast when the broker is down: the outbox keeps the message and beat retries it.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
        "max_retries": 1,
    }
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="passerelle")
CELERY_BEAT_SCHEDULE_FILENAME = str(_celery_folder / "beat-schedule")
CELERY_BEAT_SCHEDULE = {
    "outbox-dispatch-due": {
        "task": "pipeline.tasks.dispatch_due_notifications",
        "schedule": env.float("OUTBOX_DISPATCH_INTERVAL", default=30.0),
    },
    "outbox-redact-sent": {
        "task": "pipeline.tasks.redact_sent_notifications",
        "schedule": crontab(hour=3, minute=17),
    },
    "audits-purge-expired-drafts": {
        "task": "audits.tasks.purge_expired_drafts",
        "schedule": crontab(hour=3, minute=37),
    },
    # Scheduled publishing and expiry of pages (go_live_at / expire_at).
    "cms-publish-scheduled": {
        "task": "cms.tasks.publish_scheduled_pages",
        "schedule": env.float("CMS_PUBLISH_SCHEDULED_INTERVAL", default=60.0),
    },
    "calendar-send-reminders": {
        "task": "calendar_sync.tasks.send_due_reminders",
        "schedule": env.float("CALENDAR_REMINDER_INTERVAL", default=300.0),
    },
    "calendar-sync-busy-times": {
        "task": "calendar_sync.tasks.sync_busy_times",
        "schedule": crontab(minute="*/15"),
    },
    "pipeline-retention": {
        "task": "pipeline.tasks.apply_retention",
        "schedule": crontab(hour=3, minute=47),
    },
    # Roadmap news: one digest per contact and ROADMAP_DIGEST_MINUTES, built when due.
    "roadmap-digests": {
        "task": "pipeline.tasks.send_roadmap_digests",
        "schedule": env.float("ROADMAP_DIGEST_CHECK_SECONDS", default=300.0),
    },
}

# --- Outbox (design.md §4) ------------------------------------------------------------------
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)
OUTBOX_BACKOFF_SECONDS = env.int("OUTBOX_BACKOFF_SECONDS", default=60)
OUTBOX_BACKOFF_MAX_SECONDS = env.int("OUTBOX_BACKOFF_MAX_SECONDS", default=6 * 60 * 60)
OUTBOX_SENDING_TIMEOUT_SECONDS = env.int("OUTBOX_SENDING_TIMEOUT_SECONDS", default=10 * 60)
OUTBOX_RETENTION_DAYS = env.int("OUTBOX_RETENTION_DAYS", default=90)
OUTBOX_BATCH_SIZE = env.int("OUTBOX_BATCH_SIZE", default=200)
# After a failed hand-off to the broker, requests stop trying it for this long (see outbox).
OUTBOX_BROKER_RETRY_SECONDS = env.float("OUTBOX_BROKER_RETRY_SECONDS", default=30.0)
# Hand messages to the broker after the response is sent, not during the request.
OUTBOX_DEFER_PUBLISH = env.bool("OUTBOX_DEFER_PUBLISH", default=True)

# --- Passerelle -----------------------------------------------------------------------------
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="passerelle-demo")
SPAM_PROTECTION = env.str("SPAM_PROTECTION", default="on").lower() not in {
    "off",
    "0",
    "false",
    "no",
}
# Questionnaire (audits): spam limits, draft and results links.
AUDIT_MIN_SUBMIT_SECONDS = env.int("AUDIT_MIN_SUBMIT_SECONDS", default=15)
AUDIT_RATE_LIMIT_STEPS = env.str("AUDIT_RATE_LIMIT_STEPS", default="120/h")
AUDIT_RATE_LIMIT_SUBMIT = env.str("AUDIT_RATE_LIMIT_SUBMIT", default="10/h")
AUDIT_DRAFT_DAYS = env.int("AUDIT_DRAFT_DAYS", default=14)
AUDIT_RESULTS_LINK_DAYS = env.int("AUDIT_RESULTS_LINK_DAYS", default=365)
# django-ratelimit is used through its functions only: it is not in INSTALLED_APPS because its
# system check rejects the default local-memory cache (limits are then per process, which is
# acceptable for development; production sets CACHE_URL to Redis).

# --- Calendars (design.md §6) ---------------------------------------------------------------
# Reminders before each meeting, in minutes (24 h and 1 h by default).
CALENDAR_REMINDER_MINUTES = [
    int(m) for m in env.list("CALENDAR_REMINDER_MINUTES", default=["1440", "60"]) if m
]
# Self-booked video meetings get a fresh room here (La Suite's Visio).
CALENDAR_VIDEO_BASE_URL = env.str(
    "CALENDAR_VIDEO_BASE_URL", default="https://visio.numerique.gouv.fr"
)
CALENDAR_BOOKING_LINK_DAYS = env.int("CALENDAR_BOOKING_LINK_DAYS", default=60)
# The consultants' ICS feeds cover this window around today.
CALENDAR_FEED_PAST_DAYS = env.int("CALENDAR_FEED_PAST_DAYS", default=90)
CALENDAR_FEED_FUTURE_DAYS = env.int("CALENDAR_FEED_FUTURE_DAYS", default=365)
# A built feed body is kept this long in the cache, under its ETag (0: built at every full
# response; the bench uses 0 to measure what a changed feed costs).
CALENDAR_FEED_CACHE_SECONDS = env.int("CALENDAR_FEED_CACHE_SECONDS", default=3600)
CALENDAR_HTTP_TIMEOUT = env.int("CALENDAR_HTTP_TIMEOUT", default=15)

# --- Pipeline (issue 5) ----------------------------------------------------------------------
# Consultants only see the engagements they own (people with "view_all_engagements" see all).
PIPELINE_CONSULTANTS_SEE_OWN_ONLY = env.bool("PIPELINE_CONSULTANTS_SEE_OWN_ONLY", default=False)
# Lost or completed engagements untouched for this many months have their people anonymised.
PIPELINE_RETENTION_MONTHS = env.int("PIPELINE_RETENTION_MONTHS", default=36)
# Cards shown per board column before "see all".
PIPELINE_BOARD_COLUMN_LIMIT = env.int("PIPELINE_BOARD_COLUMN_LIMIT", default=30)

# --- Roadmaps (issue 7) ------------------------------------------------------------------------
# Links to the private roadmap page expire after this many days (each e-mail carries a new one).
ROADMAP_LINK_DAYS = env.int("ROADMAP_LINK_DAYS", default=180)
# Changes to steps are grouped: at most one digest e-mail per contact in this many minutes.
ROADMAP_DIGEST_MINUTES = env.int("ROADMAP_DIGEST_MINUTES", default=60)

# --- Logging --------------------------------------------------------------------------------
# LOG_FORMAT=json gives one JSON object per line (for a log collector); both carry the request id.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.request_id.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "celery": {"level": "INFO"},
        "django_tasks": {"level": "WARNING"},
        "kombu.connection": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
    },
}

# Labels of the settings we show in French in the admin.
# Rendered public pages kept for anonymous visitors (seconds); publishing invalidates them.
CMS_PAGE_CACHE_SECONDS = env.int("CMS_PAGE_CACHE_SECONDS", default=60 * 60 * 24)

PASSERELLE_LANGUAGE_NAMES = {"fr": _("Français"), "en": _("Anglais")}

# --- Audience counters (audience/services.py) ------------------------------------------------
# Page views are added up in memory and written every N seconds by each process (0: at once).
AUDIENCE_FLUSH_SECONDS = env.float("AUDIENCE_FLUSH_SECONDS", default=15.0)
