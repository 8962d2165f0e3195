"""Settings come from the environment and are safe by default."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "a-long-random-production-key-" + "x7Qp2#vL9$kR4!mZ8&wT3^nB6*hY1" * 2,
    "ALLOWED_HOSTS": "quiz.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://quiz.example.org",
}


def manage(*args, env):
    clean = {
        k: v
        for k, v in os.environ.items()
        # DJANGO_ALLOW_ASYNC_UNSAFE: set for the browser tests only, never in production.
        if k not in {"DJANGO_SETTINGS_MODULE", *PRODUCTION, "HTTPS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "QUIZSITE_VAR_DIR": os.environ["QUIZSITE_VAR_DIR"], **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_variables():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_a_missing_secret_key_is_refused_when_debug_is_off():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY is required when DEBUG is off" in result.stderr


def test_local_development_needs_no_variables_but_debug():
    result = manage("check", env={"DEBUG": "1"})
    assert result.returncode == 0, result.stderr


def database_options(env):
    result = manage(
        "shell",
        "-c",
        "from django.db import connection; print(connection.settings_dict['OPTIONS'])",
        env={"DEBUG": "1", **env},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_write_waits_database_lock_timeout_seconds_for_a_lock_on_either_database():
    sqlite = database_options(
        {"DATABASE_URL": "sqlite:///:memory:", "DATABASE_LOCK_TIMEOUT": "2.5"}
    )
    assert "'timeout': 2.5" in sqlite
    assert "'transaction_mode': 'IMMEDIATE'" in sqlite
    postgres = database_options(
        {"DATABASE_URL": "postgres://quiz@db.invalid/quiz", "DATABASE_LOCK_TIMEOUT": "2.5"}
    )
    assert "'options': '-c lock_timeout=2500'" in postgres


def test_a_write_waits_5_seconds_for_a_lock_by_default():
    assert "'timeout': 5.0" in database_options({"DATABASE_URL": "sqlite:///:memory:"})


def test_template_fragments_are_kept_only_when_debug_is_off():
    """Under DEBUG a template edit shows at once: no `{% cache %}` fragment is kept."""
    code = "from django.core.cache import caches; print(caches['template_fragments'].__class__)"
    for env, kept in (({"DEBUG": "1"}, "DummyCache"), (PRODUCTION, "LocMemCache")):
        result = manage("shell", "-c", code, env=env)
        assert result.returncode == 0, result.stderr
        assert f".{kept}'>" in result.stdout


def seen(env, **expressions):
    """What each settings expression is as `manage.py shell` sees it with `env`, as text."""
    code = "from django.conf import settings; " + "; ".join(
        f"print({name!r}, repr({expression}), sep='=')" for name, expression in expressions.items()
    )
    result = manage("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    lines = (line.partition("=") for line in result.stdout.splitlines() if "=" in line)
    return {name: value for name, _, value in lines if name in expressions}


SCALED_OUT = {
    **PRODUCTION,
    "DATABASE_URL": "postgres://quizsite@db.example.org/quizsite",
    "REDIS_URL": "redis://cache.example.org:6379/0",
    "DATABASE_POOL_MAX": "4",
}
WHAT_SCALES = {
    "cache": "settings.CACHES['default']['BACKEND']",
    "fragments": "settings.CACHES['template_fragments']['BACKEND']",
    "sessions": "settings.SESSION_ENGINE",
    "session_cache": "settings.CACHES[settings.SESSION_CACHE_ALIAS]['BACKEND']",
    "tasks": "settings.TASKS['default']['BACKEND']",
    "rq": "'django_rq' in settings.INSTALLED_APPS",
    "pool": "settings.DATABASES['default']['OPTIONS'].get('pool')",
    "conn_max_age": "settings.DATABASES['default']['CONN_MAX_AGE']",
}


def test_without_redis_the_cache_sessions_and_tasks_need_no_other_service():
    got = seen({"DEBUG": "0", "SECRET_KEY": "k"}, **WHAT_SCALES)
    assert got["cache"] == repr("django.core.cache.backends.locmem.LocMemCache")
    assert got["fragments"] == repr("django.core.cache.backends.locmem.LocMemCache")
    assert got["sessions"] == repr("django.contrib.sessions.backends.cached_db")
    assert got["session_cache"] == repr("django.core.cache.backends.filebased.FileBasedCache")
    assert got["tasks"] == repr("django_tasks_db.DatabaseBackend")
    assert (got["rq"], got["pool"], got["conn_max_age"]) == ("False", "None", "60")


def test_redis_url_shares_the_cache_and_sessions_and_queues_tasks_in_rq():
    got = seen(SCALED_OUT, **WHAT_SCALES, queue="settings.RQ_QUEUES['default']['URL']")
    assert got["cache"] == repr("django.core.cache.backends.redis.RedisCache")
    assert got["fragments"] == repr("django.core.cache.backends.locmem.LocMemCache")
    assert got["sessions"] == repr("django.contrib.sessions.backends.cached_db")
    assert got["session_cache"] == repr("django.core.cache.backends.redis.RedisCache")
    assert got["tasks"] == repr("django_tasks_rq.RQBackend")
    assert (got["rq"], got["queue"]) == ("True", repr(SCALED_OUT["REDIS_URL"]))


def test_database_pool_max_pools_postgresql_connections_without_persistent_ones():
    got = seen(SCALED_OUT, **WHAT_SCALES)
    assert got["pool"] == repr({"min_size": 1, "max_size": 4, "timeout": 10.0})
    assert got["conn_max_age"] == "0"


def test_tasks_backend_overrides_the_backend_redis_url_implies():
    got = seen(
        {**SCALED_OUT, "TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend"},
        tasks=WHAT_SCALES["tasks"],
    )
    assert got["tasks"] == repr("django_tasks.backends.dummy.DummyBackend")


def test_check_deploy_is_clean_with_the_scaled_out_variables():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=SCALED_OUT)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
