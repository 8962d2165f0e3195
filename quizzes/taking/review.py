"""What a learner may see of a finished attempt, by the quiz's review options and the clock."""

import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from types import MappingProxyType
from typing import Protocol, TypedDict

from django.db.models import Q
from django.template.defaultfilters import linebreaksbr
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from quizzes.course.fallbacks import untranslated_notice
from quizzes.course.rendering import render_inline
from quizzes.course.true_false import TRUE_FALSE
from quizzes.taking.scoring import marks_count, shown_marks


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

    pk: int

    def has_closed(self, now: datetime) -> bool: ...


PARTS = ("marks", "correctness", "feedback", "explanations")


def review_for(
    quiz: ReviewSettings | None, now: datetime, closes: Mapping = MappingProxyType({})
) -> Review:
    """The review a quiz's settings allow at `now`: one set until it closes, one after.

    `closes` holds the learner's own close dates where an override moved them (by quiz id,
    overrides.closes_for): the quiz has closed for them only when theirs has passed. Practice
    rounds (no quiz) show everything.
    """
    if quiz is None:
        return FULL
    closed = now >= closes[quiz.pk] if quiz.pk in closes else quiz.has_closed(now)
    suffix = "_after_close" if closed else ""
    return Review(**{part: getattr(quiz, f"review_{part}{suffix}") for part in PARTS})


def visible(
    part: str, now: datetime, prefix: str = "quiz__", closes: Mapping = MappingProxyType({})
) -> Q:
    """A filter for attempts whose quiz lets the learner see `part` at `now`.

    For querysets of attempts (prefix "quiz__") or of answers ("attempt__quiz__"); practice
    rounds always pass. `closes` as for `review_for`: one learner's moved close dates.
    """
    closed = Q(**{f"{prefix}closes_at__lte": now})
    if closes:
        passed = [quiz_id for quiz_id, closes_at in closes.items() if now >= closes_at]
        closed = (closed & ~Q(**{f"{prefix}id__in": list(closes)})) | Q(
            **{f"{prefix}id__in": passed}
        )
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
    verdict: str  # "✓ Correct — 1 of 1 marks", as much as the review shows ("" for nothing);
    # "Not answered — 0 of 1 marks" for a question left blank
    choices: list[ReviewedChoice]
    explanation: str
    source_title: str
    source_url: str
    comment: str  # the teacher's comment, when the review shows feedback
    overridden: bool  # marks set by the teacher, when the review shows marks
    shown_in: str | None  # the other language some of its texts fell back to
    asked_in: str | None  # the same for its question's and choices' texts (the quiz page's)
    choices_shown_in: str | None  # `asked_in` for its choices (None for true/false's labels)
    notice: str  # "Not yet translated: shown in Polish." when shown_in is set, else ""


def reviewed_answers(answers: Iterable, review: Review) -> list[ReviewedAnswer]:
    """The answers (in the order dealt) with every word and number the result page shows of
    them worked out here, so the template's loops only print.

    Each translated word is looked up once for all the answers and each distinct mark is
    formatted once, where the template's loops ran some 160 translation tags and 40
    floatformat filters for a 20-question attempt.
    """
    heading = _("Question %(number)s")
    marks_of = cache(
        lambda maximum: ngettext(
            "%(marks)s of %(maximum)s mark", "%(marks)s of %(maximum)s marks", marks_count(maximum)
        )
    )
    labels = {
        "correct": _("✓ Correct"),
        "partial": _("◐ Partly correct"),
        "incorrect": _("✗ Incorrect"),
    }
    not_answered = _("Not answered")
    shown = cache(shown_marks)  # as the `marks` filter shows them
    reviewed = []
    for answer in answers:
        question, outcome = answer.snapshot, answer.outcome
        shown_in = question.get("shown_in")
        verdict = []
        if answer.chosen is None:  # a blank is a blank, whatever the review shows, as Moodle says
            verdict.append(not_answered)
        elif review.correctness:
            verdict.append(labels[outcome])
        if review.marks:
            maximum = answer.max_marks
            verdict.append(
                marks_of(maximum) % {"marks": shown(answer.marks), "maximum": shown(maximum)}
            )
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
                shown_in=shown_in,
                asked_in=question.get("asked_in"),
                notice=untranslated_notice(shown_in) if shown_in else "",
                choices_shown_in=None
                if question["kind"] == TRUE_FALSE
                else question.get("asked_in"),
            )
        )
    return reviewed


