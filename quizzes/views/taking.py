"""Taking a quiz or a practice round: show the dealt questions, save, move between pages, finish."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from quizzes.course import content_cache
from quizzes.course.content_cache import cached
from quizzes.models import Attempt, Quiz
from quizzes.taking import timing
from quizzes.taking.attempts import (
    AttemptRefused,
    Outcome,
    answer_save,
    answers_of,
    answers_submit,
    attempt_finish,
    attempt_in_progress,
    attempt_start,
    practice_start,
    questions_dealt,
)
from quizzes.taking.forms import PracticeForm, QuizForm

NUMBER = re.compile(r"[0-9]{1,9}")
MAX_ID = 2**63 - 1

# Lazy: this table is built at import, before any request's language is known.
OUTCOME_MESSAGES = {
    Outcome.FINISHED_AT_TIME_UP: (
        messages.INFO,
        gettext_lazy("Time is up, so your answers were submitted."),
    ),
    Outcome.REFUSED_TOO_LATE: (
        messages.WARNING,
        gettext_lazy(
            "Time ran out before these answers arrived, so they were not accepted. "
            "The answers you had saved before the deadline were submitted."
        ),
    ),
    Outcome.ALREADY_FINISHED: (
        messages.INFO,
        gettext_lazy("You had already submitted these answers; here is the result."),
    ),
}


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def quiz_take(request, slug):
    """Deal or resume the learner's attempt at a quiz and show it; save or finish it on POST."""
    quiz = cached(f"quiz:{slug}", lambda: _published_quiz(slug))
    if quiz is None:
        raise Http404(_("There is no such quiz."))
    if request.method == "POST":
        return _answer(request, quiz)
    # Refused before dealing, which would start a timed quiz's clock: an address that is no
    # page, and one past the last page of the attempt that opening the quiz now would deal.
    page = _page_asked(request.GET.get("page"), quiz)
    attempt = None
    if page is not None and page > 1:
        attempt = attempt_in_progress(learner=request.user, quiz=quiz)
        if attempt is None and page > questions_dealt(quiz):
            page = None
    if page is None:
        raise Http404(_("This quiz has no such page."))
    try:
        attempt = attempt or attempt_start(learner=request.user, quiz=quiz)
    except AttemptRefused as refusal:
        context = {
            "quiz": quiz,
            "form": None,
            "refusal": str(refusal),
            "content_version": content_cache.version(),
        }
        return render(request, "quizzes/quiz_take.html", context, status=403)
    attempt.quiz = quiz
    return _show(request, attempt)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def practice_take(request, pk):
    """A practice round of the learner's mistakes: the same page as a quiz, counted nowhere."""
    if request.method == "POST":
        return _answer(request, None, practice=pk)
    attempt = get_object_or_404(
        Attempt.objects.filter(practice=True).select_related("lesson"), pk=pk, learner=request.user
    )
    return _show(request, attempt)


@login_required
@require_POST
def practice_new(request):
    """Start a practice round of the questions the learner last got wrong, in a lesson or all."""
    form = PracticeForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("There is no lesson with that name."))
    try:
        attempt = practice_start(learner=request.user, lesson=form.cleaned_data["lesson"])
    except AttemptRefused as refusal:
        messages.info(request, str(refusal))
        return redirect(f"quizzes:{form.cleaned_data['back']}")
    return redirect(attempt.take_url)


def _published_quiz(slug):
    return Quiz.objects.published().select_related("lesson").filter(slug=slug).first()


def _show(request, attempt):
    """The page of questions the learner asked for, or the result once time has run out."""
    if attempt.is_submitted:
        return redirect(attempt)
    now = timezone.now()
    if timing.time_is_up(attempt.ends_at, now):
        attempt_finish(attempt=attempt, at=attempt.ends_at)
        messages.info(request, _("Time is up, so the answers you had saved were submitted."))
        return redirect(attempt)
    answers = answers_of(attempt)
    page = _page_number(request.GET.get("page"), attempt, answers)
    if page is None:
        raise Http404(_("This quiz has no such page."))
    form = QuizForm(answers=_on_page(attempt, answers, page))
    return render(request, "quizzes/quiz_take.html", _context(attempt, answers, page, form, now))


