"""Settings for quizsite, read from environment variables.

Local defaults are safe for `make run` on a laptop; production differs only by variables
(see README, "Configuration"). Nothing secret lives in this file.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("QUIZSITE_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    """Read a yes/no variable: 1/true/yes/on mean True, 0/false/no/off mean False."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be 1/0, true/false, yes/no or on/off; got {value!r}.")


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated variable as a list of non-empty, stripped items."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is required when DEBUG is off. Set SECRET_KEY in the environment, "
            "or set DEBUG=1 for local development (`make run` does)."
        )
    # A developer's machine: a random key made on first run and kept outside the repository.
    _key_file = VAR_DIR / "dev-secret-key"
    if not _key_file.exists():
        _key_file.parent.mkdir(parents=True, exist_ok=True)
        _key_file.write_text(secrets.token_urlsafe(50))
        _key_file.chmod(0o600)
    SECRET_KEY = _key_file.read_text().strip()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Before the admin, as django-modeltranslation asks: it patches the admin's forms.
    "modeltranslation",
    "quizzes",
    "axes",
    "csp",
    # Background tasks on Django 6.0's task API (backported), stored in the database.
    "django_tasks",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # Django's SessionMiddleware, answering "busy, try again" when the session's write waits
    # too long for the database's lock (quizzes/core/database_busy.py).
    "quizzes.core.database_busy.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After LocaleMiddleware, so its "busy, try again" page is in the visitor's language.
    "quizzes.core.database_busy.DatabaseBusyMiddleware",
    # After the language, the user and messages: its 400 page is the site's own, translated.
    "quizsite.nul_characters.RefuseNulCharacters",
    # Inside the language and the user, so its page is the site's own, translated.
    "quizsite.method_not_allowed.MethodNotAllowedPage",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its own response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "quizsite.urls"
WSGI_APPLICATION = "quizsite.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite is the embedded default. WAL lets readers (a teacher's export) run while learners
# write; IMMEDIATE takes the write lock at BEGIN so concurrent submissions queue instead of
# failing with "database is locked" halfway through a transaction.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
# How long a write waits for a lock another connection holds before it gives up and the
# learner is asked to try again (503, quizzes/database_busy.py). Far below gunicorn's 30 s
# worker timeout, so a waiting request ends as a friendly page, never as a killed worker.
DATABASE_LOCK_TIMEOUT = float(os.environ.get("DATABASE_LOCK_TIMEOUT", "5"))
# /healthz answers 503 when the database cannot take a write within this many seconds.
HEALTHZ_LOCK_TIMEOUT = float(os.environ.get("HEALTHZ_LOCK_TIMEOUT", "2"))


def with_lock_timeout(options: dict, engine: str, seconds: float) -> dict:
    """Connection `options` that make a write give up after waiting `seconds` for a lock."""
    if engine == "django.db.backends.sqlite3":
        return {**options, "timeout": seconds}  # SQLite's busy timeout
    if engine == "django.db.backends.postgresql":
        timeout = f"-c lock_timeout={round(seconds * 1000)}"
        return {**options, "options": f"{options.get('options', '')} {timeout}".strip()}
    return options


# PostgreSQL only: psycopg's connection pool, one per app-server process, holding at most this
# many connections (one per gunicorn thread is enough: GUNICORN_THREADS). 0, the default,
# keeps one persistent connection per thread instead (CONN_MAX_AGE).
DATABASE_POOL_MAX = int(os.environ.get("DATABASE_POOL_MAX", "0"))
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
_default = DATABASES["default"]
if _default["ENGINE"] == "django.db.backends.sqlite3":
    _default.setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
elif _default["ENGINE"] == "django.db.backends.postgresql" and DATABASE_POOL_MAX:
    # A pooled connection goes back to the pool after each request; Django refuses
    # persistent connections beside a pool.
    _default["CONN_MAX_AGE"] = 0
    _default.setdefault("OPTIONS", {})["pool"] = {
        "min_size": min(int(os.environ.get("DATABASE_POOL_MIN", "1")), DATABASE_POOL_MAX),
        "max_size": DATABASE_POOL_MAX,
        # A request waits this long for a free connection before it fails.
        "timeout": float(os.environ.get("DATABASE_POOL_TIMEOUT", "10")),
    }
