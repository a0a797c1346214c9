"""Django settings, read from environment variables only (see docs/configuration.md)."""

from __future__ import annotations

from urllib.parse import unquote, urlparse

from vnnews.site.env import (
    ConfigError,
    env_bool,
    env_float,
    env_int,
    env_list,
    env_path,
    env_str,
)

DATA_DIR = env_path("VNNEWS_DATA_DIR", "./var")
DEBUG = env_bool("VNNEWS_DEBUG", False)
SECRET_KEY = env_str("VNNEWS_SECRET_KEY", "") or "vnnews-insecure-dev-key-change-me-in-production"
ALLOWED_HOSTS = env_list("VNNEWS_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
SITE_URL = env_str("VNNEWS_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
TIME_ZONE = env_str("VNNEWS_TIME_ZONE", "Asia/Ho_Chi_Minh")
LANGUAGE_CODE = "vi"
USE_I18N = True
USE_TZ = True


def _database(url: str) -> dict:
    """SQLite in the data folder by default; DATABASE_URL=postgres://user@host:port/db otherwise."""
    if not url:
        return _sqlite(DATA_DIR / "vnnews.sqlite3")
    parsed = urlparse(url)
    if parsed.scheme in {"postgres", "postgresql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")) or "vnnews",
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": 60,
        }
    if parsed.scheme == "sqlite":
        # Another SQLite file: the same settings as the default one (workers' claims rely on them).
        return _sqlite(parsed.path)
    raise ConfigError(
        f"DATABASE_URL={url!r}: use postgres://user@host:port/db, sqlite:///path/file.sqlite3 "
        "or leave it empty"
    )


def _sqlite(path) -> dict:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        # Each server thread keeps its connection between requests: opening one (and running
        # the PRAGMAs below) then closing it cost ~1.5 ms of CPU per page, a quarter of an
        # uncached article page.
        "CONN_MAX_AGE": 600,
        # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock at
        # BEGIN so two writers queue on busy_timeout instead of failing with "locked" mid-way.
        "OPTIONS": {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA busy_timeout=20000; PRAGMA foreign_keys=ON;"
            ),
        },
    }


DATABASES = {"default": _database(env_str("DATABASE_URL", ""))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "django_tasks_db",
    "vnnews.news.apps.NewsConfig",
    "vnnews.news.search.apps.SearchConfig",
    "vnnews.reader.apps.ReaderConfig",
    "vnnews.api.apps.ApiConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Headers, validators/304 and the page cache (see the module); before sessions so a cache hit
    # skips the rest of the stack.
    "vnnews.site.middleware.SecurityHeadersMiddleware",
    # Outside the page cache and 304s, so every article page a reader gets is counted.
    "vnnews.reader.view_counter.ArticleViewMiddleware",
    "vnnews.site.middleware.ConditionalGetMiddleware",
    "vnnews.site.middleware.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# Caches on the embedded default, no extra server: "default" is file-based so all worker
# processes share the content version and related-article answers; "pages" is per process memory
# (fastest), keyed by that shared version so a save anywhere invalidates every page.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": DATA_DIR / "cache",
        "OPTIONS": {"MAX_ENTRIES": 20000},
    },
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "vnnews-pages",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
}
VNNEWS_PAGE_CACHE_ALIAS = "pages"
VNNEWS_PAGE_CACHE_SECONDS = env_int("VNNEWS_PAGE_CACHE_SECONDS", 60, minimum=0, maximum=86400)
VNNEWS_HTML_MAX_AGE = env_int("VNNEWS_HTML_MAX_AGE", 60, minimum=0, maximum=86400)
VNNEWS_FEED_MAX_AGE = env_int("VNNEWS_FEED_MAX_AGE", 300, minimum=0, maximum=86400)

ROOT_URLCONF = "vnnews.site.urls"
WSGI_APPLICATION = "vnnews.site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Fingerprinted names, so files can be served as immutable (whitenoise adds the header).
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Raw pages archived as WARC, so `vnnews reextract` never needs the network.
ARCHIVE_DIR = DATA_DIR / "archive"
# WARC files rotate daily and when one passes this size.
ARCHIVE_MAX_BYTES = env_int("VNNEWS_ARCHIVE_MAX_MB", 1000, minimum=1) * 1_000_000
# `vnnews import`: how long a chunk waits for a database locked by another process (SQLite) or
# out of reach (PostgreSQL) before the import stops (a second run goes on from there).
IMPORT_DATABASE_WAIT = env_int("VNNEWS_IMPORT_DB_WAIT", 300, minimum=0)
# `vnnews serve` / `vnnews demo`: gunicorn address, processes and threads per process.
SERVE_BIND = env_str("VNNEWS_BIND", "127.0.0.1:8000")
SERVE_WORKERS = env_int("VNNEWS_WEB_WORKERS", 2, minimum=1, maximum=64)
# Two threads a process: pages are CPU work under one GIL, and on 2 cores 2 x 2 served the
# uncached benchmark mix with ~7% less CPU a request and a lower p99 than 2 x 4 (bench_serve).
SERVE_THREADS = env_int("VNNEWS_WEB_THREADS", 2, minimum=1, maximum=64)

# Django's task API (django.tasks) with a database backend: no extra server on the default.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Live ingestion (`vnnews run`, `vnnews worker`): politeness, limits and the task queue.
FETCH_ALLOW_HOSTS = env_list("VNNEWS_FETCH_ALLOW_HOSTS", "")
FETCH_TIMEOUT = env_float("VNNEWS_FETCH_TIMEOUT", 20.0, minimum=1.0)
FETCH_MAX_BYTES = env_int("VNNEWS_FETCH_MAX_BYTES", 10_000_000, minimum=10_000)
HOST_DELAY = env_float("VNNEWS_HOST_DELAY", 1.0, minimum=0.0)
HOST_CONCURRENCY = env_int("VNNEWS_HOST_CONCURRENCY", 2, minimum=1)
FEED_INTERVAL = env_int("VNNEWS_FEED_INTERVAL", 600, minimum=1)
SOURCE_MAX_FAILURES = env_int("VNNEWS_SOURCE_MAX_FAILURES", 10, minimum=1)
QUEUE_MAX_BACKLOG = env_int("VNNEWS_QUEUE_MAX_BACKLOG", 5000, minimum=1)
TASK_LEASE_SECONDS = env_int("VNNEWS_TASK_LEASE_SECONDS", 900, minimum=10)
WORKERS = env_int("VNNEWS_WORKERS", 2, minimum=1, maximum=64)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "structured": {"format": "%(asctime)s level=%(levelname)s logger=%(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
    "root": {"handlers": ["console"], "level": env_str("VNNEWS_LOG_LEVEL", "INFO")},
}