def _answer(request, quiz, practice=None):
    """Save the page's answers, then move to another page, stay, or finish, as asked.

    The attempt is the learner's at `quiz`, or their practice round whose id is `practice`.
    """
    attempt_id = request.POST.get("attempt", "")
    if not NUMBER.fullmatch(attempt_id):
        return HttpResponseBadRequest(_("This form is missing its attempt. Reload the quiz page."))
    if quiz is None and practice > MAX_ID:  # beyond any row's id (and SQLite's integers)
        raise Http404(_("There is no such attempt."))
    attempt = Attempt.objects.answerable(
        int(attempt_id), learner=request.user, quiz=quiz, practice=practice
    )
    if attempt is None:
        raise Http404(_("There is no such attempt."))
    if quiz is not None:
        attempt.quiz = quiz
    if attempt.is_submitted:
        messages.info(request, OUTCOME_MESSAGES[Outcome.ALREADY_FINISHED][1])
        return redirect(attempt)

    answers = answers_of(attempt)
    page = _page_number(request.POST.get("page"), attempt, answers)
    goto = request.POST.get("goto")
    if goto is not None:
        goto = _page_number(goto, attempt, answers)
    if page is None or (goto is None and "goto" in request.POST):
        return HttpResponseBadRequest(_("This quiz has no such page. Reload the quiz page."))
    paged = attempt.quiz is not None and attempt.quiz.one_question_per_page
    finishing = goto is None and request.POST.get("action", "finish") == "finish"
    now = timezone.now()
    time_up = timing.time_is_up(attempt.ends_at, now)

    page_answers = _on_page(attempt, answers, page)
    form = QuizForm(
        request.POST, answers=page_answers, require_all=finishing and not paged and not time_up
    )
    if not form.is_valid() and not timing.too_late(attempt.ends_at, now):
        status = 400 if form.is_forged() else 200
        context = _context(attempt, answers, page, form, now)
        return render(request, "quizzes/quiz_take.html", context, status=status)
    selections = form.selections() if form.is_valid() else {}

    if finishing and paged and not time_up:
        missing = _unanswered(answers, selections)
        if missing:
            try:
                answer_save(attempt=attempt, selections=selections)
            except AttemptRefused:  # another tab finished it meanwhile
                messages.info(request, OUTCOME_MESSAGES[Outcome.ALREADY_FINISHED][1])
                return redirect(attempt)
            answers = answers_of(attempt)
            form = QuizForm(answers=_on_page(attempt, answers, page))
            context = _context(attempt, answers, page, form, now, missing=missing)
            return render(request, "quizzes/quiz_take.html", context)

    outcome = answers_submit(attempt=attempt, selections=selections, finish=finishing, now=now)
    if outcome is Outcome.SAVED:
        if request.headers.get("X-Quizsite-Autosave"):
            return HttpResponse(status=204)  # the page saved itself in the background
        if goto is not None:
            return redirect(_page_url(attempt, goto))
        messages.success(request, _("Your answers are saved. You can come back to them later."))
        return redirect(_page_url(attempt, page))
    if outcome in OUTCOME_MESSAGES:
        level, text = OUTCOME_MESSAGES[outcome]
        messages.add_message(request, level, text)
    return redirect(attempt)


def _page_asked(value, quiz):
    """The page asked for (1 when none), or None when no attempt at `quiz` can have it.

    Whether a number is past the last page depends on the attempt's questions: `_page_number`
    checks it against a dealt attempt, `quiz_take` against the one opening the quiz would deal.
    """
    if value in (None, ""):
        return 1
    if not NUMBER.fullmatch(value):
        return None
    number = int(value)
    paged = quiz is not None and quiz.one_question_per_page
    return number if number == 1 or (paged and number > 1) else None


def _page_number(value, attempt, answers):
    """The page asked for (1 when the quiz is on one page), or None when there is no such page."""
    number = _page_asked(value, attempt.quiz)
    paged = attempt.quiz is not None and attempt.quiz.one_question_per_page
    last = len(answers) if paged else 1
    return number if number is not None and number <= last else None


def _on_page(attempt, answers, page):
    if attempt.quiz is not None and attempt.quiz.one_question_per_page:
        return answers[page - 1 : page]
    return answers


def _unanswered(answers, selections):
    """Positions of the questions still without an answer once `selections` are applied."""
    missing = []
    for answer in answers:
        chosen = selections.get(answer.question_key, answer.selected)
        if not chosen:
            missing.append(answer.position)
    return missing


def _when(end, now):
    """The end as a time of day when it is today, else as a date and time."""
    if end is None:
        return ""
    local = timezone.localtime(end)
    if local.date() == timezone.localtime(now).date():
        return formats.time_format(local, "TIME_FORMAT")
    return formats.date_format(local, "DATETIME_FORMAT")


def _page_url(attempt, page):
    url = attempt.take_url
    return f"{url}?page={page}" if page > 1 else url


def _context(attempt, answers, page, form, now, missing=()):
    quiz = attempt.quiz
    paged = quiz is not None and quiz.one_question_per_page
    end = attempt.ends_at
    left = timing.seconds_left(end, now)
    # A countdown for a time limit, or for a close date within a day; a later close is a date.
    counting = left is not None and (attempt.deadline is not None or left <= 24 * 60 * 60)
    return {
        "quiz": quiz,
        "content_version": content_cache.version(),  # in the keys of its cached fragments
        "attempt": attempt,
        "form": form,
        "attempt_id": str(attempt.pk),
        "title": attempt.quiz_title,
        "fieldsets": mark_safe("\n".join(form.fieldsets())),  # noqa: S308 - built escaped
        "question_count": len(answers),
        "paged": paged,
        "page": page,
        # (number, answered, current) for the question buttons; the number as text, which the
        # template prints as it is, where an int would go through number formatting twice.
        "pages": [
            (str(answer.position), bool(answer.selected), answer.position == page)
            for answer in answers
        ]
        if paged
        else [],
        "previous_page": page - 1 if paged and page > 1 else None,
        "next_page": page + 1 if paged and page < len(answers) else None,
        "missing": missing,
        "missing_message": ngettext(
            "Question %(numbers)s has no answer yet.",
            "Questions %(numbers)s have no answer yet.",
            len(missing),
        )
        % {"numbers": ", ".join(str(n) for n in missing)}
        if missing
        else "",
        "ends_at": end,
        "countdown": counting,
        "seconds_left": left if counting else None,
        "minutes_left": None if left is None else (left + 59) // 60,
        "ends_at_text": _when(end, now),
        "form_action": reverse("quizzes:practice-take", args=[attempt.pk])
        if attempt.practice
        else quiz.get_absolute_url(),
    }