_default["OPTIONS"] = with_lock_timeout(
    _default.get("OPTIONS", {}), _default["ENGINE"], DATABASE_LOCK_TIMEOUT
)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Argon2 costs about a quarter of PBKDF2's CPU per login: it matters when a class signs in at once.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

# Sign-in throttling (django-axes, with quizzes/sign_in_throttle.py as its handler; README,
# "Sign-in throttling"). Five failures for a username from one address lock that pair for a
# minute, doubling with each further failure up to 15; thirty from all addresses together lock
# the username for 15 minutes after each further one. A browser that has signed in as the user
# before (a signed device cookie) is held up by neither, so classmates guessing at a teacher's
# account never keep the teacher out; its own wrong passwords are bounded on their own.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "quizzes.core.sign_in.ModelBackendWithPlainRead",  # ModelBackend, its user read cheaper
]
AXES_HANDLER = "quizzes.core.sign_in_throttle.SignInThrottle"
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
SIGN_IN_ACCOUNT_FAILURE_LIMIT = int(os.environ.get("LOGIN_ACCOUNT_FAILURE_LIMIT", "30"))
SIGN_IN_FIRST_LOCK = timedelta(minutes=1)
SIGN_IN_LONGEST_LOCK = timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
# How long axes keeps a failure: a day after the last one. The handler decides the locks.
AXES_COOLOFF_TIME = timedelta(days=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# An attempt refused during a lock is not counted, so it cannot stretch the lock.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "quizzes.core.sign_in_throttle.locked_out"
AXES_CLIENT_IP_CALLABLE = "quizsite.client_ip.client_ip"
AXES_VERBOSE = False

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "quizzes:home"
LOGOUT_REDIRECT_URL = "quizzes:home"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("pl", _("Polish"))]
# The project's catalogue, then gender-neutral Polish for some of Django's admin messages
# (locale/admin-overrides/); makemessages writes to the first only.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale" / "admin-overrides"]
# Course content in both languages (quizzes/translation.py): English is the source; a text
# missing in one language is shown in the other, with a "not yet translated" notice.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en", "pl")
# The language a visitor picks with the switcher is remembered for a year.
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Warsaw")
USE_I18N = True
USE_TZ = True
# One date format per language across the site (quizsite/formats/: "1 December 2026",
# "1 grudnia 2026"), instead of Django's mix of short and long ones.
FORMAT_MODULE_PATH = ["quizsite.formats"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# Served by WhiteNoise from the app servers: compressed, with content hashes in the names so
# browsers may cache them for ever. `make serve` (and any deploy) runs collectstatic first.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# `{% cache %}` keeps template fragments that every learner sees alike (a quiz page's buttons,
# the countdown's announcements) in each app server's memory: a fragment costs less to render
# than a round trip to a shared cache. Each fragment's key names everything it shows, so none
# expires; the least recently used go first. Under DEBUG nothing is kept, so a template edit
# shows at once.
# With REDIS_URL (several app servers) the default cache is that Redis, shared by every
# server: sessions are read from it (SESSION_ENGINE below). Fragments stay in each process:
# what a learner sees alike is cheaper to keep in memory than to fetch, and their keys name
# the content version, which is in the database, so no server shows an old one.
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if not REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "quizsite",
    },
    # Sessions (`cached_db`, below). On one machine: files that every app-server process
    # shares, so a sign-out is seen by all of them at once; a read costs 29–35 µs of CPU against
    # the 306–379 µs of the database session's ORM query (benchmarks/pieces.py). With REDIS_URL:
    # that Redis, which every server shares.
    "sessions": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": Path(os.environ.get("SESSION_CACHE_DIR", VAR_DIR / "cache" / "sessions")),
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    }
    if not REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "quizsite-sessions",
    },
    "template_fragments": {
        "BACKEND": "django.core.cache.backends.dummy.DummyCache"
        if DEBUG
        else "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "template-fragments",
        "TIMEOUT": None,
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
}

