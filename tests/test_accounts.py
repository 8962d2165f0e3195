"""Accounts and classes on day one: join links through sign-up and sign-in, class lists with
sign-in slips, password resets, confirmations before class actions, and one date format."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation

from quizzes.models import Classroom, Membership
from quizzes.teaching import roster
from quizzes.teaching.roster import RosterName, reset_token

from .factories import LessonFactory, TeacherFactory, UserFactory
from .test_i18n import english_words

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # the factories' password


def password_works(username, password):
    return User.objects.get(username=username).check_password(password)


def sign_in(username, password):
    """A sign-in from a fresh browser at one address (a classroom's)."""
    data = {"username": username, "password": password}
    return Client().post(reverse("login"), data, REMOTE_ADDR="10.0.0.7")


def join_url(classroom):
    return reverse("quizzes:join", args=[classroom.join_code])


# Join links through sign-in and sign-up --------------------------------------------------------


def test_a_signed_out_join_link_leads_to_sign_in_whose_sign_up_link_keeps_the_class(classroom):
    client = Client()
    response = client.get(join_url(classroom))
    assert response.status_code == 302
    header, page = client.get(response.url).content.decode().split("<main", 1)
    assert "Sign in to join your class." in page
    kept = f"?next=%2Fen%2Fjoin%2F{classroom.join_code}%2F"
    # Both the page's "Create an account" and the header's "Sign up" keep the class.
    for part in (page, header):
        signup_link = re.search(r'href="([^"]*/accounts/signup/[^"]*)"', part).group(1)
        assert signup_link == f"/en/accounts/signup/{kept}"
    assert f'href="/en/accounts/login/{kept}">Sign in</a>' in header


def test_a_polish_join_link_on_a_sign_in_page_switched_to_english_goes_on_in_english(classroom):
    client = Client()
    with translation.override("pl"):
        polish_join = join_url(classroom)
    page = client.get(f"{reverse('login')}?next={polish_join}").content.decode()
    assert "Sign in to join your class." in page
    assert f'name="next" value="/en/join/{classroom.join_code}/"' in page
    UserFactory(username="switcher")
    response = client.post(
        reverse("login"), {"username": "switcher", "password": PASSWORD, "next": polish_join}
    )
    assert response.status_code == 302 and response.url == f"/en/join/{classroom.join_code}/"
    signup = Client().get(f"{reverse('signup')}?next={polish_join}").content.decode()
    assert f'name="next" value="/en/join/{classroom.join_code}/"' in signup
    assert "you go straight on to join your class" in signup


def test_the_headers_sign_in_and_sign_up_links_are_plain_elsewhere(client):
    header = client.get(reverse("quizzes:home")).content.decode().split("<main", 1)[0]
    assert 'href="/en/accounts/login/">Sign in</a>' in header
    assert 'href="/en/accounts/signup/">Sign up</a>' in header


def test_signing_up_from_a_join_link_lands_on_the_class_and_joining_adds_the_learner(classroom):
    client = Client()
    signup = client.get(f"{reverse('signup')}?next={join_url(classroom)}").content.decode()
    assert f'name="next" value="{join_url(classroom)}"' in signup
    assert "you go straight on to join your class" in signup
    response = client.post(
        reverse("signup"),
        {
            "username": "newbie",
            "password1": "a-long-enough-pass-42",
            "password2": "a-long-enough-pass-42",
            "next": join_url(classroom),
        },
    )
    assert response.status_code == 302 and response.url == join_url(classroom)
    assert "You are joining “Class 3B”" in client.get(response.url).content.decode()
    client.post(reverse("quizzes:join-form"), {"code": classroom.join_code})
    assert classroom.learners.filter(username="newbie").exists()


def test_the_welcome_uses_the_first_name_when_given(client):
    form = {"username": "ola_k", "password1": "a-long-enough-pass-42"}
    form["password2"] = form["password1"]
    response = client.post(reverse("signup"), {**form, "first_name": "Aleksandra"}, follow=True)
    assert "Welcome, Aleksandra! Your account is ready." in response.content.decode()


def test_signing_in_from_a_join_link_returns_to_it(classroom):
    UserFactory(username="returning")
    client = Client()
    response = client.post(
        reverse("login"),
        {"username": "returning", "password": PASSWORD, "next": join_url(classroom)},
    )
    assert response.status_code == 302 and response.url == join_url(classroom)


def test_the_sign_up_page_links_to_sign_in_keeping_where_to_go(classroom):
    page = Client().get(f"{reverse('signup')}?next={join_url(classroom)}").content.decode()
    header, main = page.split("<main", 1)
    kept = f"?next=%2Fen%2Fjoin%2F{classroom.join_code}%2F"
    assert f'href="/en/accounts/login/{kept}"' in main
    assert f'href="/en/accounts/login/{kept}">Sign in</a>' in header
    assert f'href="/en/accounts/signup/{kept}">Sign up</a>' in header


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/join/",
        "javascript:alert(1)",
        "/\\evil.example",
        "evil.example",
        "home",  # a bare word: `redirect` took it for a URL's name (and "abc" failed with a 500)
        "abc",
    ],
)
def test_sign_up_never_sends_the_new_learner_to_another_site(target):
    client = Client()
    page = client.get(reverse("signup"), {"next": target}).content.decode().split("<main", 1)[1]
    assert "evil.example" not in page and "javascript:" not in page
    response = client.post(
        reverse("signup"),
        {
            "username": "careful",
            "password1": "a-long-enough-pass-42",
            "password2": "a-long-enough-pass-42",
            "next": target,
        },
    )
    assert response.status_code == 302 and response.url == reverse("quizzes:home")


