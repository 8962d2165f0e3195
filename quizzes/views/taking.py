"""Taking a quiz or a practice round: show the dealt questions, save, move between pages, finish."""

import functools
import re
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from quizzes.core.background_save import is_background_save
from quizzes.course import content_cache
from quizzes.course.content_cache import cached
from quizzes.course.fallbacks import current_language
from quizzes.course.rendering import render_inline
from quizzes.models import Attempt, GradingMethod, Quiz
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
    attempts_used,
    practice_start,
    questions_dealt,
    start_refusal,
)
from quizzes.taking.forms import PracticeForm, QuizForm
from quizzes.taking.overrides import quiz_rules, rules_for
from quizzes.templatetags.moments import moment
from quizzes.views import bad_request, language_refused

NUMBER = re.compile(r"[0-9]{1,9}")
# How early the page's countdown may say time is up, by its rounding and the network's delay.
TIMER_SLACK = timedelta(seconds=5)
# The session's list of the practice rounds the learner replaced by starting another.
REPLACED_ROUNDS = "replaced_practice_rounds"

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
# Made text where they are used (str): a message keeps a lazy text until the response, where
# the language _in_language asked for is no longer active.
SAVED = gettext_lazy("Your answers are saved. You can come back to them later.")
MORE_TIME = gettext_lazy("You have more time: the time limit was changed. Your answers are saved.")


def can_preview(user) -> bool:
    """Whether the user takes quizzes as previews: teachers and authors (staff who may change
    quizzes or read results). Learners are never staff, so their pages ask nothing more."""
    return user.is_staff and (
        user.has_perm("quizzes.change_quiz") or user.has_perm("quizzes.view_attempt")
    )


def _quiz_for(request, slug):
    """The published quiz, or for a previewer any quiz; 404 otherwise.

    A quiz unpublished while a learner is answering it stays theirs to finish: its start page,
    questions and summary open for the attempt they have in progress, and only for it.
    """
    quiz = cached(f"quiz:{slug}", lambda: _published_quiz(slug))
    if quiz is None:
        unpublished = Quiz.objects.select_related("lesson").filter(slug=slug)
        if not (request.user.is_staff and can_preview(request.user)):
            unpublished = unpublished.filter(
                attempts__in=Attempt.objects.in_progress().filter(learner=request.user)
            )
        quiz = unpublished.first()
    if quiz is None:
        raise Http404(_("There is no such quiz."))
    return quiz


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def quiz_start(request, slug):
    """The quiz's start page (what it is, its rules, what the learner has used); POST Start.

    Only Start deals an attempt and starts its clock: opening this page creates nothing.
    """
    quiz = _quiz_for(request, slug)
    preview = can_preview(request.user)
    if request.method == "POST":
        try:
            attempt = attempt_start(learner=request.user, quiz=quiz, preview=preview)
        except AttemptRefused as refusal:
            return _start_page(request, quiz, preview, refusal=str(refusal), status=403)
        return redirect(attempt.take_url)
    return _start_page(request, quiz, preview)


def _start_page(request, quiz, preview, *, refusal=None, status=200):
    now = timezone.now()
    in_progress = attempt_in_progress(learner=request.user, quiz=quiz)
    if in_progress is not None:
        in_progress.quiz = quiz
        if timing.time_is_up(in_progress.ends_at, now):
            attempt_finish(attempt=in_progress, at=in_progress.ends_at)
            in_progress = None
    rules = quiz_rules(quiz) if preview else rules_for(learner=request.user, quiz=quiz)
    used = 0 if preview else attempts_used(learner=request.user, quiz=quiz)
    if refusal is None and in_progress is None and not preview:
        refusal = start_refusal(learner=request.user, quiz=quiz, now=now, rules=rules, used=used)
    questions = questions_dealt(quiz)
    if refusal is None and in_progress is None and not questions:
        refusal = _("This quiz has no questions yet. Come back later.")
    context = {
        "quiz": quiz,
        "preview": preview,
        "in_progress": in_progress,
        "refusal": refusal,
        "rules": rules,
        "question_count": questions,
        "used": used,
        "left": max(rules.attempts_allowed - used, 0) if rules.attempts_allowed else None,
        "grading_method": GradingMethod(quiz.grading_method).label,
    }
    return render(request, "quizzes/quiz_start.html", context, status=status)