# Finished exports too large for a request (see EXPORT_INLINE_LIMIT) are written here: a private
# directory the web server never serves; the owner downloads them through a view.
STORAGES["exports"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {
        "location": Path(os.environ.get("EXPORTS_DIR", VAR_DIR / "exports")),
        # Learners' names and marks: readable by the site's own account only.
        "file_permissions_mode": 0o600,
        "directory_permissions_mode": 0o700,
    },
}

# Background tasks (django-tasks). The database backend needs no other service: `make run` and
# `make serve` start its worker (`manage.py db_worker`) beside the web server. With REDIS_URL
# they go to RQ in that Redis instead (workers: `manage.py rqworker`, see quizsite/task_queue.py),
# whose jobs are retried when they fail or their worker is lost. TASKS_BACKEND names another
# backend of the same API (the tests use the immediate one).
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "TASKS_BACKEND",
            "django_tasks_rq.RQBackend" if REDIS_URL else "django_tasks_db.DatabaseBackend",
        )
    }
}
if REDIS_URL:
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600}}
    RQ = {
        "QUEUE_CLASS": "quizsite.task_queue.RetryingQueue",
        "WORKER_CLASS": "quizsite.task_queue.TaskWorker",
        # django-tasks-rq's job class, which runs the task through the task API.
        "JOB_CLASS": "django_tasks_rq.backend.Job",
    }
    # How many times a task is run again after it failed or its worker was lost.
    TASK_RETRIES = int(os.environ.get("TASK_RETRIES", "3"))
# Item statistics are stored per quiz and filter, and recomputed when new attempts came in or
# they are older than this; up to the inline limit of attempts they are computed in the request.
STATISTICS_MAX_AGE = timedelta(hours=float(os.environ.get("STATISTICS_MAX_AGE_HOURS", "24")))
STATISTICS_INLINE_LIMIT = int(os.environ.get("STATISTICS_INLINE_LIMIT", "2000"))
# A regrade of more attempts than this, and a grades or responses export of more attempts than
# this, runs as a task with its progress on the Jobs page; exported files are kept this long.
REGRADE_INLINE_LIMIT = int(os.environ.get("REGRADE_INLINE_LIMIT", "500"))
EXPORT_INLINE_LIMIT = int(os.environ.get("EXPORT_INLINE_LIMIT", "20000"))
EXPORT_RETENTION = timedelta(days=float(os.environ.get("EXPORT_RETENTION_DAYS", "7")))

# Content-Security-Policy (django-csp): scripts, styles and everything else from this site
# only; no inline script can run, so injected markup stays inert.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Request limits: a quiz form is a few kilobytes; anything far larger is refused with a 400.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", 256 * 1024))
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

# HTTPS hardening is on whenever DEBUG is off; HTTPS=0 turns it off for a plain-HTTP test server.
HTTPS = env_bool("HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
# A stale token (signed in again in another tab, say) gets the site's own page.
CSRF_FAILURE_VIEW = "quizzes.views.pages.csrf_failure"
LANGUAGE_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
# Django's sessions in the database, read through the "sessions" cache (files on one machine,
# Redis with REDIS_URL): from the database only when the cache lost one.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_CACHE_ALIAS = "sessions"
X_FRAME_OPTIONS = "DENY"

# Demo accounts (`manage.py ensure_demo_users`): always in local development; in production
# only when asked for, and their passwords are then never printed.
DEMO_ACCOUNTS = env_bool("DEMO_ACCOUNTS", False)

# `make bench` only: a minimal view that measures Django's own ceiling on this machine.
BENCHMARK_VIEWS = env_bool("BENCHMARK_VIEWS", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "forbidden_without_traceback": {"()": "quizsite.log_filters.ForbiddenWithoutTraceback"},
        "security_without_traceback": {"()": "quizsite.log_filters.SecurityWithoutTraceback"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["security_without_traceback"]}
    },
    "loggers": {"django.request": {"filters": ["forbidden_without_traceback"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
