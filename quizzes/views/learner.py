"""A learner's own results: one attempt's review, their history, and their progress."""

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from quizzes.course.content_cache import cached
from quizzes.course.fallbacks import current_language, translated
from quizzes.models import Attempt, GradingMethod, Quiz
from quizzes.taking.attempts import (
    ANSWERS_SHOWN_LATER,
    answers_of,
    attempts_used,
    overdue_finish,
)
from quizzes.taking.forms import PracticeForm
from quizzes.taking.overrides import closes_for, rules_for
from quizzes.taking.progress import correctness_hidden, lesson_progress, mistakes_by_lesson
from quizzes.taking.review import review_for, review_list, reviewed_answers, visible
from quizzes.taking.scoring import overall_grade
from quizzes.teaching import classes
from quizzes.teaching.forms import JoinForm


@login_required
@require_safe
def attempt_result(request, pk):
    """A learner's own finished attempt, showing what the quiz's review options allow now."""
    attempt = Attempt.objects.of_learner(pk, request.user)
    if attempt is None:
        raise Http404(_("There is no such attempt."))
    if not attempt.is_submitted:  # finished here if its time ran out, else there is no result
        mine = Attempt.objects.filter(learner=request.user)
        if not overdue_finish(mine.filter(pk=pk), grace=False) and attempt.quiz_id is not None:
            messages.info(
                request,
                _("This attempt is still in progress: press Finish to see its result."),
            )
            return redirect(attempt.take_url)
        attempt = get_object_or_404(mine.submitted(), pk=pk)
    if attempt.quiz_id is not None:
        attempt.quiz = cached(f"result-quiz:{attempt.quiz_id}", lambda: _quiz(attempt.quiz_id))
    attempt.reader_language = current_language()
    answers = answers_of(attempt)
    review = review_for(attempt.quiz, timezone.now(), closes_for(request.user))
    context = {
        "attempt": attempt,
        "review": review,
        "review_list": review_list(reviewed_answers(answers, review), review),
        "overall_feedback": attempt.overall_feedback() if review.marks else "",
        "can_try_again": _can_try_again(request.user, attempt),
        # Unpublished since it was taken: no links to its 404 pages.
        "quiz_hidden": attempt.quiz is not None and not attempt.quiz.is_shown,
    }
    return render(request, "quizzes/attempt_result.html", context)


def _can_try_again(learner, attempt) -> bool:
    """Whether "Try this quiz again" leads anywhere: a published quiz with attempts left, by the
    learner's own settings (an override may limit an unlimited quiz); a preview has no limit.
    The attempts are counted only under a limit; the settings cost a query only on a quiz
    with overrides."""
    quiz = attempt.quiz
    if attempt.practice or attempt.preview:
        return not attempt.practice
    if not quiz.is_shown:  # hidden since: its page is a 404
        return False
    rules = rules_for(learner=learner, quiz=quiz)
    return not rules.attempts_allowed or (
        attempts_used(learner=learner, quiz=quiz) < rules.attempts_allowed
    )


def _quiz(pk):
    """A quiz as every learner's result page shows it: settings, lesson and grade bands."""
    return Quiz.objects.select_related("lesson").prefetch_related("grade_bands").get(pk=pk)


@login_required
@require_safe
def my_results(request):
    """The learner's attempts, newest first, and the grade that counts on each quiz."""
    now = timezone.now()
    mine = Attempt.objects.filter(learner=request.user)
    overdue_finish(mine, now)
    closes = closes_for(request.user)
    graded = mine.submitted().graded().filter(visible("marks", now, closes=closes))
    best = list(
        graded.order_by()
        .values(
            "quiz_id", "quiz__slug", "quiz__grading_method", quiz_name=translated("quiz__title")
        )
        .annotate(
            best=Max("percentage"),
            count=Count("id"),
            last=Max("submitted_at"),
            passes=Count("id", filter=Q(passed=True)),
        )
        .order_by("quiz_name")
    )
    history = defaultdict(list)
    for quiz_id, percent in graded.order_by("submitted_at", "id").values_list(
        "quiz_id", "percentage"
    ):
        history[quiz_id].append(percent)
    for row in best:
        row["grade"] = overall_grade(row["quiz__grading_method"], history[row["quiz_id"]])
        row["method"] = GradingMethod(row["quiz__grading_method"]).label
    attempts = mine.submitted().select_related("quiz").order_by("-submitted_at", "-id")
    page = Paginator(attempts, 50).get_page(request.GET.get("page"))
    rows = [(attempt, review_for(attempt.quiz, now, closes)) for attempt in page]
    # Not counted anywhere yet, but the learner's to go back to (a preview is the teacher's).
    open_attempts = mine.filter(submitted_at__isnull=True, preview=False).order_by("-started_at")
    context = {
        "page": page,
        "rows": rows,
        "best": best,
        "practice_form": (form := PracticeForm.offering(mistakes_by_lesson(request.user, now))),
        "answers_shown_later": ANSWERS_SHOWN_LATER
        if form is None and correctness_hidden(request.user, now)
        else "",
        "in_progress": list(open_attempts.select_related("quiz")),
    }
    return render(request, "quizzes/my_results.html", context)


@login_required
@require_safe
def progress(request):
    """Per lesson: the learner's best grade and how many questions they have got right."""
    now = timezone.now()
    overdue_finish(Attempt.objects.filter(learner=request.user), now)
    rows = lesson_progress(request.user, now)
    mistakes = {row.lesson.id: row.mistakes for row in rows}
    context = {
        "rows": rows,
        "practice_form": PracticeForm.offering(mistakes, initial={"back": "progress"}),
        "answers_shown_later": ANSWERS_SHOWN_LATER if any(row.hidden for row in rows) else "",
    }
    return render(request, "quizzes/progress.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def join(request, code=None):
    """Join a class with the code (typed in, or from the teacher's link, then confirmed)."""
    form = JoinForm(request.POST or None, initial={"code": code or ""})
    classroom = None
    if code is not None:
        classroom = classes.by_code(code)
        if classroom is None:
            form = JoinForm(initial={"code": ""})
            messages.error(
                request, _("That class code does not work. Ask your teacher for a new one.")
            )
    if request.user.is_staff or request.user.is_superuser:
        # A class is its learners: a teacher in a colleague's class would show the colleague
        # their previews, and could be unlocked by them. A preview shows a teacher the quiz.
        context = {"form": None, "classroom": classroom, "staff": True}
        status = 403 if request.method == "POST" else 200
        return render(request, "quizzes/join.html", context, status=status)
    if request.method == "POST" and form.is_valid():
        joined, created = classes.join(learner=request.user, code=form.cleaned_data["code"])
        if joined is None:
            form.add_error(
                "code", _("No class has this code. Check it, or ask your teacher for a new one.")
            )
        else:
            if created:
                messages.success(request, _("You joined “%(name)s”.") % {"name": joined.name})
            else:
                messages.info(request, _("You are already in “%(name)s”.") % {"name": joined.name})
            return redirect("quizzes:my-classes")
    status = 400 if request.method == "POST" else 200
    already = classroom is not None and classroom.memberships.filter(learner=request.user).exists()
    context = {"form": form, "classroom": classroom, "already": already}
    return render(request, "quizzes/join.html", context, status=status)


@login_required
@require_safe
def my_classes(request):
    """The classes the learner has joined."""
    memberships = request.user.memberships.select_related("classroom__teacher")
    return render(request, "quizzes/my_classes.html", {"memberships": memberships})
