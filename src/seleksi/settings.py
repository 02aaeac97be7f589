"""Settings for Seleksi: every knob is read from the environment.

The defaults run an embedded portal (SQLite and local files under the data directory);
production sets DATABASE_URL, SECRET_KEY, ALLOWED_HOSTS and SELEKSI_HTTPS.
"""

import contextlib
import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DATA_DIR = Path(os.environ.get("SELEKSI_DATA_DIR", Path.cwd() / "var")).resolve()


def _secret_key() -> str:
    """Use SECRET_KEY when given; otherwise keep a generated key in the data directory."""
    configured = os.environ.get("SECRET_KEY", "").strip()
    if configured:
        return configured
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "whitenoise.runserver_nostatic",
    "seleksi.console",  # before the admin, so its templates override the admin's
    "seleksi.console.admin_config.ConsoleAdminConfig",  # django.contrib.admin, site staff kept out
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks_db",
    "seleksi.core",
    "seleksi.outbox",
    "seleksi.accounts",
    "seleksi.agencies",
    "seleksi.audit",
    "seleksi.reference",
    "seleksi.selections",
    "seleksi.notices",
    "seleksi.applications",
    "seleksi.verification",
    "seleksi.exams",
    "seleksi.scoring",
    "seleksi.sittings",
    "seleksi.announcements",
    "seleksi.pool",
    "seleksi.public",
    "seleksi.applicant",
    "seleksi.committee",
]

