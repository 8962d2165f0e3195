"""A class list: accounts made from pasted names, each with a generated username and password.

Usernames are the first name and the surname's initial in plain lower-case letters, with a
number from the digits 2–9 when the name is taken, so a slip never mixes up l and 1 or o and 0.
Passwords are two short words and three digits (`maple-tiger-372`): easy to type for a
12-year-old, about 18 million of them, and sign-in throttling refuses guessing long before that.
A password exists in clear only in the response that shows it: it is hashed at once, never put
in the session, messages or logs.
"""

import itertools
import secrets
import unicodedata
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.crypto import constant_time_compare, salted_hmac
from django.views.decorators.debug import sensitive_variables

from quizzes.core.sign_in_throttle import unlock
from quizzes.course.fallbacks import current_language
from quizzes.models import Classroom, Membership
from quizzes.teaching.classes import name_order

MAX_NAMES = 60  # a class, with room to spare; a longer paste is almost surely the wrong text
MAX_NAME_LENGTH = 100
USERNAME_LETTERS = 12
SAFE_DIGITS = "23456789"

# Short words a 12-year-old knows how to spell, none a rude one in English or Polish.
# fmt: off
WORDS = (
    "acorn", "apple", "arrow", "badge", "bagel", "bamboo", "banjo", "basil", "beach", "berry",
    "bison", "blaze", "bloom", "bongo", "brave", "bread", "brick", "brook", "bunny", "cabin",
    "cactus", "camel", "candy", "canoe", "cargo", "carrot", "cedar", "chalk", "cherry", "chess",
    "chip", "cider", "cloud", "clover", "cocoa", "comet", "coral", "cotton", "crane", "crisp",
    "daisy", "dingo", "dolphin", "dragon", "drum", "eagle", "echo", "ember", "fable", "falcon",
    "fern", "fiddle", "flame", "flute", "forest", "fossil", "frost", "galaxy", "garden",
    "gecko", "ginger", "glade", "globe", "goose", "grape", "gravy", "hammer", "harbor", "hazel",
    "hedge", "honey", "hotel", "husky", "igloo", "iris", "island", "ivory", "jacket", "jelly",
    "jigsaw", "jungle", "kayak", "kettle", "kiwi", "koala", "lagoon", "lemon", "lily", "lizard",
    "llama", "lunar", "maple", "marble", "meadow", "melon", "mint", "mocha", "moose", "mango",
    "muffin", "nectar", "noodle", "nutmeg", "oasis", "ocean", "olive", "orbit", "otter", "owl",
    "paddle", "panda", "papaya", "parrot", "pasta", "peach", "pebble", "pepper", "piano",
    "pickle", "pilot", "pine", "pixel", "planet", "plum", "pony", "poppy", "puffin", "pumpkin",
    "quartz", "quill", "rabbit", "radar", "rain", "raven", "reef", "river", "robin", "rocket",
    "rose", "ruby", "saddle", "salmon", "sandy", "satin", "scarf", "seal", "shadow", "shell",
    "sierra", "silver", "skate", "sky", "sloth", "snow", "sock", "sonic", "spark", "spice",
    "sprout", "squid", "star", "storm", "sugar", "summit", "sun", "swan", "taco", "tango",
    "tiger", "toast", "tomato", "topaz", "tulip", "tuna", "turtle", "umbrella", "valley",
    "velvet", "violet", "waffle", "walnut", "whale", "willow", "winter", "wolf", "yak", "yarn",
    "yeti", "zebra",
)
# fmt: on

# The same for slips in Polish: written without Polish letters (ł, ż…), which some keyboards
# lack and pupils mistype.
# fmt: off
POLISH_WORDS = (
    "kot", "pies", "lis", "wilk", "sowa", "kura", "koza", "baran", "zebra", "tygrys", "lew",
    "foka", "mors", "bocian", "kaczka", "kogut", "krowa", "sarna", "borsuk", "kret", "kangur",
    "panda", "koala", "lama", "delfin", "rekin", "pingwin", "papuga", "kanarek", "szpak", "wrona",
    "sroka", "czapla", "mewa", "motyl", "biedronka", "krab", "homar", "karp", "chomik", "mysz",
    "bizon", "hipopotam", "krokodyl", "gekon", "kameleon", "chleb", "ser", "mleko", "jogurt",
    "zupa", "makaron", "kasza", "pierogi", "pizza", "banan", "gruszka", "malina", "jagoda",
    "arbuz", "melon", "cytryna", "ananas", "kiwi", "mango", "figa", "daktyl", "orzech", "marchew",
    "burak", "cebula", "czosnek", "pomidor", "papryka", "dynia", "kapusta", "groszek", "fasola",
    "kukurydza", "ziemniak", "seler", "szpinak", "kalafior", "rodzynek", "ciastko", "tort",
    "babeczka", "lody", "kakao", "herbata", "sok", "woda", "cukier", "pieprz", "cynamon",
    "wanilia", "dom", "okno", "lampa", "zegar", "kubek", "talerz", "widelec", "garnek", "czajnik",
    "lustro", "obraz", "dywan", "poduszka", "kocyk", "szafa", "rower", "autobus", "tramwaj",
    "statek", "rakieta", "balon", "latawiec", "parasol", "plecak", "zeszyt", "gumka", "linijka",
    "kredka", "farba", "kostka", "puzzle", "gitara", "skrzypce", "flet", "pianino", "kapelusz",
    "czapka", "szalik", "kurtka", "sweter", "buty", "skarpeta", "guzik", "klucz", "zamek",
    "kompas", "mapa", "globus", "teleskop", "latarka", "lina", "most", "brama", "las", "rzeka",
    "jezioro", "morze", "dolina", "piasek", "chmura", "deszcz", "burza", "gwiazda", "planeta",
    "kometa", "wiatr", "kwiat", "tulipan", "stokrotka", "mak", "lilia", "mech", "grzyb", "drzewo",
    "sosna", "brzoza", "klon", "wierzba", "lipa", "trawa", "listek", "szyszka", "kasztan",
)
# fmt: on
WORDS_BY_LANGUAGE = {"en": WORDS, "pl": POLISH_WORDS}