def test_a_signed_in_visitor_to_sign_up_goes_where_next_says(learner_client, classroom):
    response = learner_client.get(reverse("signup"), {"next": join_url(classroom)})
    assert response.url == join_url(classroom)
    response = learner_client.get(reverse("signup"), {"next": "abc"})
    assert response.status_code == 302 and response.url == reverse("quizzes:home")


def test_two_sign_ups_of_one_username_at_once_give_the_second_its_message(monkeypatch):
    """The second's check passed before the first's account was saved: it is told the name is
    taken (400), and no second account or session is made."""
    from quizzes.forms import SignupForm

    checked = SignupForm._post_clean

    def other_request_saves_first(form):
        checked(form)
        UserFactory(username="twin")

    monkeypatch.setattr(SignupForm, "_post_clean", other_request_saves_first)
    client = Client()
    response = client.post(
        reverse("signup"),
        {
            "username": "twin",
            "password1": "a-long-enough-pass-42",
            "password2": "a-long-enough-pass-42",
        },
    )
    assert response.status_code == 400
    assert "A user with that username already exists." in response.content.decode()
    assert User.objects.filter(username="twin").count() == 1
    assert "_auth_user_id" not in client.session


# Usernames and passwords (pure rules) -----------------------------------------------------------


def test_pasted_names_are_read_in_each_layout_and_repeats_and_blanks_dropped():
    names, repeated = roster.parse_names(
        "Anna Kowalska\n\n  Kowalski,  Jan \nMaria\tNowak\textra\nanna   kowalska\nZoë\n \t \n"
        ",,,\n\t,\t\n"
    )
    assert names == [
        RosterName("Anna", "Kowalska"),
        RosterName("Jan", "Kowalski"),
        RosterName("Maria", "Nowak"),
        RosterName("Zoë", ""),
    ]
    assert repeated == ["anna kowalska"]


