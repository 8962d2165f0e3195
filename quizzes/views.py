"""Pages for learners and teachers. Each view parses input, calls one function, and responds."""

import re
from collections import defaultdict

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.db.models import Avg, Count, Max, Prefetch, Q
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from . import exports
from .downloads import csv_download
from .forms import AttemptFilterForm, QuizForm, SignupForm
from .models import Attempt, GradingMethod, Lesson, Quiz
from .scoring import overall_grade
from .services import AttemptRefused, answer_save, attempt_finish, attempt_start

ATTEMPT_ID = re.compile(r"[0-9]{1,18}")


@require_GET
def home(request):
    """Published lessons, each with its quizzes and the learner's best score."""
    lessons = Lesson.objects.published().prefetch_related(
        Prefetch("quizzes", queryset=Quiz.objects.filter(is_published=True), to_attr="live_quizzes")
    )
    best = {}
    if request.user.is_authenticated:
        best = dict(
            Attempt.objects.submitted()
            .filter(learner=request.user)
            .values("quiz__lesson")
            .annotate(best=Max("percentage"))
            .values_list("quiz__lesson", "best")
        )
    rows = [(lesson, best.get(lesson.id)) for lesson in lessons]
    return render(request, "quizzes/home.html", {"rows": rows})


@require_GET
def lesson_detail(request, slug):
    """One lesson, rendered from Markdown, with links to its quizzes."""
    lessons = Lesson.objects.prefetch_related("sources")
    if not request.user.has_perm("quizzes.change_lesson"):
        lessons = lessons.published()
    lesson = get_object_or_404(lessons, slug=slug)
    quizzes = lesson.quizzes.filter(is_published=True)
    return render(request, "quizzes/lesson_detail.html", {"lesson": lesson, "quizzes": quizzes})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def quiz_take(request, slug):
    """Deal or resume the learner's attempt and show its questions; save or finish it on POST."""
    quiz = get_object_or_404(Quiz.objects.published().select_related("lesson"), slug=slug)
    if request.method == "GET":
        try:
            attempt = attempt_start(learner=request.user, quiz=quiz)
            if _finished_at_close(request, attempt):
                return redirect(attempt)
        except AttemptRefused as refusal:
            context = {"quiz": quiz, "form": None, "refusal": str(refusal)}
            return render(request, "quizzes/quiz_take.html", context, status=403)
        form = QuizForm(answers=attempt.answers.all())
        return render(request, "quizzes/quiz_take.html", _take_context(quiz, attempt, form))

    attempt_id = request.POST.get("attempt", "")
    if not ATTEMPT_ID.fullmatch(attempt_id):
        return HttpResponseBadRequest(_("This form is missing its attempt. Reload the quiz page."))
    attempt = get_object_or_404(Attempt, pk=attempt_id, learner=request.user, quiz=quiz)
    attempt.quiz = quiz
    if attempt.is_submitted:
        messages.info(request, _("You had already submitted these answers; here is the result."))
        return redirect(attempt)
    if _finished_at_close(request, attempt):
        return redirect(attempt)

    finishing = request.POST.get("action", "finish") != "save"
    form = QuizForm(request.POST, answers=attempt.answers.all(), require_all=finishing)
    if not form.is_valid():
        status = 400 if form.is_forged() else 200
        context = _take_context(quiz, attempt, form)
        return render(request, "quizzes/quiz_take.html", context, status=status)
    if not finishing:
        try:
            answer_save(attempt=attempt, selections=form.selections())
        except AttemptRefused:
            return redirect(attempt)
        messages.success(request, _("Your answers are saved. You can come back to them later."))
        return redirect(quiz)
    if not attempt_finish(attempt=attempt, selections=form.selections()):
        messages.info(request, _("You had already submitted these answers; here is the result."))
    return redirect(attempt)


