"""Security on by default: the Content-Security-Policy, and sign-in throttling that bounds
guessing without letting anyone on the same network lock an account out."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.db.models import F
from django.test import Client
from django.urls import reverse

from .factories import TeacherFactory, UserFactory

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


def sign_in(username, password, ip, client=None):
    client = client or Client()
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def time_passes(**delta):
    """Move every recorded failure back, as if `delta` had passed since."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(**delta))


def own_laptop(username, ip):
    """A browser that has signed in as `username` before (and signed out again)."""
    laptop = Client()
    assert sign_in(username, PASSWORD, ip, laptop).status_code == 302
    laptop.post(reverse("logout"))
    return laptop


def test_five_typos_lock_that_username_from_that_address_for_a_while():
    typo, classmate = UserFactory(username="typo"), UserFactory(username="classmate")
    classroom_ip = "10.0.0.7"
    for _ in range(4):
        assert sign_in("typo", "wrong password", classroom_ip).status_code == 400
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


def test_classmates_typing_wrong_passwords_do_not_keep_the_teacher_out_of_their_laptop():
    UserFactory(username="teacher")
    classroom_ip = "10.0.0.7"
    laptop = own_laptop("teacher", classroom_ip)
    for _ in range(5):
        sign_in("teacher", "guess", classroom_ip)
    assert sign_in("teacher", PASSWORD, classroom_ip).status_code == 429
    assert sign_in("teacher", PASSWORD, classroom_ip, laptop).status_code == 302
    device = laptop.cookies["device"]
    assert device["httponly"] and device["samesite"] == "Lax"
    assert int(device["max-age"]) == 365 * 24 * 60 * 60


def test_the_browser_a_learner_signed_up_in_is_theirs_too():
    classroom_ip = "10.0.0.7"
    laptop = Client(REMOTE_ADDR=classroom_ip)
    response = laptop.post(
        reverse("signup"),
        {"username": "newcomer", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    laptop.post(reverse("logout"))
    for _ in range(5):
        sign_in("newcomer", "guess", classroom_ip)
    assert sign_in("newcomer", PASSWORD, classroom_ip).status_code == 429
    assert sign_in("newcomer", PASSWORD, classroom_ip, laptop).status_code == 302


def test_without_a_known_browser_the_lock_is_brief_and_grows_with_further_failures():
    UserFactory(username="teacher")
    classroom_ip = "10.0.0.7"
    for _ in range(5):
        sign_in("teacher", "guess", classroom_ip)
    locked = sign_in("teacher", PASSWORD, classroom_ip)
    assert locked.status_code == 429
    assert "Try again in 1 minute." in locked.content.decode()
    time_passes(seconds=30)
    assert sign_in("teacher", PASSWORD, classroom_ip).status_code == 429
    time_passes(seconds=31)
    # The lock is over; one more wrong password locks the pair again, for twice as long.
    assert sign_in("teacher", "guess", classroom_ip).status_code == 429
    time_passes(seconds=61)
    assert sign_in("teacher", PASSWORD, classroom_ip).status_code == 429
    time_passes(seconds=60)
    assert sign_in("teacher", PASSWORD, classroom_ip).status_code == 302


def test_guessing_one_username_from_many_addresses_is_bounded_but_its_owner_gets_in():
    UserFactory(username="teacher")
    laptop = own_laptop("teacher", "192.0.2.1")
    for n in range(30):
        assert sign_in("teacher", f"guess {n}", f"203.0.113.{n}").status_code in {400, 429}
    refused = sign_in("teacher", PASSWORD, "198.51.100.1")  # a new address, the right password
    assert refused.status_code == 429
    assert "Too many sign-in attempts" in refused.content.decode()
    assert sign_in("teacher", PASSWORD, "198.51.100.2", laptop).status_code == 302


def test_wrong_passwords_on_a_known_browser_are_counted_apart_and_bounded():
    UserFactory(username="teacher")
    ip = "10.0.0.7"
    laptop = own_laptop("teacher", ip)
    for _ in range(5):
        assert sign_in("teacher", "typo", ip, laptop).status_code == 400
    # The laptop's typos are its own: the same address without it is not locked.
    assert sign_in("teacher", PASSWORD, ip).status_code == 302
    laptop = own_laptop("teacher", ip)
    for _ in range(10):
        sign_in("teacher", "guess", ip, laptop)
    # Past its own bound the laptop is one more browser at its address.
    assert sign_in("teacher", PASSWORD, ip, laptop).status_code == 429


def test_the_old_password_check_on_the_password_change_form_is_throttled():
    user = UserFactory(username="teacher")
    client = Client()
    client.force_login(user)
    url = reverse("password_change")
    new = {"new_password1": "a new long passphrase", "new_password2": "a new long passphrase"}

    def change(old_password):
        return client.post(url, {"old_password": old_password, **new}, REMOTE_ADDR="10.0.0.7")

    for _ in range(4):
        assert change("guess").status_code == 400
    assert change("guess").status_code == 429
    refused = change(PASSWORD)
    assert refused.status_code == 429
    assert "Too many sign-in attempts" in refused.content.decode()
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)


def test_a_teacher_sees_which_of_their_learners_are_locked_out_and_unlocks_them(
    teacher_client, classroom, learner
):
    for _ in range(5):
        sign_in(learner.username, "guess", "10.0.0.7")
    assert sign_in(learner.username, PASSWORD, "10.0.0.7").status_code == 429
    page = teacher_client.get(classroom.get_absolute_url()).content.decode()
    assert "Locked out" in page
    unlock = reverse("quizzes:class-unlock", args=[classroom.pk, learner.pk])
    response = teacher_client.post(unlock, follow=True)
    learner.first_name, learner.last_name = "Anna", "Kowalska"
    learner.save()
    response = teacher_client.post(unlock, follow=True)
    assert f"Anna Kowalska ({learner.username}) can sign in again." in response.content.decode()
    assert "Locked out" not in response.content.decode()
    assert sign_in(learner.username, PASSWORD, "10.0.0.7").status_code == 302


def test_a_teacher_cannot_unlock_someone_outside_their_classes(teacher_client, classroom):
    stranger = UserFactory()
    for _ in range(5):
        sign_in(stranger.username, "guess", "10.0.0.7")
    unlock = reverse("quizzes:class-unlock", args=[classroom.pk, stranger.pk])
    assert teacher_client.post(unlock).status_code == 404
    others = Client()
    others.force_login(TeacherFactory())
    assert (
        others.post(reverse("quizzes:class-unlock", args=[classroom.pk, stranger.pk])).status_code
        == 404
    )
    assert sign_in(stranger.username, PASSWORD, "10.0.0.7").status_code == 429


def test_the_admins_change_password_page_is_the_throttled_one(client):
    """Django's admin page checked the old password where sign-in throttling never looks."""
    teacher = TeacherFactory()
    client.force_login(teacher)
    response = client.get(reverse("admin:password_change"))
    assert response.status_code == 302 and response.url == reverse("password_change")
    assert client.post(reverse("admin:password_change"), {"old_password": "x"}).status_code == 302
