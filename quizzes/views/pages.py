"""Pages for everyone: the lesson list, a lesson, signing up, and the health check."""

from django.contrib import messages
from django.contrib.auth import login
from django.db import DatabaseError, connection
from django.db.models import Max, Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from ..forms import SignupForm
from ..models import Attempt, Lesson, Quiz
from ..review import visible


@require_GET
def home(request):
    """Published lessons, each with its quizzes and the learner's best score."""
    lessons = Lesson.objects.published().prefetch_related(
        Prefetch("quizzes", queryset=Quiz.objects.filter(is_published=True), to_attr="live_quizzes")
    )
    best = {}
    if request.user.is_authenticated:
        best = dict(
            Attempt.objects.filter(learner=request.user)
            .submitted()
            .graded()
            .filter(visible("marks", timezone.now()))
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