def test_names_pasted_last_name_first_are_read_so_and_each_repeat_named_once():
    names, repeated = roster.parse_names(
        "Zielińska\tOliwia\nKowalska Anna Maria\nde la Cruz, Ana Lucía\nNowak Jan\n"
        "Nowak Jan\nNowak Jan\nZoë\n",
        roster.LAST_FIRST,
    )
    assert names == [
        RosterName("Oliwia", "Zielińska"),
        RosterName("Anna Maria", "Kowalska"),
        RosterName("Ana Lucía", "de la Cruz"),  # a comma says which is which, in either order
        RosterName("Jan", "Nowak"),
        RosterName("Zoë", ""),
    ]
    assert repeated == ["Jan Nowak"]


@pytest.mark.parametrize(
    ("first", "last", "stem"),
    [
        ("Anna", "Kowalska", "annak"),
        ("Łucja", "Żółć", "lucjaz"),
        ("Jean-Luc", "O'Neil", "jeanluco"),
        ("Maximilianus", "Brown", "maximilianub"),
        ("Иван", "Петров", "learner"),
        ("Zoë", "", "zoe"),
    ],
)
def test_a_username_is_the_first_name_and_initial_in_plain_letters(first, last, stem):
    assert roster.username_stem(RosterName(first, last)) == stem


def test_a_taken_username_gets_the_first_number_without_0_or_1():
    taken = {"annak", "annak2", "annak3", "annak4", "annak5", "annak6", "annak7", "annak8"}
    assert roster.unused_username("annak", taken) == "annak9"
    assert roster.unused_username("annak", taken | {"annak9"}) == "annak22"
    numbers = roster.numbers_without_look_alikes()
    first = [next(numbers) for _ in range(8 + 64)]  # every one- and two-digit number of 2–9
    assert first[:9] == ["2", "3", "4", "5", "6", "7", "8", "9", "22"]
    assert first[-1] == "99" and len(set(first)) == 72 and next(numbers) == "222"
    assert not any(set(n) & {"0", "1"} for n in first)


def test_a_generated_password_is_two_words_and_three_digits_that_django_accepts():
    user = User(username="annak", first_name="Anna", last_name="Kowalska")
    for _ in range(50):
        password = roster.new_password(user)
        first, second, digits = password.split("-")
        assert first in roster.WORDS and second in roster.WORDS
        assert len(digits) == 3 and set(digits) <= set(roster.SAFE_DIGITS)
        validate_password(password, user)


def test_a_password_for_a_polish_slip_is_of_polish_words_without_polish_letters():
    user = User(username="annak", first_name="Anna", last_name="Kowalska")
    for _ in range(50):
        first, second, digits = roster.new_password(user, "pl").split("-")
        assert first in roster.POLISH_WORDS and second in roster.POLISH_WORDS
        assert not set(first + second) & set("ąćęłńóśźż")
    assert len(roster.POLISH_WORDS) == len(set(roster.POLISH_WORDS)) >= 150


def test_slips_printed_in_polish_get_polish_passwords(teacher_client, classroom):
    slips = slips_on(
        post_roster(teacher_client, classroom, "Ala Nowak", language="pl").content.decode()
    )
    [(_name, _username, password)] = slips
    first, second, _digits = password.split("-")
    assert first in roster.POLISH_WORDS and second in roster.POLISH_WORDS


# Class lists and slips ----------------------------------------------------------------------


def post_roster(client, classroom, names, language="en"):
    url = reverse("quizzes:class-roster", args=[classroom.pk])
    return client.post(url, {"names": names, "language": language})


def slips_on(page):
    """(name, username, password) of each slip on the page."""
    return re.findall(
        r'<p class="slip-name"><strong>([^<]*)</strong>.*?'
        r"<dd><code>([^<]*)</code></dd>.*?<dd><code>([^<]*)</code></dd>",
        page,
        re.S,
    )