def _escaped(value: str) -> str:
    """`conditional_escape`'s result, in a third of its time: safe HTML as it is, any other
    text escaped as Django's `escape` does (by `html.escape`)."""
    return value if isinstance(value, SafeString) else html.escape(value)


def _lang(language: str | None) -> str:
    """A `lang` attribute for text in another language than the page's, or nothing."""
    return f' lang="{html.escape(language)}"' if language else ""


def _in(lang: str, html_text: str) -> str:
    """`html_text` in a span carrying `lang`, when there is one."""
    return f"<span{lang}>{html_text}</span>" if lang else html_text


def review_list(answers: Iterable[ReviewedAnswer], review: Review) -> SafeString:
    """The result page's list of reviewed answers, as HTML.

    Written here rather than by a template loop: for a 20-question attempt the loop made some
    1,000 variable lookups and was three fifths of the result page's CPU (benchmarks/
    inprocess.py --whole --profile result); this is the markup it printed, built in a
    fraction of that. Every value is escaped, or is inline Markdown already rendered with its
    HTML escaped (`render_inline`); the labels are the catalog's, printed as `{% translate %}`
    prints them.
    """
    your_answer, correct_answer = _("Your answer"), _("Correct answer")
    explanation, source = _("Explanation"), _("Source:")
    changed, comment_heading = _("Mark changed by your teacher"), _("Your teacher's comment")
    esc = _escaped
    parts = ['<ol class="review">']
    for answer in answers:
        outcome = f" outcome-{esc(answer['outcome'])}" if review.correctness else ""
        lang = _lang(answer["shown_in"])
        text = _in(_lang(answer["asked_in"]), esc(answer["text"]))
        parts.append(
            f'<li class="review-item{outcome}">'
            f'<h2 class="review-question"><span class="question-number">'
            f"{esc(answer['heading'])}</span> {text}</h2>"
        )
        if answer["notice"]:
            parts.append(f'<p class="hint untranslated">{esc(answer["notice"])}</p>')
        if answer["verdict"]:
            tag = f' <span class="tag">{changed}</span>' if answer["overridden"] else ""
            parts.append(f'<p class="outcome">{esc(answer["verdict"])}{tag}</p>')
        if answer["comment"]:
            parts.append(
                f'<div class="teacher-comment"><h3>{comment_heading}</h3>'
                f"<p>{linebreaksbr(answer['comment'], autoescape=True)}</p></div>"
            )
        parts.append('<ul class="review-choices">')
        choice_lang = _lang(answer["choices_shown_in"])
        for choice in answer["choices"]:
            tags = ""
            if choice["chosen"]:
                tags += f' <span class="tag">{your_answer}</span>'
            if choice["correct"]:
                tags += f' <span class="tag tag-correct">{correct_answer}</span>'
            feedback = ""
            if review.feedback and choice["feedback"]:
                feedback = f'<p class="feedback"{lang}>{esc(choice["feedback"])}</p>'
            parts.append(
                f'<li class="{esc(choice["css_class"])}"><p class="choice-text">'
                f"{_in(choice_lang, esc(choice['text']))}{tags}</p>{feedback}</li>"
            )
        parts.append("</ul>")
        if review.explanations:
            parts.append('<div class="explanation">')
            if answer["explanation"]:
                parts.append(f"<h3>{explanation}</h3><p{lang}>{esc(answer['explanation'])}</p>")
            parts.append(
                f'<p class="source">{source} <a href="{esc(answer["source_url"])}" '
                f'rel="noopener noreferrer">{esc(answer["source_title"])}</a></p></div>'
            )
        parts.append("</li>")
    parts.append("</ol>")
    return mark_safe("\n".join(parts))  # noqa: S308 (every part escaped, see above)
