"""Sorting words the way a dictionary in the reader's language does.

Python sorts by code point, which puts "Świętokrzyskie" after "Zachodniopomorskie" and every
capital before every small letter. Polish orders its letters a ą b c ć d e ę f g h i j k l ł m n
ń o ó p q r s ś t u v w x y z ź ż; English has no letters of its own beyond a–z.
"""

import unicodedata
from collections.abc import Callable, Iterable
from typing import TypeVar

from quizzes.course.fallbacks import current_language

T = TypeVar("T")

ALPHABETS = {
    "pl": "aąbcćdeęfghijklłmnńoópqrsśtuvwxyzźż",
    "en": "abcdefghijklmnopqrstuvwxyz",
}


# Letters with no decomposition that an English dictionary files under a plain one.
PLAIN = str.maketrans({"ł": "l", "đ": "d", "ø": "o", "ħ": "h", "ı": "i"})


def sort_key(word: str, language: str) -> tuple:
    """A key that orders words by `language`'s alphabet, ignoring case; other characters
    (digits, spaces, letters of other alphabets) come after its letters, by code point.

    A letter the alphabet lacks is filed as its plain letter first, as an English dictionary
    files "Łącka" under L and "Żak" under Z; the word as written breaks the tie.
    """
    alphabet = ALPHABETS.get(language, ALPHABETS["en"])
    folded = word.casefold()
    filed = "".join(char if char in alphabet else _plain(char) for char in folded)
    return (_by_alphabet(filed, alphabet), _by_alphabet(folded, alphabet))


def _plain(char: str) -> str:
    """The plain letter(s) an accented one is filed under: "ą" → "a", "ł" → "l"."""
    decomposed = unicodedata.normalize("NFKD", char.translate(PLAIN))
    return "".join(part for part in decomposed if not unicodedata.combining(part)) or char


def _by_alphabet(word: str, alphabet: str) -> tuple:
    return tuple(
        (0, alphabet.index(char), 0) if char in alphabet else (1, 0, ord(char)) for char in word
    )


# Characters that sort after "z" byte by byte, in this order.
AFTER_Z = "{|}~"


def byte_filing(language: str) -> dict[str, str]:
    """What to write, for a database that compares bytes, in place of each letter beyond a–z,
    so that it sorts as `sort_key` does: a letter of `language`'s own alphabet as the plain
    letter before it and a mark after "z" ("ł" → "l{"; "ż", the second after z, → "z|"),
    another language's letters as their plain letter ("ł" → "l" in English)."""
    alphabet = ALPHABETS.get(language, ALPHABETS["en"])
    filed, base, beyond = {}, "", 0
    for letter in alphabet:
        if "a" <= letter <= "z":
            base, beyond = letter, 0
        else:
            filed[letter] = base + AFTER_Z[beyond]
            beyond += 1
    for letter in sorted(set("".join(ALPHABETS.values())) - set(alphabet)):
        filed[letter] = _plain(letter)
    return filed


def alphabetical(items: Iterable[T], key: Callable[[T], str]) -> list[T]:
    """`items` sorted by `key(item)` in the reader's language."""
    language = current_language()
    return sorted(items, key=lambda item: sort_key(key(item), language))