def test_a_pasted_list_makes_accounts_in_the_class_shown_once_as_slips(teacher_client, classroom):
    UserFactory(username="annak")  # someone signed up with that name before
    response = post_roster(teacher_client, classroom, "Anna Kowalska\nNowak, Piotr\nAnna Kowalska")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    slips = slips_on(page)
    assert [(name, username) for name, username, _ in slips] == [
        ("Anna Kowalska", "annak2"),
        ("Piotr Nowak", "piotrn"),
    ]
    assert "Listed twice, made once: Anna Kowalska" in page
    assert "Add the second with an initial (“Anna M. Kowalska”)" in page
    second = post_roster(teacher_client, classroom, "Anna M. Kowalska")
    assert [name for name, _, _ in slips_on(second.content.decode())] == ["Anna M. Kowalska"]
    for _name, username, password in slips:
        user = User.objects.get(username=username)
        assert classroom.learners.filter(pk=user.pk).exists()
        assert not user.is_staff and user.check_password(password)
        assert password not in user.password  # hashed, never in clear
    # The address, breaking after a slash on a narrow slip.
    assert "http:/<wbr>/<wbr>testserver/<wbr>en/<wbr>accounts/<wbr>login/<wbr>" in page
    again = teacher_client.get(reverse("quizzes:class-detail", args=[classroom.pk]))
    assert all(password not in again.content.decode() for _, _, password in slips)
    assert all(password not in str(dict(teacher_client.session)) for _, _, password in slips)


@pytest.mark.django_db(transaction=True)
def test_passwords_are_hashed_before_the_write_transaction_opens(
    teacher_client, classroom, monkeypatch
):
    """On SQLite a write transaction holds the database's one write lock: hashing a class's
    passwords inside it (8 s for 28 learners) held every learner's save up, and the worker's."""
    hashed_in_a_transaction = []
    make_password = roster.make_password

    def watched(password):
        hashed_in_a_transaction.append(connection.in_atomic_block)
        return make_password(password)

    monkeypatch.setattr(roster, "make_password", watched)
    slips = slips_on(post_roster(teacher_client, classroom, "Ola Nowak\nJan Kos").content.decode())
    assert len(slips) == 2 and hashed_in_a_transaction == [False, False]
    url = reverse("quizzes:class-passwords", args=[classroom.pk])
    replaces = replaces_on(teacher_client.get(url).content.decode())
    response = teacher_client.post(url, {"replaces": replaces, "language": "en"})
    assert len(slips_on(response.content.decode())) == 3  # with the class's first learner
    assert hashed_in_a_transaction == [False] * 5
    for _name, username, password in slips:
        assert not User.objects.get(username=username).check_password(password)  # replaced


def test_a_list_pasted_again_says_who_was_in_the_class_and_not_that_they_were_made(
    teacher_client, classroom
):
    post_roster(teacher_client, classroom, "Anna Kowalczyk")
    url = reverse("quizzes:class-roster", args=[classroom.pk])
    page = teacher_client.post(
        url,
        {
            "names": "Kowalczyk\tAnna\nKowalczyk\tAnna\nNowak\tJan",
            "order": "last-first",
            "language": "en",
        },
    ).content.decode()
    assert [name for name, _username, _password in slips_on(page)] == ["Jan Nowak"]
    assert "Already in the class, so not made again: Anna Kowalczyk" in page
    assert "Listed twice" not in page
    assert classroom.learners.filter(first_name="Anna", last_name="Kowalczyk").count() == 1
    # Pasted the other way round by mistake, first-name-first: the same learner, not a new one.
    again = post_roster(teacher_client, classroom, "Kowalczyk Anna\nEwa Lis").content.decode()
    assert [name for name, _username, _password in slips_on(again)] == ["Ewa Lis"]
    assert "Already in the class, so not made again: Kowalczyk Anna" in again


def test_a_slip_lets_the_learner_sign_in_through_the_throttled_sign_in(teacher_client, classroom):
    _name, username, password = slips_on(
        post_roster(teacher_client, classroom, "Ola Wiśniewska").content.decode()
    )[0]
    assert sign_in(username, password).status_code == 302
    for _ in range(5):
        sign_in(username, "wrong-guess-1")
    assert sign_in(username, password).status_code == 429  # throttled like any account