def _finished_at_close(request, attempt):
    """Finish an attempt left open past the quiz's close with the answers it saved."""
    if not attempt.quiz.has_closed(timezone.now()):
        return False
    attempt_finish(attempt=attempt)
    messages.info(request, _("The quiz has closed, so your saved answers were submitted."))
    return True


def _take_context(quiz, attempt, form):
    return {"quiz": quiz, "attempt": attempt, "form": form}


@login_required
@require_GET
def attempt_result(request, pk):
    """A learner's own submitted attempt: score, and each answer with feedback and sources."""
    attempt = get_object_or_404(
        Attempt.objects.submitted().select_related("quiz__lesson").prefetch_related("answers"),
        pk=pk,
        learner=request.user,
    )
    return render(request, "quizzes/attempt_result.html", {"attempt": attempt})


@login_required
@require_GET
def my_results(request):
    """The learner's attempts, newest first, and their best score on each quiz."""
    attempts = Attempt.objects.submitted().filter(learner=request.user).select_related("quiz")
    best = list(
        attempts.order_by()
        .values("quiz_id", "quiz__title", "quiz__slug", "quiz__grading_method")
        .annotate(
            best=Max("percentage"),
            count=Count("id"),
            last=Max("submitted_at"),
            passes=Count("id", filter=Q(passed=True)),
        )
        .order_by("quiz__title")
    )
    history = defaultdict(list)
    for quiz_id, percent in attempts.order_by("submitted_at", "id").values_list(
        "quiz_id", "percentage"
    ):
        history[quiz_id].append(percent)
    for row in best:
        row["grade"] = overall_grade(row["quiz__grading_method"], history[row["quiz_id"]])
        row["method"] = GradingMethod(row["quiz__grading_method"]).label
    page = Paginator(attempts.order_by("-submitted_at", "-id"), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "quizzes/my_results.html", {"page": page, "best": best})


def _filtered_attempts(request):
    """Submitted attempts narrowed by the filter form, or None when the filter is invalid."""
    form = AttemptFilterForm(request.GET)
    if not form.is_valid():
        return form, None
    attempts = Attempt.objects.submitted().select_related("learner", "quiz")
    quiz = form.cleaned_data["quiz"]
    if quiz is not None:
        attempts = attempts.filter(quiz=quiz)
    return form, attempts


def _without_page(params):
    """The query string of a filtered list, minus its page number, for pagination links."""
    params = params.copy()
    params.pop("page", None)
    return params.urlencode()


@login_required
@permission_required("quizzes.view_attempt", raise_exception=True)
@require_GET
def results(request):
    """Teachers: every submitted attempt, filterable by quiz, with a CSV download."""
    form, attempts = _filtered_attempts(request)
    if attempts is None:
        return render(request, "quizzes/results.html", {"form": form}, status=400)
    summary = attempts.aggregate(
        count=Count("id"),
        learners=Count("learner", distinct=True),
        mean=Avg("percentage"),
        passed=Count("id", filter=Q(passed=True)),
    )
    page = Paginator(attempts.order_by("-submitted_at", "-id"), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "quizzes/results.html",
        {"form": form, "page": page, "summary": summary, "query": _without_page(request.GET)},
    )


@login_required
@permission_required("quizzes.view_attempt", raise_exception=True)
@require_GET
def results_export(request):
    """Teachers: the filtered attempts as a streamed CSV file."""
    form, attempts = _filtered_attempts(request)
    if attempts is None:
        return HttpResponseBadRequest(_("There is no quiz with that name."))
    quiz = form.cleaned_data["quiz"]
    name = f"attempts-{quiz.slug}" if quiz else "attempts-all"
    return csv_download(exports.attempt_rows(attempts), name)


@require_http_methods(["GET", "POST"])
def signup(request):
    """Create a learner account and sign it in."""
    if request.user.is_authenticated:
        return redirect("quizzes:home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome, %(name)s! Your account is ready.") % {"name": user})
        return redirect("quizzes:home")
    return render(request, "registration/signup.html", {"form": form})


@never_cache
@require_GET
def healthz(request):
    """200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")
