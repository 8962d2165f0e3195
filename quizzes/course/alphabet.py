"""Sorting words the way a dictionary in the reader's language does.

Python sorts by code point, which puts "Świętokrzyskie" after "Zachodniopomorskie" and every
capital before every small letter. Polish orders its letters a ą b c ć d e ę f g h i j k l ł m n
ń o ó p q r s ś t u v w x y z ź ż; English has no letters of its own beyond a–z.
"""

from collections.abc import Callable, Iterable
from typing import TypeVar

from quizzes.course.fallbacks import current_language

T = TypeVar("T")

ALPHABETS = {
    "pl": "aąbcćdeęfghijklłmnńoópqrsśtuvwxyzźż",
    "en": "abcdefghijklmnopqrstuvwxyz",
}


def sort_key(word: str, language: str) -> tuple:
    """A key that orders words by `language`'s alphabet, ignoring case; other characters
    (digits, spaces, letters of other alphabets) come after its letters, by code point."""
    alphabet = ALPHABETS.get(language, ALPHABETS["en"])
    return tuple(
        (0, alphabet.index(char), 0) if char in alphabet else (1, 0, ord(char))
        for char in word.casefold()
    )


def alphabetical(items: Iterable[T], key: Callable[[T], str]) -> list[T]:
    """`items` sorted by `key(item)` in the reader's language."""
    language = current_language()
    return sorted(items, key=lambda item: sort_key(key(item), language))
