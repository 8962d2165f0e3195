"""What a learner may see of a finished attempt, by the quiz's review options and the clock."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Protocol, TypedDict

from django.db.models import Q
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _

from quizzes.course.rendering import render_inline


@dataclass(frozen=True)
class Review:
    """Which parts of a finished attempt the learner sees now."""

    marks: bool = True
    correctness: bool = True
    feedback: bool = True
    explanations: bool = True

    @property
    def everything(self) -> bool:
        return self.marks and self.correctness and self.feedback and self.explanations


FULL = Review()


class ReviewSettings(Protocol):
    """A quiz, as far as review needs it: its `review_*` options and whether it has closed."""

    def has_closed(self, now: datetime) -> bool: ...


PARTS = ("marks", "correctness", "feedback", "explanations")


def review_for(quiz: ReviewSettings | None, now: datetime) -> Review:
    """The review a quiz's settings allow at `now`: one set until it closes, one after.

    Practice rounds (no quiz) show everything.
    """
    if quiz is None:
        return FULL
    suffix = "_after_close" if quiz.has_closed(now) else ""
    return Review(**{part: getattr(quiz, f"review_{part}{suffix}") for part in PARTS})


def visible(part: str, now: datetime, prefix: str = "quiz__") -> Q:
    """A filter for attempts whose quiz lets the learner see `part` at `now`.

    For querysets of attempts (prefix "quiz__") or of answers ("attempt__quiz__"); practice
    rounds always pass.
    """
    closed = Q(**{f"{prefix}closes_at__lte": now})
    return (
        Q(**{f"{prefix}isnull": True})
        | (~closed & Q(**{f"{prefix}review_{part}": True}))
        | (closed & Q(**{f"{prefix}review_{part}_after_close": True}))
    )


# The result page's rows are dicts: the template engine tries a dict lookup first and reaches
# an object's attributes only through the TypeError that lookup raises. With the review's
# options read once outside the loops (`{% with %}`), that made the template a fifth faster.


class ReviewedChoice(TypedDict):
    """One choice of a reviewed question as the result page prints it."""

    text: str
    feedback: str
    chosen: bool
    correct: bool  # marked as a right answer: only when the review shows correctness
    css_class: str  # "chosen", and "correct" or "wrong" when the review shows correctness


class ReviewedAnswer(TypedDict):
    """One answer of a finished attempt as the result page prints it."""

    heading: str  # "Question 3"
    text: str
    outcome: str  # "correct", "partial" or "incorrect"
    verdict: str  # "✓ Correct — 1 of 1 marks", as much as the review shows ("" for nothing)
    choices: list[ReviewedChoice]
    explanation: str
    source_title: str
    source_url: str
    comment: str  # the teacher's comment, when the review shows feedback
    overridden: bool  # marks set by the teacher, when the review shows marks


def reviewed_answers(answers: Iterable, review: Review) -> list[ReviewedAnswer]:
    """The answers (in the order dealt) with every word and number the result page shows of
    them worked out here, so the template's loops only print.

    Each translated word is looked up once for all the answers and each distinct mark is
    formatted once, where the template's loops ran some 160 translation tags and 40
    floatformat filters for a 20-question attempt.
    """
    heading = _("Question %(number)s")
    marks_of = _("%(marks)s of %(maximum)s marks")
    labels = {
        "correct": _("✓ Correct"),
        "partial": _("◐ Partly correct"),
        "incorrect": _("✗ Incorrect"),
    }
    shown = cache(lambda marks: floatformat(marks, "-2"))  # as the template's filter shows them
    reviewed = []
    for answer in answers:
        question, outcome = answer.snapshot, answer.outcome
        verdict = []
        if review.correctness:
            verdict.append(labels[outcome])
        if review.marks:
            maximum = shown(answer.max_marks)
            verdict.append(marks_of % {"marks": shown(answer.marks), "maximum": maximum})
        choices = []
        for choice in answer.review_choices():
            correct = review.correctness and choice["is_correct"]
            classes = ["chosen"] if choice["chosen"] else []
            if review.correctness:
                classes.append("correct" if correct else "wrong")
            choices.append(
                ReviewedChoice(
                    text=render_inline(choice["text"]),
                    feedback=render_inline(choice["feedback"]),
                    chosen=choice["chosen"],
                    correct=correct,
                    css_class=" ".join(classes),
                )
            )
        reviewed.append(
            ReviewedAnswer(
                heading=heading % {"number": answer.position},
                text=render_inline(question["text"]),
                outcome=outcome,
                verdict=" — ".join(verdict),
                choices=choices,
                explanation=render_inline(question["explanation"]),
                source_title=question["source_title"],
                source_url=question["source_url"],
                comment=answer.comment if review.feedback else "",
                overridden=answer.overridden and review.marks,
            )
        )
    return reviewed