def test_slips_can_be_printed_in_polish_from_an_english_page(teacher_client, classroom):
    page = post_roster(teacher_client, classroom, "Ola Nowak", language="pl").content.decode()
    assert '<html lang="en"' in page
    assert '<ul class="slips" lang="pl"' in page
    assert (
        "Nazwa użytkownika" in page
        and "http:/<wbr>/<wbr>testserver/<wbr>pl/<wbr>accounts/<wbr>login/<wbr>" in page
    )


def test_pasting_the_same_list_again_makes_no_second_accounts(teacher_client, classroom):
    post_roster(teacher_client, classroom, "Anna Kowalska\nPiotr Nowak")
    users = User.objects.count()
    again = post_roster(teacher_client, classroom, "Anna Kowalska\nPiotr Nowak")
    assert again.status_code == 400
    assert (
        "Everyone on this list is already in the class. If the slips were lost"
        in again.content.decode()
    )
    slips_again = reverse("quizzes:class-passwords", args=[classroom.pk])
    assert f'<a href="{slips_again}">Slips again for learners' in again.content.decode()
    added = post_roster(teacher_client, classroom, "Anna Kowalska\nPiotr Nowak\nEwa Lis")
    assert "Already in the class, so not made again: Anna Kowalska, Piotr Nowak" in (
        added.content.decode()
    )
    assert User.objects.count() == users + 1


@pytest.mark.parametrize(
    ("names", "message"),
    [
        ("", "Paste at least one name."),
        ("\n \n\t\n", "Paste at least one name."),
        (",,,,", "Paste at least one name."),  # it said everyone was already in the class
        (", \n ,", "Paste at least one name."),
        ("\u200b\u202e", "Paste at least one name."),
        ("\n".join(f"Learner {i}" for i in range(61)), "At most 60 names at a time; this list"),
        ("A" * 101 + " Nowak", "is too long for a name."),
        ("x" * 7000, "Ensure this value has at most"),
    ],
)
def test_a_list_that_cannot_be_made_is_refused_and_nothing_saved(
    teacher_client, classroom, names, message
):
    users = User.objects.count()
    response = post_roster(teacher_client, classroom, names)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert User.objects.count() == users


@pytest.mark.parametrize(
    "data",
    [{"names": "Ann\x00 Nowak", "language": "en"}, {"names": "Ann Nowak", "language": "xx"}, {}],
)
def test_a_forged_roster_post_is_a_400(teacher_client, classroom, data):
    users = User.objects.count()
    response = teacher_client.post(reverse("quizzes:class-roster", args=[classroom.pk]), data)
    assert response.status_code == 400
    assert User.objects.count() == users


def test_another_teacher_cannot_add_to_or_reset_in_a_class(classroom, learner):
    other = Client()
    other.force_login(TeacherFactory())
    assert post_roster(other, classroom, "Sneaky Person").status_code == 404
    reset = reverse("quizzes:class-password-reset", args=[classroom.pk, learner.pk])
    assert (
        other.post(reset, {"language": "en", "replaces": reset_token(learner)}).status_code == 404
    )
    assert not User.objects.filter(first_name="Sneaky").exists()
    assert password_works(learner.username, PASSWORD)


# Password resets -----------------------------------------------------------------------------


