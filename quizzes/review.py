"""What a learner may see of a finished attempt, by the quiz's review options and the clock."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q


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
PARTS = ("marks", "correctness", "feedback", "explanations")


def review_for(quiz, now: datetime) -> Review:
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
