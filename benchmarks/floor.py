"""The least the quiz page can do: its reads without its rendering. Benchmarks only.

Served by `make bench` at `/bench/unrendered/<slug>/` (when BENCHMARK_VIEWS is on), beside the
two ceilings of `benchmarks/ceiling.py`. It makes every read the quiz page makes, through the
same functions as `quizzes.views.taking.quiz_take`: the signed-in check, session, user, quiz,
attempt, answers, page, form, CSRF token and messages. Then, instead of rendering, it sends the
bytes the real page rendered for this learner and address the first time. Nothing left in it
can be made cheaper by a faster template engine or cached HTML, so its rate bounds what any
way of rendering the page could reach on Django's sessions, auth and middleware
(docs/ARCHITECTURE.md, "The quiz page stays a Django template").
"""

from django.contrib import messages
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.urls import path
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from quizzes.taking.attempts import attempt_in_progress
from quizzes.taking.forms import QuizForm
from quizzes.views import taking

# (learner id, address) -> the page's bytes, rendered once by the real view.
_RENDERED = {}


@never_cache
@taking.signed_in_to_answer
@require_safe
def quiz_unrendered(request, slug):
    quiz = taking._quiz_for(request, slug)
    attempt = attempt_in_progress(learner=request.user, quiz=quiz)
    if attempt is None:  # the real page's answer (a redirect to the start page)
        return taking.quiz_take(request, slug)
    attempt.quiz = quiz
    answers = taking._open_answers(request, attempt, timezone.now())
    page = taking._page_number(request.GET.get("page"), attempt, answers)
    QuizForm(answers=taking._on_page(attempt, answers, page))
    get_token(request)
    bool(messages.get_messages(request))
    key = (request.user.pk, request.get_full_path())
    if key not in _RENDERED:
        _RENDERED[key] = taking.quiz_take(request, slug).content
    return HttpResponse(_RENDERED[key])


urlpatterns = [path("bench/unrendered/<slug:slug>/", quiz_unrendered)]