def test_a_teacher_resets_a_members_password_after_confirming(teacher_client, classroom, learner):
    url = reverse("quizzes:class-password-reset", args=[classroom.pk, learner.pk])
    learner_session = Client()
    learner_session.force_login(learner)
    confirm = teacher_client.get(url)
    assert confirm.status_code == 200
    assert "a new password?" in confirm.content.decode()
    assert password_works(learner.username, PASSWORD)  # GET: no change
    replaces = re.search(r'name="replaces" value="([0-9a-f]+)"', confirm.content.decode())[1]
    response = teacher_client.post(url, {"language": "en", "replaces": replaces})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    [(_name, username, password)] = slips_on(response.content.decode())
    assert "The new password works now; the old one no longer does." in response.content.decode()
    assert username == learner.username
    assert not password_works(username, PASSWORD)
    assert password_works(username, password)
    assert learner_session.get(reverse("quizzes:my-results")).status_code == 302  # signed out


def test_the_reset_sent_again_by_a_reload_keeps_the_password_on_the_slip(
    teacher_client, classroom, learner
):
    url = reverse("quizzes:class-password-reset", args=[classroom.pk, learner.pk])
    form = {"language": "en", "replaces": reset_token(learner)}
    [(_n, _u, password)] = slips_on(teacher_client.post(url, form).content.decode())
    again = teacher_client.post(url, form)  # the browser's "send the form again?"
    assert again.status_code == 409
    page = again.content.decode()
    assert "No new password was made, so the slip made then still holds the one that works." in page
    assert slips_on(page) == []
    assert password_works(learner.username, password)
    # Pressing the button on that page makes another one.
    fresh = re.search(r'name="replaces" value="([0-9a-f]+)"', page)[1]
    [(_n, _u, newer)] = slips_on(
        teacher_client.post(url, {**form, "replaces": fresh}).content.decode()
    )
    assert newer != password and password_works(learner.username, newer)


@pytest.mark.parametrize("replaces", [None, "", "x" * 65])
def test_a_reset_without_the_confirm_pages_token_is_a_400(
    teacher_client, classroom, learner, replaces
):
    url = reverse("quizzes:class-password-reset", args=[classroom.pk, learner.pk])
    form = {"language": "en"} if replaces is None else {"language": "en", "replaces": replaces}
    response = teacher_client.post(url, form)
    assert response.status_code == 400
    assert "This form is out of date. Reload the page." in response.content.decode()
    assert password_works(learner.username, PASSWORD)


def test_a_reset_lifts_a_lockout(teacher_client, classroom, learner):
    for _ in range(5):
        sign_in(learner.username, "nope-nope")
    assert sign_in(learner.username, PASSWORD).status_code == 429
    url = reverse("quizzes:class-password-reset", args=[classroom.pk, learner.pk])
    form = {"language": "en", "replaces": reset_token(learner)}
    [(_n, _u, password)] = slips_on(teacher_client.post(url, form).content.decode())
    assert sign_in(learner.username, password).status_code == 302


def test_a_staff_member_in_the_class_cannot_have_their_password_reset(teacher_client, classroom):
    colleague = TeacherFactory()
    Membership.objects.create(classroom=classroom, learner=colleague)
    page = teacher_client.get(reverse("quizzes:class-detail", args=[classroom.pk])).content.decode()
    assert reverse("quizzes:class-password-reset", args=[classroom.pk, colleague.pk]) not in page
    url = reverse("quizzes:class-password-reset", args=[classroom.pk, colleague.pk])
    form = {"language": "en", "replaces": reset_token(colleague)}
    assert teacher_client.post(url, form).status_code == 404
    assert password_works(colleague.username, PASSWORD)


def test_a_password_reset_for_someone_outside_the_class_is_a_404(teacher_client, classroom):
    stranger = UserFactory()
    url = reverse("quizzes:class-password-reset", args=[classroom.pk, stranger.pk])
    assert teacher_client.get(url).status_code == 404
    form = {"language": "en", "replaces": reset_token(stranger)}
    assert teacher_client.post(url, form).status_code == 404


# New passwords for everyone who has not signed in ------------------------------------------


def passwords_page(client, classroom):
    return client.get(reverse("quizzes:class-passwords", args=[classroom.pk]))