@dataclass(frozen=True)
class RosterName:
    """One learner's name as pasted: first name(s) and surname."""

    first: str
    last: str

    @property
    def full(self) -> str:
        return f"{self.first} {self.last}".strip()


@dataclass(frozen=True)
class Slip:
    """What a learner's sign-in slip shows; the password is in clear only here."""

    name: str
    username: str
    password: str


FIRST_LAST, LAST_FIRST = "first-last", "last-first"


def parse_names(text: str, order: str = FIRST_LAST) -> tuple[list[RosterName], list[str]]:
    """The names in a pasted list, one a line, and the names left out as repeats (each once).

    A line is "Last, First", or two names in `order`: spreadsheet columns separated by a tab,
    or words separated by spaces ("Anna Maria Kowalska" read first-last splits at the last
    space, "Kowalska Anna Maria" read last-first at the first). Blank lines are skipped and
    a name repeated in the paste counts once.
    """
    names, repeated, seen = [], [], set()
    for line in text.splitlines():
        if "\t" in line:
            first, _tab, last = line.partition("\t")
            last = last.split("\t")[0]
            if order == LAST_FIRST:
                first, last = last, first
        elif "," in line:
            last, _comma, first = line.partition(",")
        elif order == LAST_FIRST:
            last, _space, first = line.strip().partition(" ")
            if not first:  # one word: a first name alone
                first, last = last, ""
        else:
            first, _space, last = line.strip().rpartition(" ")
            if not first:
                first, last = last, ""
        name = RosterName(" ".join(first.split()), " ".join(last.split()))
        if not any(character.isalnum() for character in name.full):  # blank, or ",,," say
            continue
        key = name.full.casefold()
        if key in seen:
            if name.full not in repeated:
                repeated.append(name.full)
            continue
        seen.add(key)
        names.append(name)
    return names, repeated


FOLDED = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ß": "ss"})


def plain_letters(text: str) -> str:
    """The text's letters in lower-case a–z: accents dropped, Polish ł read as l."""
    decomposed = unicodedata.normalize("NFKD", text.translate(FOLDED))
    return "".join(c for c in decomposed.lower() if "a" <= c <= "z")


def username_stem(name: RosterName) -> str:
    """The username before any number: first name and the surname's initial ("annak")."""
    first = plain_letters(name.first.split(" ")[0] if name.first else "")
    stem = (first[: USERNAME_LETTERS - 1] + plain_letters(name.last)[:1]) or "learner"
    return stem


def numbers_without_look_alikes():
    """2, 3, … 9, 22, 23, …: whole numbers written without 0 and 1."""
    for width in itertools.count(1):
        for digits in itertools.product(SAFE_DIGITS, repeat=width):
            yield "".join(digits)


def unused_username(stem: str, taken: set[str]) -> str:
    """The stem, or the stem and the first number that makes it unused (case ignored)."""
    if stem not in taken:
        return stem
    return next(stem + n for n in numbers_without_look_alikes() if stem + n not in taken)


@sensitive_variables("password")
def new_password(user: User, language: str = "en") -> str:
    """A fresh two-word, three-digit password that Django's password validators accept, its
    words in `language` (the slip's)."""
    vocabulary = WORDS_BY_LANGUAGE.get(language, WORDS)
    while True:
        words = (secrets.choice(vocabulary) for _ in range(2))
        digits = "".join(secrets.choice(SAFE_DIGITS) for _ in range(3))
        password = "-".join((*words, digits))
        try:
            validate_password(password, user)
        except ValidationError:  # like the learner's own name, say: draw again
            continue
        return password


