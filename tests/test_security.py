"""Security on by default: the Content-Security-Policy, and login throttling per user and IP."""

import pytest
from django.test import Client
from django.urls import reverse

from .factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def test_every_page_carries_a_policy_that_allows_no_inline_script(client):
    response = client.get(reverse("quizzes:home"))
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def sign_in(username, password, ip):
    client = Client(REMOTE_ADDR=ip)
    return client.post(reverse("login"), {"username": username, "password": password})


def test_five_typos_lock_that_username_from_that_address_only():
    typo, classmate = UserFactory(username="typo"), UserFactory(username="classmate")
    classroom_ip = "10.0.0.7"
    for _ in range(4):
        assert sign_in("typo", "wrong password", classroom_ip).status_code == 200
    assert sign_in("typo", "wrong password", classroom_ip).status_code == 429  # the fifth
    locked = sign_in("typo", PASSWORD, classroom_ip)  # even the right password, for now
    assert locked.status_code == 429
    assert "Too many sign-in attempts" in locked.content.decode()
    # The rest of the class, behind the same address, signs in as usual.
    assert sign_in(classmate.username, PASSWORD, classroom_ip).status_code == 302
    # So does the student from another address: nobody can lock an account from elsewhere.
    assert sign_in(typo.username, PASSWORD, "192.0.2.1").status_code == 302


def test_a_successful_sign_in_resets_the_count():
    UserFactory(username="careful")
    for _ in range(4):
        sign_in("careful", "wrong password", "10.0.0.8")
    assert sign_in("careful", PASSWORD, "10.0.0.8").status_code == 302
    for _ in range(4):
        sign_in("careful", "wrong password", "10.0.0.8")
    assert sign_in("careful", PASSWORD, "10.0.0.8").status_code == 302


def test_behind_a_proxy_only_the_address_it_added_counts(settings):
    from quizsite.client_ip import client_ip

    class Request:
        META = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.9"}

    settings.BEHIND_PROXY = False
    assert client_ip(Request) == "127.0.0.1"
    settings.BEHIND_PROXY = True
    assert client_ip(Request) == "203.0.113.9"