def replaces_on(page):
    return re.search(r'name="replaces" value="([0-9a-f]+)"', page)[1]


def test_lost_slips_are_made_again_for_the_learners_who_have_not_signed_in(
    teacher_client, classroom, learner
):
    post_roster(teacher_client, classroom, "Ann Nowak\nBo Zieliński")
    learner.last_login = timezone.now()  # signed in: keeps their password
    learner.save()
    page = passwords_page(teacher_client, classroom).content.decode()
    assert "2 learners in this class have never signed in." in page
    assert page.index("Ann Nowak") < page.index("Bo Zieliński")
    url = reverse("quizzes:class-passwords", args=[classroom.pk])
    form = {"language": "pl", "replaces": replaces_on(page)}
    response = teacher_client.post(url, form)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    slips = slips_on(response.content.decode())
    assert [name for name, _u, _p in slips] == ["Ann Nowak", "Bo Zieliński"]
    assert "The new passwords work now; the old ones no longer do." in response.content.decode()
    assert '<ul class="slips" lang="pl"' in response.content.decode()
    for _name, username, password in slips:
        assert sign_in(username, password).status_code == 302
    assert password_works(learner.username, PASSWORD)
    # Sent again by a reload: refused, and the printed slips still work.
    again = teacher_client.post(url, form)
    assert again.status_code == 409
    assert "No new passwords were made" in again.content.decode()
    for _name, username, password in slips:
        assert password_works(username, password)


def test_when_everyone_has_signed_in_there_are_no_slips_to_make(teacher_client, classroom, learner):
    learner.last_login = timezone.now()
    learner.save()
    page = passwords_page(teacher_client, classroom).content.decode()
    assert "Every learner in this class has signed in at least once." in page
    assert '<form method="post" class="stacked-form"' not in page


def test_a_sign_in_between_opening_and_pressing_refuses_every_reset(teacher_client, classroom):
    post_roster(teacher_client, classroom, "Ann Nowak\nBo Zieliński")
    page = passwords_page(teacher_client, classroom).content.decode()
    User.objects.filter(first_name="Bo").update(last_login=timezone.now())
    url = reverse("quizzes:class-passwords", args=[classroom.pk])
    hashes = dict(User.objects.values_list("username", "password"))
    response = teacher_client.post(url, {"language": "en", "replaces": replaces_on(page)})
    assert response.status_code == 409
    assert dict(User.objects.values_list("username", "password")) == hashes


@pytest.mark.parametrize("data", [{"language": "en"}, {"language": "en", "replaces": "x" * 65}])
def test_a_forged_bulk_reset_is_a_400(teacher_client, classroom, data):
    post_roster(teacher_client, classroom, "Ann Nowak")
    hashes = dict(User.objects.values_list("username", "password"))
    response = teacher_client.post(reverse("quizzes:class-passwords", args=[classroom.pk]), data)
    assert response.status_code == 400
    assert dict(User.objects.values_list("username", "password")) == hashes


def test_another_teacher_cannot_make_slips_for_a_class(classroom):
    other = Client()
    other.force_login(TeacherFactory())
    url = reverse("quizzes:class-passwords", args=[classroom.pk])
    assert other.get(url).status_code == 404
    assert other.post(url, {"language": "en", "replaces": "0" * 32}).status_code == 404


def test_the_class_page_links_to_slips_again(teacher_client, classroom):
    page = teacher_client.get(classroom.get_absolute_url()).content.decode()
    url = reverse("quizzes:class-passwords", args=[classroom.pk])
    assert f'<a href="{url}">Slips again for learners who have not signed in</a>' in page


# Confirmations before class actions ---------------------------------------------------------


