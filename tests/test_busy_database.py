"""A second process holds the database's write lock: pages that only read are still served,
writes are refused with "busy, try again" (503) and save nothing, and the site recovers."""

import http.client
import os
import queue
import socket
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.models import Session
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from quizzes.models import Attempt
from quizzes.taking.attempts import attempt_start

from .conftest import (
    LOCK_TIMEOUT,
    answers_for,
    attempt_shown,
    nothing_saved,
    postgresql_only,
    sqlite_only,
    started,
    take_url,
)
from .test_concurrency import CSRF, Browser, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)

AUTOSAVE = {"X-Quizsite-Autosave": "1"}
ROOT = Path(__file__).resolve().parent.parent


def test_an_autosave_under_a_held_lock_is_a_503_that_saves_nothing(
    learner_client, quiz, write_lock
):
    attempt_id = attempt_shown(started(learner_client, quiz))
    form = {"attempt": attempt_id, "action": "save", **answers_for(quiz)}
    write_lock.hold()
    response = learner_client.post(take_url(quiz), form, headers=AUTOSAVE)
    assert response.status_code == 503
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == (
        "The site is busy, so nothing was saved. Try again in a few seconds."
    )
    assert response["Retry-After"] == "5"
    assert nothing_saved()
    write_lock.release()
    assert learner_client.post(take_url(quiz), form, headers=AUTOSAVE).status_code == 204
    assert not nothing_saved()


def test_finishing_under_a_held_lock_shows_the_busy_page_and_saves_nothing(
    learner_client, quiz, write_lock
):
    attempt_id = attempt_shown(started(learner_client, quiz))
    form = {"attempt": attempt_id, **answers_for(quiz)}
    write_lock.hold()
    response = learner_client.post(take_url(quiz), form)
    page = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "<h1>The site is busy</h1>" in page
    assert "try again in a few seconds" in page
    assert '<a class="brand" href="/en/">quizsite</a>' in page  # the site's header, with no query
    assert nothing_saved()
    write_lock.release()
    finished = learner_client.post(take_url(quiz), form)
    assert finished.status_code == 302
    assert Attempt.objects.get(pk=attempt_id).is_submitted


def test_the_busy_page_is_in_the_visitors_language(learner_client, quiz, write_lock):
    url = take_url(quiz).replace("/en/", "/pl/")
    learner_client.post(quiz.get_absolute_url().replace("/en/", "/pl/"))
    attempt_id = attempt_shown(learner_client.get(url))
    write_lock.hold()
    response = learner_client.post(url, {"attempt": attempt_id, **answers_for(quiz)})
    assert response.status_code == 503
    assert '<html lang="pl">' in response.content.decode()
    assert "Serwis jest teraz zajęty" in response.content.decode()
    assert '<a class="brand" href="/pl/">quizsite</a>' in response.content.decode()


@sqlite_only
def test_signing_in_under_a_held_lock_shows_the_busy_page_and_signs_nobody_in(learner, write_lock):
    client = Client()
    write_lock.hold()
    response = client.post(
        reverse("login"),
        {"username": learner.username, "password": "correct horse battery staple"},
    )
    assert response.status_code == 503
    assert "The site is busy" in response.content.decode()
    write_lock.release()
    assert not Session.objects.exists()
    assert client.get(reverse("quizzes:my-results")).status_code == 302  # to sign in


@sqlite_only
def test_a_session_write_that_times_out_after_sign_in_is_the_busy_page_and_signs_nobody_in(
    learner, write_lock
):
    """The session is written once the view has answered, above the middleware that turns a
    view's lock timeout into the busy page: another process taking the lock in between."""

    def take_the_lock(**kwargs):  # after the sign-in's own writes, before the session's
        write_lock.hold()

    client = Client()
    user_logged_in.connect(take_the_lock, dispatch_uid="test-take-the-lock")
    try:
        response = client.post(
            reverse("login"),
            {"username": learner.username, "password": "correct horse battery staple"},
        )
    finally:
        user_logged_in.disconnect(dispatch_uid="test-take-the-lock")
    page = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "<h1>The site is busy</h1>" in page
    assert "signing you in could not be finished" in page and "you are not signed in" in page
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    write_lock.release()
    assert client.get(reverse("quizzes:my-results")).status_code == 302  # to sign in


def test_pages_that_only_read_are_served_while_another_process_holds_the_lock(
    client, learner_client, quiz, write_lock
):
    attempt_shown(started(learner_client, quiz))  # dealt before the lock
    write_lock.hold()
    assert client.get(reverse("quizzes:home")).status_code == 200
    assert client.get(reverse("login")).status_code == 200
    assert client.get(quiz.lesson.get_absolute_url()).status_code == 200
    assert learner_client.get(quiz.get_absolute_url()).status_code == 200  # the start page
    attempt_shown(learner_client.get(take_url(quiz)))  # read, not dealt again
    assert learner_client.get(reverse("quizzes:my-results")).status_code == 200


