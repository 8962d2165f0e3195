"""True/false questions: their two choices are fixed by the kind and shown in the reader's
language ("Prawda"/"Fałsz" in Polish), whatever their stored text."""

from django.utils.translation import pgettext_lazy

TRUE_FALSE = "truefalse"
# The words a true/false choice's stored text may be, by place: the true one first.
WORDS = ({"true", "prawda"}, {"false", "fałsz"})
LABELS = (pgettext_lazy("true/false answer", "True"), pgettext_lazy("true/false answer", "False"))


def true_false_place(text: str) -> int | None:
    """0 for a true/false question's "True" choice, 1 for "False", None for any other text."""
    word = text.strip().casefold()
    return next((n for n, words in enumerate(WORDS) if word in words), None)


def choice_label(kind: str, text: str) -> str:
    """A choice's text as the reader sees it: "True"/"False" in the active language on a
    true/false question, else the text itself."""
    if kind == TRUE_FALSE and (place := true_false_place(text)) is not None:
        return str(LABELS[place])
    return text