def test_make_a_new_code_asks_first_and_changes_nothing_until_confirmed(teacher_client, classroom):
    code = classroom.join_code
    url = reverse("quizzes:class-rotate", args=[classroom.pk])
    detail = teacher_client.get(classroom.get_absolute_url()).content.decode()
    assert f'href="{url}"' in detail
    confirm = teacher_client.get(url).content.decode()
    assert "Make a new code for “Class 3B”?" in confirm and code in confirm
    assert Classroom.objects.get().join_code == code
    teacher_client.post(url)
    assert Classroom.objects.get().join_code != code


def test_remove_asks_first_and_removes_only_once_confirmed(teacher_client, classroom, learner):
    url = reverse("quizzes:class-remove", args=[classroom.pk, learner.pk])
    confirm = teacher_client.get(url)
    assert confirm.status_code == 200
    assert f"Remove {learner.get_full_name()} ({learner.username}) from “Class 3B”?" in (
        confirm.content.decode()
    )
    assert classroom.learners.filter(pk=learner.pk).exists()
    teacher_client.post(url)
    assert not classroom.learners.filter(pk=learner.pk).exists()
    assert teacher_client.get(url).status_code == 404  # no longer in the class


# Dates -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "date", "when"),
    [
        ("en", "1 December 2026", "1 December 2026, 09:05"),
        ("pl", "1 grudnia 2026", "1 grudnia 2026, 09:05"),
    ],
)
def test_every_date_format_is_the_same_one_per_language(language, date, when):
    moment = datetime(2026, 12, 1, 9, 5, tzinfo=ZoneInfo("Europe/Warsaw"))
    with translation.override(language):
        assert formats.date_format(moment, "DATE_FORMAT") == date
        assert formats.date_format(moment, "SHORT_DATE_FORMAT") == date
        assert formats.date_format(moment, "DATETIME_FORMAT") == when
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == when


def test_the_class_page_writes_dates_in_the_reader_language(teacher_client, classroom):
    Membership.objects.update(joined_at=datetime(2026, 12, 1, 9, 5, tzinfo=ZoneInfo("UTC")))
    english = teacher_client.get(classroom.get_absolute_url()).content.decode()
    assert "1 December 2026" in english and "12/01/2026" not in english
    polish = teacher_client.get(f"/pl/classes/{classroom.pk}/").content.decode()
    assert "1 grudnia 2026" in polish


def test_polish_slips_leave_no_english(teacher_client, classroom):
    Classroom.objects.update(name="3B")
    url = reverse("quizzes:class-roster", args=[classroom.pk])
    slips = teacher_client.post(f"/pl{url[3:]}", {"names": "Ola Nowak", "language": "pl"})
    assert slips.status_code == 200
    assert english_words(slips.content.decode()) <= {"teacher"}  # the teacher's username
    assert slips_on(slips.content.decode())[0][:2] == ("Ola Nowak", "olan")


# Layout ----------------------------------------------------------------------------------------


def test_a_lesson_table_is_in_a_named_box_that_scrolls_by_keyboard(client):
    body = (
        "| When | Who |\n|---|---|\n| 2022 | Poland |\n\nText.\n\n| A | B |\n|---|---|\n| 1 | 2 |\n"
    )
    lesson = LessonFactory(body=body, is_published=True)
    page = client.get(lesson.get_absolute_url()).content.decode()
    assert page.count('<div class="table-wrap" tabindex="0" role="region"') == 2
    assert 'aria-label="Table 1"><table>' in page and 'aria-label="Table 2"><table>' in page
    polish = client.get(f"/pl{lesson.get_absolute_url()[3:]}").content.decode()
    assert 'aria-label="Tabela 1"' in polish


def test_a_list_sent_twice_at_once_makes_its_accounts_once(teacher_client, classroom):
    """The second request passed the form's check before the first saved; the service checks
    again inside its transaction."""
    names = [RosterName("Ewa", "Lis")]
    assert len(roster.roster_create(classroom=classroom, names=names)) == 1
    assert roster.roster_create(classroom=classroom, names=names) == []
    assert User.objects.filter(first_name="Ewa").count() == 1