def test_any_other_database_error_is_still_a_500(learner_client, quiz, monkeypatch):
    attempt_id = attempt_shown(started(learner_client, quiz))

    def broken(**kwargs):
        raise OperationalError("disk I/O error")

    monkeypatch.setattr("quizzes.views.taking.answers_submit", broken)
    learner_client.raise_request_exception = False
    form = {"attempt": attempt_id, **answers_for(quiz)}
    response = learner_client.post(take_url(quiz), form)
    assert response.status_code == 500
    assert "Retry-After" not in response


def test_healthz_is_503_while_another_process_holds_the_lock_and_200_after(
    client, write_lock, settings
):
    settings.HEALTHZ_LOCK_TIMEOUT = LOCK_TIMEOUT
    write_lock.hold()
    response = client.get("/healthz")
    assert (response.status_code, response.content) == (503, b"database busy\n")
    write_lock.release()
    response = client.get("/healthz")
    assert (response.status_code, response.content) == (200, b"ok\n")


@sqlite_only
def test_healthz_leaves_the_connections_own_busy_timeout_as_it_was(client, write_lock, settings):
    settings.HEALTHZ_LOCK_TIMEOUT = 0.05
    write_lock.hold()
    assert client.get("/healthz").status_code == 503
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone() == (round(LOCK_TIMEOUT * 1000),)


@postgresql_only
def test_healthz_is_503_when_postgresql_takes_no_writes(client):
    with connection.cursor() as cursor:
        cursor.execute("SET default_transaction_read_only = on")
    try:
        response = client.get("/healthz")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET default_transaction_read_only")
    assert (response.status_code, response.content) == (503, b"database read-only\n")


class Gunicorn:
    """The real gunicorn with `make serve`'s gunicorn.conf.py, one worker, the test database."""

    def __init__(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": f"sqlite:///{connection.settings_dict['NAME']}",
            "DATABASE_LOCK_TIMEOUT": "20",  # the save waits for the lock as long as the test needs
            "ALLOWED_HOSTS": "127.0.0.1",
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "quizsite.wsgi", "--config", "gunicorn.conf.py"]
            + ["--bind", f"127.0.0.1:{self.port}", "--workers", "1", "--log-level", "debug"],
            cwd=ROOT,
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.log = queue.Queue()
        threading.Thread(target=self._read_log, daemon=True).start()
        self.wait_for_log("Booting worker")

    def _read_log(self):
        for line in self.process.stderr:
            self.log.put(line)

    def wait_for_log(self, text):
        """Until gunicorn logs a line containing `text` (its debug log names each request as
        a worker takes it)."""
        while text not in self.log.get(timeout=15):
            pass

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


@sqlite_only
def test_gunicorn_serves_a_page_while_a_save_in_the_same_worker_waits_for_the_lock(
    learner, quiz, write_lock
):
    """With sync workers a waiting save held its worker, and every page queued behind it."""
    attempt = attempt_start(learner=learner, quiz=quiz)
    form = urlencode(
        {"csrfmiddlewaretoken": CSRF, "attempt": attempt.pk, "action": "save", **answers_for(quiz)},
        doseq=True,
    )
    server = Gunicorn()
    browser = Browser(f"http://127.0.0.1:{server.port}", session_cookie(learner))
    saved = {}
    saving = threading.Thread(
        target=lambda: saved.update(status=browser.request("POST", take_url(quiz), form)[0])
    )
    try:
        write_lock.hold()
        saving.start()
        server.wait_for_log(f"POST {take_url(quiz)}")
        home = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        home.request("GET", reverse("quizzes:home"))
        assert home.getresponse().status == 200
        assert saving.is_alive(), "the save was not waiting for the lock"
        write_lock.release()
        saving.join(timeout=30)
    finally:
        write_lock.release()
        server.stop()
    assert saved == {"status": 302}
    assert not nothing_saved()


@sqlite_only
def test_on_sqlite_writes_queue_in_the_process_and_reads_do_not(learner_client, quiz, settings):
    """A request that writes waits for the others of its process (at most the lock timeout,
    then "busy"); a page that only reads never waits for them."""
    from quizzes.core import database_busy

    settings.DATABASE_LOCK_TIMEOUT = LOCK_TIMEOUT
    attempt_id = attempt_shown(started(learner_client, quiz))
    form = {"attempt": attempt_id, "action": "save", **answers_for(quiz)}
    assert database_busy._sqlite_writers.acquire(timeout=1)  # another thread is writing
    try:
        assert learner_client.get(take_url(quiz)).status_code == 200
        response = learner_client.post(take_url(quiz), form, headers=AUTOSAVE)
        assert response.status_code == 503 and response["Retry-After"] == "5"
        assert nothing_saved()
    finally:
        database_busy._sqlite_writers.release()
    assert learner_client.post(take_url(quiz), form, headers=AUTOSAVE).status_code == 204
    assert not nothing_saved()