def member_names(classroom: Classroom) -> set[str]:
    """The full names of the class's members, case folded, to tell a list pasted again: each
    both ways round, so "Kowalska Anna" pasted first-name-first is Anna Kowalska, not a
    second account."""
    names = set()
    for first, last in classroom.learners.values_list("first_name", "last_name"):
        names.add(f"{first} {last}".strip().casefold())
        names.add(f"{last} {first}".strip().casefold())
    return names


@sensitive_variables("password")
def _new_credentials(user: User, language: str) -> tuple[str, str]:
    """A new password for `user` and its hash, worked out before any write transaction opens:
    hashing is the slow part (with validation, 8 s for 28 learners on a small machine), and on
    SQLite a transaction holds the database's one write lock, so every learner's save waited."""
    password = new_password(user, language)
    return password, make_password(password)


@sensitive_variables("credentials", "slips")
def roster_create(
    *, classroom: Classroom, names: list[RosterName], language: str = "en"
) -> list[Slip]:
    """Make an account for each name not yet in the class, put it in, and return the slips.

    Names already in the class are checked again inside the transaction, so a list sent twice
    at once (a double click) makes its accounts once.
    """
    credentials = [
        _new_credentials(
            User(username=username_stem(n), first_name=n.first, last_name=n.last), language
        )
        for n in names
    ]
    with transaction.atomic():
        return _roster_write(classroom, list(zip(names, credentials, strict=True)))


@sensitive_variables("named", "password", "slips")
def _roster_write(classroom: Classroom, named: list) -> list[Slip]:
    members = member_names(classroom)
    named = [(name, pair) for name, pair in named if name.full.casefold() not in members]
    stems = {username_stem(name) for name, _pair in named}
    taken = set()
    for stem in stems:
        taken.update(
            username.lower()
            for username in User.objects.filter(username__istartswith=stem).values_list(
                "username", flat=True
            )
        )
    slips = []
    for name, (password, hashed) in named:
        username = unused_username(username_stem(name), taken)
        taken.add(username)
        user = User(username=username, first_name=name.first, last_name=name.last, password=hashed)
        user.full_clean()
        user.save()
        Membership.objects.create(classroom=classroom, learner=user)
        slips.append(Slip(name=name.full, username=username, password=password))
    return slips


class PasswordChanged(Exception):
    """The password a reset was asked to replace is no longer the learner's."""


def reset_token(learner: User) -> str:
    """What a reset's confirm page sends of the password it replaces (a keyed hash of its
    hash, which tells nothing of it): once that password is gone, the same form sent again
    (a reloaded slip, a double click) no longer matches."""
    return _token(learner.password)


def _token(value: str) -> str:
    return salted_hmac("quizzes.password-reset", value).hexdigest()[:32]


@sensitive_variables("password")
def password_reset(*, learner: User, token: str, language: str = "en") -> Slip:
    """Give the learner a new password (signing them out everywhere and lifting any lockout),
    if `token` is the `reset_token` of the password they have now; else PasswordChanged."""
    if not constant_time_compare(token, reset_token(learner)):
        raise PasswordChanged
    return _new_password_over(learner, _new_credentials(learner, language))


@sensitive_variables("credentials", "password")
def _new_password_over(learner: User, credentials: tuple[str, str]) -> Slip:
    """A new password written only over the hash `learner` was read with, so of two resets
    sent at once, one makes a password and the other gets PasswordChanged."""
    password, hashed = credentials
    replaced = learner.password
    if not User.objects.filter(pk=learner.pk, password=replaced).update(password=hashed):
        raise PasswordChanged
    learner.password = hashed
    unlock(learner.get_username())
    return Slip(
        name=learner.get_full_name() or learner.get_username(),
        username=learner.get_username(),
        password=password,
    )


def never_signed_in(classroom: Classroom) -> list[User]:
    """The class's learner accounts that have never signed in (slips not yet used, or lost),
    in a class list's order; staff accounts are never the class's to reset."""
    learners = User.objects.filter(
        memberships__classroom=classroom,
        last_login__isnull=True,
        is_staff=False,
        is_superuser=False,
    )
    language = current_language()
    return sorted(learners, key=lambda learner: name_order(learner, language))


def passwords_token(learners: list[User]) -> str:
    """`reset_token` of several learners at once: their ids and the passwords they have now."""
    return _token(";".join(f"{learner.pk}:{learner.password}" for learner in learners))


@sensitive_variables("credentials", "slips")
def passwords_reset(*, learners: list[User], token: str, language: str = "en") -> list[Slip]:
    """New passwords for `learners`, all or none: PasswordChanged if `token` is not their
    `passwords_token` now (the form sent again by a reload, or someone signed in or was
    reset meanwhile), and then nothing is changed."""
    if not constant_time_compare(token, passwords_token(learners)):
        raise PasswordChanged
    credentials = [_new_credentials(learner, language) for learner in learners]  # before the lock
    with transaction.atomic():
        return [
            _new_password_over(learner, pair)
            for learner, pair in zip(learners, credentials, strict=True)
        ]