def signed_in_to_answer(view):
    """`login_required` for the pages that take answers, saying what became of answers sent
    after the learner was signed out (in another tab, a password reset, a session run out).

    A background save answers 401, which the page says in words (autosave.js), instead of a
    redirect the script would follow to the sign-in page mid-question. A form sent without
    JavaScript goes to sign in as before, told that its answers were not saved.
    """

    @functools.wraps(view)
    def answering(request, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if request.method == "POST" and is_background_save(request):
            return HttpResponse(
                _("You were signed out, so these answers were not saved."),
                status=401,
                content_type="text/plain; charset=utf-8",
            )
        back = request.get_full_path()
        if request.method == "POST":
            messages.warning(
                request,
                _(
                    "You were signed out before your answers were sent, so the last ones "
                    "were not saved. Sign in, then choose them again."
                ),
            )
            page = request.POST.get("page", "")
            if NUMBER.fullmatch(page) and page != "1":  # back to the question they were on
                back = f"{request.path}?page={page}"
        return redirect_to_login(back)

    return answering


@never_cache
@signed_in_to_answer
@require_http_methods(["GET", "HEAD", "POST"])
def quiz_take(request, slug):
    """The learner's attempt in progress at a quiz: its questions; save or finish it on POST."""
    quiz = _quiz_for(request, slug)
    if request.method == "POST":
        return _background_safe(request, _answer(request, quiz))
    attempt = attempt_in_progress(learner=request.user, quiz=quiz)
    if attempt is None:  # none started, or finished meanwhile: Start is on the start page
        return redirect(quiz)
    attempt.quiz = quiz
    return _show(request, attempt)


@never_cache
@login_required
@require_safe
def quiz_summary(request, slug):
    """Before finishing: which questions are answered, with links back and Submit anyway."""
    quiz = _quiz_for(request, slug)
    attempt = attempt_in_progress(learner=request.user, quiz=quiz)
    if attempt is None:
        return redirect(quiz)
    attempt.quiz = quiz
    return _summary(request, attempt)


@never_cache
@signed_in_to_answer
@require_http_methods(["GET", "HEAD", "POST"])
def practice_take(request, pk):
    """A practice round of the learner's mistakes: the same page as a quiz, counted nowhere."""
    try:
        if request.method == "POST":
            return _background_safe(request, _answer(request, None, practice=pk))
        return _show(request, _practice_round(request, pk))
    except Http404:
        replaced = _newer_round(request, pk)
        if replaced is None:
            raise
        return _background_safe(request, replaced)


@never_cache
@login_required
@require_safe
def practice_summary(request, pk):
    """Before finishing a practice round: which questions are answered, and Submit anyway."""
    return _summary(request, _practice_round(request, pk))


def _practice_round(request, pk):
    return get_object_or_404(
        Attempt.objects.filter(practice=True).select_related("lesson"), pk=pk, learner=request.user
    )


def _newer_round(request, pk):
    """Where to go when the practice round `pk` is gone because the learner started another
    (a learner has one at a time: a new round replaces an unfinished one, from another tab
    say): to that one, saying so. None when there is none, or `pk` is not a round this learner
    replaced (its session keeps the last ten), so no address tells which ids exist."""
    if pk not in request.session.get(REPLACED_ROUNDS, []):
        return None
    newer = (
        Attempt.objects.in_progress()
        .filter(learner=request.user, practice=True, pk__gt=pk)
        .order_by("-pk")
        .first()
    )
    if newer is None:
        return None
    messages.info(
        request,
        _(
            "That practice round was replaced by the one you started since, so its latest "
            "answers were not saved. Here is the new round."
        ),
    )
    return redirect(newer.take_url)


@login_required
@require_POST
def practice_new(request):
    """Start a practice round of the questions the learner last got wrong, in a lesson or all."""
    form = PracticeForm(request.POST)
    if not form.is_valid():
        return bad_request(request, _("There is no lesson with that name."))
    unfinished = list(
        Attempt.objects.in_progress()
        .filter(learner=request.user, practice=True)
        .values_list("pk", flat=True)
    )
    try:
        attempt = practice_start(learner=request.user, lesson=form.cleaned_data["lesson"])
    except AttemptRefused as refusal:
        messages.info(request, str(refusal))
        return redirect(f"quizzes:{form.cleaned_data['back']}")
    if unfinished:  # replaced by this one: a tab still showing one is sent here (_newer_round)
        request.session[REPLACED_ROUNDS] = (
            unfinished[-1:] + request.session.get(REPLACED_ROUNDS, [])[:9]
        )
    return redirect(attempt.take_url)


def _published_quiz(slug):
    return Quiz.objects.published().select_related("lesson").filter(slug=slug).first()


def _open_answers(request, attempt, now):
    """The attempt's answers, read in the reader's language; None when it is finished, or
    its time has run out (it is then finished with what was saved, and the learner told)."""
    if attempt.is_submitted:
        return None
    if timing.time_is_up(attempt.ends_at, now):
        attempt_finish(attempt=attempt, at=attempt.ends_at)
        messages.info(request, _("Time is up, so the answers you had saved were submitted."))
        return None
    attempt.reader_language = current_language()
    return answers_of(attempt)


def _show(request, attempt):
    """The page of questions the learner asked for, or the result once time has run out."""
    now = timezone.now()
    answers = _open_answers(request, attempt, now)
    if answers is None:
        return redirect(attempt)
    page = _page_number(request.GET.get("page"), attempt, answers)
    if page is None:
        raise Http404(_("This quiz has no such page."))
    form = QuizForm(answers=_on_page(attempt, answers, page))
    return render(request, "quizzes/quiz_take.html", _context(attempt, answers, page, form, now))


def _summary(request, attempt):
    """The summary page: every question answered or not, links back, Submit anyway."""
    now = timezone.now()
    answers = _open_answers(request, attempt, now)
    if answers is None:
        return redirect(attempt)
    paged = attempt.paged
    rows = [
        (
            str(answer.position),
            render_inline(answer.snapshot["text"]),
            bool(answer.selected),
            _page_url(attempt, answer.position)
            if paged
            else f"{attempt.take_url}#{QuizForm.fieldset_id(answer)}",
        )
        for answer in answers
    ]
    missing = [number for number, _text, answered, _url in rows if not answered]
    left, counting = _countdown(attempt, now)
    context = {
        "quiz": attempt.quiz,
        "attempt": attempt,
        "title": attempt.shown_title,
        "rows": rows,
        "missing": missing,
        "missing_message": _missing_message(missing),
        "form_action": attempt.take_url,
        "minutes_left": None if left is None else (left + 59) // 60,
        "ends_at_text": moment(attempt.ends_at, now),
        # The same countdown as on the questions, submitting the summary's form at zero.
        "countdown": counting,
        "seconds_left": left if counting else None,
    }
    return render(request, "quizzes/quiz_summary.html", context)


def _missing_message(missing):
    if not missing:
        return ""
    return ngettext(
        "Question %(numbers)s has no answer yet.",
        "Questions %(numbers)s have no answer yet.",
        len(missing),
    ) % {"numbers": ", ".join(str(n) for n in missing)}


def _answer(request, quiz, practice=None):
    """Save the page's answers, then move to another page, stay, or finish, as asked.

    The attempt is the learner's at `quiz`, or their practice round whose id is `practice`.
    """
    attempt_id = request.POST.get("attempt", "")
    if not NUMBER.fullmatch(attempt_id):
        return bad_request(request, _("This form is missing its attempt. Reload the quiz page."))
    attempt = Attempt.objects.answerable(
        int(attempt_id), learner=request.user, quiz=quiz, practice=practice
    )
    if attempt is None:
        raise Http404(_("There is no such attempt."))
    if quiz is not None:
        attempt.quiz = quiz
    if attempt.is_submitted:
        messages.info(request, _already_submitted(request, attempt))
        return redirect(attempt)

    actions = request.POST.getlist("action")
    if "submit" in actions:  # "Submit anyway", from the summary
        if "time-up" in actions and not timing.time_is_up(
            attempt.ends_at, timezone.now() + TIMER_SLACK
        ):  # its countdown reached zero, but a teacher has given more time since it opened
            messages.info(request, str(MORE_TIME))
            return redirect(attempt.summary_url)
        outcome = answers_submit(attempt=attempt, selections={}, finish=True)
        if outcome in OUTCOME_MESSAGES:
            level, text = OUTCOME_MESSAGES[outcome]
            messages.add_message(request, level, text)
        return redirect(attempt)

    attempt.reader_language = current_language()
    answers = answers_of(attempt)
    page = _page_number(request.POST.get("page"), attempt, answers)
    goto = request.POST.get("goto")
    if goto is not None:
        goto = _page_number(goto, attempt, answers)
    if page is None or (goto is None and "goto" in request.POST):
        return bad_request(request, _("This quiz has no such page. Reload the quiz page."))
    action = request.POST.get("action", "finish")
    # The page's own language switch without JavaScript ("Save and read in Polish"): it
    # sends the answers, where the header's switch would lose those not yet saved.
    switch_to = request.POST.get("language")
    if switch_to is not None:
        if refused := language_refused(request, switch_to):
            return refused
        action, goto = "save", None
    now = timezone.now()
    time_up = timing.time_is_up(attempt.ends_at, now)
    # The page's countdown submits "time-up" at zero. If the server's clock says time is left
    # (with a few seconds' slack for the page's own rounding), a teacher has given more time
    # since the page opened: save, and show the page again with the new time.
    more_time = action == "time-up" and not timing.time_is_up(attempt.ends_at, now + TIMER_SLACK)
    finishing = goto is None and action in ("finish", "time-up") and not more_time

    page_answers = _on_page(attempt, answers, page)
    form = QuizForm(request.POST, answers=page_answers, require_all=False)
    if not form.is_valid() and not timing.too_late(attempt.ends_at, now):
        status = 400 if form.is_forged() else 200
        context = _context(attempt, answers, page, form, now)
        return render(request, "quizzes/quiz_take.html", context, status=status)
    selections = form.selections() if form.is_valid() else {}
    if form.is_valid() and not is_background_save(request) and (kept := form.kept_from_elsewhere()):
        messages.info(request, _kept_message(kept))

    if finishing and not time_up and action != "time-up" and _unanswered(answers, selections):
        # Blanks go to the summary, which lists them and offers Submit anyway.
        try:
            answer_save(attempt=attempt, selections=selections)
        except AttemptRefused:  # another tab finished it meanwhile
            messages.info(request, OUTCOME_MESSAGES[Outcome.ALREADY_FINISHED][1])
            return redirect(attempt)
        return redirect(attempt.summary_url)

    outcome = answers_submit(attempt=attempt, selections=selections, finish=finishing, now=now)
    if outcome is Outcome.SAVED:
        if is_background_save(request):
            saved = HttpResponse(status=204)  # the page saved itself in the background
            # When, as the site's other pages give times (its zone and format), for the page's
            # "last saved at": the browser's clock may be in another zone or 12-hour.
            saved["X-Quizsite-Saved-At"] = formats.time_format(timezone.localtime(now))
            left = timing.seconds_left(attempt.ends_at, now)
            if left is not None:  # the countdown follows a time limit changed meanwhile
                saved["X-Quizsite-Seconds-Left"] = str(left)
            return saved
        if switch_to is not None:
            return _in_language(
                request,
                switch_to,
                lambda: _page_url(attempt, page),
                lambda: messages.success(request, str(SAVED)),
            )
        if goto is not None:
            return redirect(_page_url(attempt, goto))
        if more_time:
            messages.info(request, str(MORE_TIME))
            return redirect(_page_url(attempt, page))
        messages.success(request, str(SAVED))
        return redirect(_page_url(attempt, page))

    def tell():
        if outcome in OUTCOME_MESSAGES:
            level, text = OUTCOME_MESSAGES[outcome]
            messages.add_message(request, level, str(text))

    if switch_to is not None:  # "Save and read in Polish" as time ran out: the result in it
        return _in_language(request, switch_to, attempt.get_absolute_url, tell)
    tell()
    return redirect(attempt)


def _kept_message(positions: list[int]) -> str:
    return ngettext(
        "Question %(numbers)s keeps the answer chosen in another tab since this page opened.",
        "Questions %(numbers)s keep the answers chosen in another tab since this page opened.",
        len(positions),
    ) % {"numbers": ", ".join(str(n) for n in positions)}


def _already_submitted(request, attempt) -> str:
    """What to say of answers sent to an attempt finished meanwhile: a Finish sent twice (a
    double click) sent the answers the attempt holds; another tab's Finish leaves this tab's
    latest choices unsaved, and the learner is told so rather than that they were submitted."""
    if "submit" in request.POST.getlist("action"):  # the summary's: it sends no answers
        return str(OUTCOME_MESSAGES[Outcome.ALREADY_FINISHED][1])
    # Only the questions the form carries (one page of a paged quiz carries one).
    carried = [
        answer
        for answer in answers_of(attempt)
        if QuizForm.field_name(answer) in request.POST or QuizForm.seen_name(answer) in request.POST
    ]
    form = QuizForm(request.POST, answers=carried, require_all=False)
    sent = form.selections() if form.is_valid() else {}
    held = {answer.question_key: set(answer.selected or ()) for answer in carried}
    if all(set(chosen) == held.get(key) for key, chosen in sent.items()):
        return str(OUTCOME_MESSAGES[Outcome.ALREADY_FINISHED][1])
    return _(
        "This attempt had already been submitted (in another tab, say), so the answers you "
        "chose since were not saved. Here is the result."
    )


def _background_safe(request, response):
    """For the page's background save, a redirect as 409 with its address in a header.

    A fetch follows redirects itself: it read the result page, and with it the message saying
    why the learner is sent there (time is up, another tab finished), which the page it then
    opened no longer had. autosave.js goes to the address instead, and the page says why.
    """
    if is_background_save(request) and response.status_code == 302:
        moved = HttpResponse(status=409)
        moved["X-Quizsite-Location"] = response["Location"]
        return moved
    return response


def _page_asked(value, paged):
    """The page asked for (1 when none), or None when no attempt laid out so can have it.

    Whether a number is past the last page depends on the attempt's questions: `_page_number`
    checks it against the dealt attempt.
    """
    if value in (None, ""):
        return 1
    if not NUMBER.fullmatch(value):
        return None
    number = int(value)
    return number if number == 1 or (paged and number > 1) else None


def _page_number(value, attempt, answers):
    """The page asked for (1 when the quiz is on one page), or None when there is no such page."""
    number = _page_asked(value, attempt.paged)
    last = len(answers) if attempt.paged else 1
    return number if number is not None and number <= last else None


def _on_page(attempt, answers, page):
    if attempt.paged:
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


def _in_language(request, language, page_url, tell):
    """A redirect to the page `page_url` gives in `language`, where `tell()` adds, in that
    language, what became of the answers, with the language remembered in its cookie as
    Django's own switch remembers it."""
    with translation.override(language):
        tell()
        response = redirect(page_url())
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


def _page_url(attempt, page):
    url = attempt.take_url
    return f"{url}?page={page}" if page > 1 else url


def _countdown(attempt, now) -> tuple[int | None, bool]:
    """The seconds left, and whether the page counts them down: for a time limit, or for a
    close date within a day (a later close is given as a date)."""
    left = timing.seconds_left(attempt.ends_at, now)
    return left, left is not None and (attempt.deadline is not None or left <= 24 * 60 * 60)


def _context(attempt, answers, page, form, now):
    quiz = attempt.quiz
    paged = attempt.paged
    end = attempt.ends_at
    left, counting = _countdown(attempt, now)
    return {
        "quiz": quiz,
        "content_version": content_cache.version(),  # in the keys of its cached fragments
        "attempt": attempt,
        "form": form,
        "attempt_id": str(attempt.pk),
        "title": attempt.shown_title,
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
        "summary_url": attempt.summary_url,
        "ends_at": end,
        "countdown": counting,
        "seconds_left": left if counting else None,
        "minutes_left": None if left is None else (left + 59) // 60,
        "ends_at_text": moment(end, now),
        "form_action": attempt.take_url,
        "preview": attempt.preview,
    }