MIDDLEWARE = [
    "seleksi.core.middleware.RequestMiddleware",  # request id, log line, metrics: first
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "seleksi.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "seleksi.urls"
WSGI_APPLICATION = "seleksi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES: dict[str, Any] = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'seleksi.sqlite3'}"),
        conn_max_age=int(os.environ.get("SELEKSI_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web process and the task worker share the file.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

# Optional read replicas (PostgreSQL streaming replicas of DATABASE_URL), comma-separated URLs:
# the public pages read from them, everything else from the primary (seleksi.core.replicas).
for _number, _url in enumerate(env_list("SELEKSI_REPLICA_URLS", ""), start=1):
    DATABASES[f"replica{_number}"] = dj_database_url.parse(
        _url,
        conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
        conn_health_checks=True,
    )
    # Tests see the replica as the primary itself (no second test database).
    DATABASES[f"replica{_number}"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["seleksi.core.replicas.ReplicaRouter"] if len(DATABASES) > 1 else []

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["seleksi.accounts.backends.IdentifierBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:profile"

PASSWORD_HASHERS = [
    "seleksi.accounts.hashers.Argon2Hasher",  # Argon2id, parameters below
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# OWASP's baseline Argon2id (seleksi.accounts.hashers says why not Django's heavier default).
SELEKSI_ARGON2_MEMORY_KIB = int(os.environ.get("SELEKSI_ARGON2_MEMORY_KIB", "19456"))
SELEKSI_ARGON2_TIME_COST = int(os.environ.get("SELEKSI_ARGON2_TIME_COST", "2"))
SELEKSI_ARGON2_PARALLELISM = int(os.environ.get("SELEKSI_ARGON2_PARALLELISM", "1"))
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# the languages, shared with the commands that start without the site (rank-file)
from seleksi.settings_files import LANGUAGE_CODE as LANGUAGE_CODE  # noqa: E402
from seleksi.settings_files import LANGUAGES as LANGUAGES  # noqa: E402
from seleksi.settings_files import LOCALE_PATHS as LOCALE_PATHS  # noqa: E402
from seleksi.settings_files import TIME_ZONE as TIME_ZONE  # noqa: E402
from seleksi.settings_files import USE_I18N as USE_I18N  # noqa: E402
from seleksi.settings_files import USE_TZ as USE_TZ  # noqa: E402

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "media"
for _directory in (STATIC_ROOT, MEDIA_ROOT):
    # a read-only deployment collects static files elsewhere
    with contextlib.suppress(OSError):
        _directory.mkdir(parents=True, exist_ok=True)

STORAGES: dict[str, Any] = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": None},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage",
    },
}
if os.environ.get("SELEKSI_S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["SELEKSI_S3_BUCKET"],
            "endpoint_url": os.environ.get("SELEKSI_S3_ENDPOINT_URL") or None,
            "access_key": os.environ.get("SELEKSI_S3_ACCESS_KEY") or None,
            "secret_key": os.environ.get("SELEKSI_S3_SECRET_KEY") or None,
            "region_name": os.environ.get("SELEKSI_S3_REGION") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
# Without SELEKSI_REDIS_URL: a cache in each process's memory, sessions and limits on guessing
# in the database. With it (redis://host:port/db): the cache in that Redis database, session
# copies in the next database number and counters in the one after, unless
# SELEKSI_REDIS_SESSIONS_URL or SELEKSI_REDIS_COUNTERS_URL name others (docs/deploy.md says
# why counters belong in an instance that never evicts). Redis down, the pages still answer:
# see seleksi.core.cache and seleksi.accounts.throttle.
SELEKSI_REDIS_URL = os.environ.get("SELEKSI_REDIS_URL", "").strip()
# Seconds to connect to Redis and to wait for an answer, then the pause before trying again.
SELEKSI_REDIS_TIMEOUT = float(os.environ.get("SELEKSI_REDIS_TIMEOUT", "0.25"))
SELEKSI_REDIS_RETRY_SECONDS = float(os.environ.get("SELEKSI_REDIS_RETRY_SECONDS", "1"))
# The longest a session's copy lives in Redis (the database keeps the session itself).
SELEKSI_SESSION_CACHE_SECONDS = int(os.environ.get("SELEKSI_SESSION_CACHE_SECONDS", "300"))


def redis_database(url: str, offset: int) -> str:
    """The same Redis server, `offset` database numbers further on (a unix socket's URL
    names its database in the query: unix:///run/redis.sock?db=0)."""
    parts = urlsplit(url)
    if parts.scheme == "unix":
        query = dict(parse_qsl(parts.query))
        query["db"] = str(int(query.get("db", "0")) + offset)
        return f"unix://{parts.netloc}{parts.path}?{urlencode(query)}"
    number = int(parts.path.strip("/") or "0")
    return urlunsplit(parts._replace(path=f"/{number + offset}"))


def redis_caches(
    *,
    cache_url: str,
    sessions_url: str,
    counters_url: str,
    timeout: float,
    retry_after: float,
    session_seconds: int,
) -> dict[str, Any]:
    """The three Redis caches: pages and other copies, session copies, guessing counters."""

    def tolerant(url: str, prefix: str, **options: Any) -> dict[str, Any]:
        return {
            "BACKEND": "seleksi.core.cache.TolerantRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
            "OPTIONS": {
                "socket_connect_timeout": timeout,
                "socket_timeout": timeout,
                "RETRY_AFTER": retry_after,
                **options,
            },
        }

    return {
        "default": tolerant(cache_url, "cache"),
        "sessions": tolerant(sessions_url, "sessions", MAX_TIMEOUT=session_seconds),
        "counters": tolerant(counters_url, "counters", WIPE_WHEN_FULL=False),
    }


CACHES: dict[str, Any] = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SESSION_ENGINE = "django.contrib.sessions.backends.db"
if SELEKSI_REDIS_URL:
    CACHES = redis_caches(
        cache_url=SELEKSI_REDIS_URL,
        sessions_url=os.environ.get("SELEKSI_REDIS_SESSIONS_URL", "").strip()
        or redis_database(SELEKSI_REDIS_URL, 1),
        counters_url=os.environ.get("SELEKSI_REDIS_COUNTERS_URL", "").strip()
        or redis_database(SELEKSI_REDIS_URL, 2),
        timeout=SELEKSI_REDIS_TIMEOUT,
        retry_after=SELEKSI_REDIS_RETRY_SECONDS,
        session_seconds=SELEKSI_SESSION_CACHE_SECONDS,
    )
    # Reads come from Redis, every write goes to the database too: Redis down signs no one out.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    SESSION_CACHE_ALIAS = "sessions"

# The embedded portal serves static files straight from the package; production may collect them.
WHITENOISE_USE_FINDERS = env_bool("SELEKSI_STATIC_FINDERS", True)

TASKS = {
    "default": {
        "BACKEND": os.environ.get("SELEKSI_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# The default prints readable messages (decoded headers, the body as written) for the demo.
EMAIL_BACKEND_PATH = os.environ.get("SELEKSI_EMAIL_BACKEND", "seleksi.outbox.console.EmailBackend")
MAILERS: dict[str, Any] = {"default": {"BACKEND": EMAIL_BACKEND_PATH}}
if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": os.environ.get("EMAIL_HOST", "localhost"),
        "port": int(os.environ.get("EMAIL_PORT", "25")),
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
    }
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Seleksi <noreply@localhost>")
# E-mails are stored and sent by the task worker; a failed attempt is retried after
# SELEKSI_EMAIL_RETRY_SECONDS, doubled each time, up to SELEKSI_EMAIL_MAX_ATTEMPTS attempts.
SELEKSI_EMAIL_MAX_ATTEMPTS = int(os.environ.get("SELEKSI_EMAIL_MAX_ATTEMPTS", "6"))
SELEKSI_EMAIL_RETRY_SECONDS = int(os.environ.get("SELEKSI_EMAIL_RETRY_SECONDS", "60"))

# HTTPS hardening: on in production (SELEKSI_HTTPS=1), off for the local embedded portal.
HTTPS = env_bool("SELEKSI_HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
# Load balancers probe /healthz and /readyz, Prometheus scrapes /metrics, over plain HTTP and
# expect 200, not a redirect.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("SELEKSI_HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = env_bool("SELEKSI_HSTS_PRELOAD", False)
if env_bool("SELEKSI_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(os.environ.get("SELEKSI_SESSION_SECONDS", str(8 * 3600)))

# SELEKSI_LOG_FORMAT=json writes one JSON object per line (see seleksi.core.logs); the
# default "text" writes the bare messages. Both carry no 16-digit number (a NIK's shape).
SELEKSI_LOG_FORMAT = os.environ.get("SELEKSI_LOG_FORMAT", "text").strip().lower()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request": {"()": "seleksi.core.logs.RequestContextFilter"},
        "mask_numbers": {"()": "seleksi.core.logs.MaskNumbersFilter"},
    },
    "formatters": {
        "text": {"()": "seleksi.core.logs.TextFormatter", "fmt": "%(message)s"},
        "json": {"()": "seleksi.core.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request", "mask_numbers"],
            "formatter": "json" if SELEKSI_LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("SELEKSI_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # pypdf narrates every damaged upload; the upload checks report those to the person.
        "pypdf": {"level": "ERROR"},
        # WeasyPrint narrates each step and page of every PDF it makes (a stage's exam cards).
        "weasyprint.progress": {"level": "WARNING"},
        # One line per request (seleksi.core.middleware.RequestMiddleware); SELEKSI_ACCESS_LOG=0
        # leaves it to the proxy's access log.
        "seleksi.request": {"level": "INFO" if env_bool("SELEKSI_ACCESS_LOG", True) else "WARNING"},
    },
}

# The portal's own address, for links made where no request is at hand (the exam cards' QR
# codes printed by the task worker). Scheme and host, without a trailing slash.
SELEKSI_SITE_URL = os.environ.get("SELEKSI_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Seconds after the end of a computer-assisted sitting during which an answer sent before the
# end (delayed by the network) is still accepted.
SELEKSI_ANSWER_GRACE_SECONDS = int(os.environ.get("SELEKSI_ANSWER_GRACE_SECONDS", "5"))
SELEKSI_FORMATIONS_PER_PAGE = int(os.environ.get("SELEKSI_FORMATIONS_PER_PAGE", "25"))
# A ranking started from the committee's page with at least this many stored scores runs on
# the task worker instead of inside the request (a national SKD stage takes tens of seconds).
SELEKSI_RANKING_BACKGROUND_FROM = int(os.environ.get("SELEKSI_RANKING_BACKGROUND_FROM", "20000"))
# An allocation uploaded in the console whose text (a CSV, or a workbook's parts unpacked) is
# at least this many KB is imported by the task worker, never parsed in the web request.
SELEKSI_IMPORT_BACKGROUND_FROM_KB = int(os.environ.get("SELEKSI_IMPORT_BACKGROUND_FROM_KB", "512"))
# Seconds a rendered table of a published announcement is kept in the cache (0: not kept).
SELEKSI_ANNOUNCEMENT_CACHE_SECONDS = int(
    os.environ.get("SELEKSI_ANNOUNCEMENT_CACHE_SECONDS", "3600")
)
# Seconds a public page rendered for a visitor who is not signed in is kept in the cache (0:
# not kept); services that change public content make the pages read the database at once,
# this bounds what changed elsewhere (a shell) and the selection statuses that follow the date.
SELEKSI_PUBLIC_CACHE_SECONDS = int(os.environ.get("SELEKSI_PUBLIC_CACHE_SECONDS", "300"))
# Seconds browsers may keep a public page shown to such a visitor, and the proxy (nginx,
# through X-Accel-Expires) the home page, a selection's page and its announcements: the
# staleness allowed outside Django during a surge.
SELEKSI_PUBLIC_EDGE_SECONDS = int(os.environ.get("SELEKSI_PUBLIC_EDGE_SECONDS", "10"))

# Personal identity numbers (NIK, KK) are encrypted at rest and looked up by a keyed hash.
# SELEKSI_FIELD_KEYS: comma-separated Fernet keys, newest first (older ones still decrypt).
# SELEKSI_LOOKUP_KEY: the HMAC key of the lookup hashes. Both default to keys derived from
# SECRET_KEY for the embedded portal; production sets them (see `seleksi check --deploy`).
SELEKSI_FIELD_KEYS = env_list("SELEKSI_FIELD_KEYS", "")
SELEKSI_LOOKUP_KEY = os.environ.get("SELEKSI_LOOKUP_KEY", "")

SELEKSI_POPULATION_REGISTRY = os.environ.get(
    "SELEKSI_POPULATION_REGISTRY", "seleksi.accounts.registry.FixturePopulationRegistry"
)
SELEKSI_REGISTRY_FIXTURE = os.environ.get(
    "SELEKSI_REGISTRY_FIXTURE", str(BASE_DIR / "accounts" / "data" / "registry_fixture.json")
)
SELEKSI_ACTIVATION_HOURS = int(os.environ.get("SELEKSI_ACTIVATION_HOURS", "48"))
SELEKSI_LOGIN_MAX_FAILURES = int(os.environ.get("SELEKSI_LOGIN_MAX_FAILURES", "5"))
SELEKSI_LOGIN_MAX_FAILURES_PER_ADDRESS = int(
    os.environ.get("SELEKSI_LOGIN_MAX_FAILURES_PER_ADDRESS", "30")
)
SELEKSI_LOGIN_LOCK_MINUTES = int(os.environ.get("SELEKSI_LOGIN_LOCK_MINUTES", "15"))
# An address never locks: past SLOW_AFTER failures its sign-in forms must be a few seconds old
# (up to MAX_WAIT), past MAX_FAILURES_PER_ADDRESS they also ask a small question.
SELEKSI_LOGIN_SLOW_AFTER_PER_ADDRESS = int(
    os.environ.get("SELEKSI_LOGIN_SLOW_AFTER_PER_ADDRESS", "10")
)
SELEKSI_LOGIN_MAX_WAIT_SECONDS = int(os.environ.get("SELEKSI_LOGIN_MAX_WAIT_SECONDS", "30"))
SELEKSI_NIK_CHECKS_PER_ADDRESS = int(os.environ.get("SELEKSI_NIK_CHECKS_PER_ADDRESS", "60"))
# Registrations and identity additions that reach the population registry, per NIK and per
# name + birth date (then refused until the window ends) and per address (then a question).
SELEKSI_IDENTITY_TRIES = int(os.environ.get("SELEKSI_IDENTITY_TRIES", "10"))
SELEKSI_IDENTITY_TRIES_PER_ADDRESS = int(os.environ.get("SELEKSI_IDENTITY_TRIES_PER_ADDRESS", "30"))
SELEKSI_IDENTITY_WINDOW_MINUTES = int(os.environ.get("SELEKSI_IDENTITY_WINDOW_MINUTES", "60"))
# Reverse proxies (addresses or networks) whose X-Forwarded-For names the client.
SELEKSI_TRUSTED_PROXIES = env_list("SELEKSI_TRUSTED_PROXIES", "")
# Client addresses or networks allowed to read /metrics (everyone else gets 404); the client
# is the one behind a trusted proxy, so a proxy on loopback does not open it to the world.
SELEKSI_METRICS_ALLOW = env_list("SELEKSI_METRICS_ALLOW", "127.0.0.0/8,::1/128")
SELEKSI_RETENTION_YEARS = int(os.environ.get("SELEKSI_RETENTION_YEARS", "5"))
